package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// Orders from authorities (docs/DESIGN.md "Orders"): the read model the
// Order workflow writes, and what the transparency report counts.

// migrateOrders creates the orders and their events (migration 23).
func migrateOrders(tx *gorm.DB) error {
	return tx.AutoMigrate(&models.Order{}, &models.OrderEvent{})
}

// CreateOrder stores a new order with its first event ("received") and
// runs then, when set, in the same transaction (the audit entry).
func CreateOrder(ctx context.Context, db *gorm.DB, o models.Order, then func(tx *gorm.DB) error) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&o).Error; err != nil {
			return err
		}
		ev := models.OrderEvent{OrderID: o.ID, Step: "received", What: "order received", At: o.ReceivedAt}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		if then != nil {
			return then(tx)
		}
		return nil
	})
}

// Order reads one order (gorm.ErrRecordNotFound when there is none).
func Order(ctx context.Context, db *gorm.DB, id string) (models.Order, error) {
	var o models.Order
	err := db.WithContext(ctx).Where("id = ?", id).Take(&o).Error
	return o, err
}

// OrderEvents are an order's events, oldest first.
func OrderEvents(ctx context.Context, db *gorm.DB, id string) ([]models.OrderEvent, error) {
	var evs []models.OrderEvent
	err := db.WithContext(ctx).Where("order_id = ?", id).Order("at").Order("id").Find(&evs).Error
	return evs, err
}

// OrderFilter selects orders: FiledBy "" is every filer; Page from 1.
type OrderFilter struct {
	FiledBy string
	Kind    models.OrderKind
	Status  models.OrderStatus
	Page    int
	PerPage int
}

// Orders lists orders, newest received first, with the total.
func Orders(ctx context.Context, db *gorm.DB, f OrderFilter) ([]models.Order, int64, error) {
	q := db.WithContext(ctx).Model(&models.Order{})
	if f.FiledBy != "" {
		q = q.Where("filed_by = ?", f.FiledBy)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return nil, 0, err
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage < 1 {
		f.PerPage = 20
	}
	var out []models.Order
	err := q.Order("received_at DESC").Order("id").Offset((f.Page - 1) * f.PerPage).Limit(f.PerPage).Find(&out).Error
	return out, n, err
}

// OrderChange is one step of an order's workflow: the columns it sets and
// the event that says what was done when. Step is unique per order, so a
// retried activity changes nothing twice.
type OrderChange struct {
	OrderID string
	Step    string
	What    string
	At      time.Time
	Set     map[string]any
}

// ChangeOrder applies ch once per (order, step) and runs then in the same
// transaction when it did; applied is false for a step already recorded.
func ChangeOrder(ctx context.Context, db *gorm.DB, ch OrderChange, then func(tx *gorm.DB) error) (applied bool, err error) {
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.OrderEvent{}).Where("order_id = ? AND step = ?", ch.OrderID, ch.Step).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		set := map[string]any{"updated_at": ch.At}
		for k, v := range ch.Set {
			set[k] = v
		}
		if err := tx.Model(&models.Order{}).Where("id = ?", ch.OrderID).Updates(set).Error; err != nil {
			return err
		}
		if err := tx.Create(&models.OrderEvent{OrderID: ch.OrderID, Step: ch.Step, What: ch.What, At: ch.At}).Error; err != nil {
			return err
		}
		applied = true
		if then != nil {
			return then(tx)
		}
		return nil
	})
	return applied, err
}

// OrderTiming is what the transparency report counts of one order.
type OrderTiming struct {
	Kind               models.OrderKind
	ContentType        string
	MemberState        string
	ReceivedAt         time.Time
	ReceiptConfirmedAt *time.Time
	EffectGivenAt      *time.Time
}

// OrderTimings are the orders received in [from, to).
func OrderTimings(ctx context.Context, db *gorm.DB, from, to time.Time) ([]OrderTiming, error) {
	var out []OrderTiming
	err := db.WithContext(ctx).Model(&models.Order{}).
		Select("kind", "content_type", "member_state", "received_at", "receipt_confirmed_at", "effect_given_at").
		Where("received_at >= ? AND received_at < ?", from.UTC(), to.UTC()).Order("received_at").Scan(&out).Error
	return out, err
}

// OrdersAwaitingStart lists orders stored before createdBefore whose
// workflow has not yet confirmed their receipt (status received), oldest
// first: their workflow may never have started (docs/DESIGN.md step 11,
// the order reconciler).
func OrdersAwaitingStart(ctx context.Context, db *gorm.DB, createdBefore time.Time, limit int) ([]models.Order, error) {
	var os []models.Order
	err := db.WithContext(ctx).Where("status = ? AND created_at < ?", models.OrderReceived, createdBefore).
		Order("created_at, id").Limit(limit).Find(&os).Error
	return os, err
}
