package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// The answers' outbox (models.AnswerDelivery): an operator's or reporter's
// answer is written with its delivery row in one transaction; desk signals
// the case and records the outcome here.

// IsUniqueViolation reports whether err is a unique-key violation, by the
// driver's error code: PostgreSQL's 23505 (unique_violation), SQLite's
// extended codes for a UNIQUE or PRIMARY KEY constraint.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	var lite sqlite3.Error
	switch {
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return true
	case errors.As(err, &pg):
		return pg.Code == "23505"
	case errors.As(err, &lite):
		return lite.ExtendedCode == sqlite3.ErrConstraintUnique || lite.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	return false
}

// RecordAnswer writes a reply (create stores it in tx and returns its id)
// and d, its pending delivery row, in one transaction.
func RecordAnswer(ctx context.Context, db *gorm.DB, d *models.AnswerDelivery, create func(tx *gorm.DB) (uint, error)) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		id, err := create(tx)
		if err != nil {
			return err
		}
		d.ReplyID, d.State = id, models.DeliveryPending
		return tx.Create(d).Error
	})
}

// RecordReporterAnswer stores a reporter's reply and d, its pending
// delivery row, in one transaction.
func RecordReporterAnswer(ctx context.Context, db *gorm.DB, r *models.ReporterReply, d *models.AnswerDelivery) error {
	return RecordAnswer(ctx, db, d, func(tx *gorm.DB) (uint, error) {
		err := tx.Create(r).Error
		return r.ID, err
	})
}

// RecordOperatorAnswer stores an operator's reply and d, its pending
// delivery row, in one transaction; also, when set, runs in it too.
func RecordOperatorAnswer(ctx context.Context, db *gorm.DB, r *models.OperatorReply, d *models.AnswerDelivery, also func(tx *gorm.DB) error) error {
	return RecordAnswer(ctx, db, d, func(tx *gorm.DB) (uint, error) {
		err := tx.Create(r).Error
		if err == nil && also != nil {
			err = also(tx)
		}
		return r.ID, err
	})
}

// AnswerDelivery loads the delivery row of key; ok is false when there is
// none.
func AnswerDelivery(ctx context.Context, db *gorm.DB, key string) (models.AnswerDelivery, bool, error) {
	var d models.AnswerDelivery
	err := db.WithContext(ctx).Where("answer_key = ?", key).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return d, false, nil
	}
	return d, err == nil, err
}

// PendingAnswers lists up to limit deliveries still pending that were
// recorded at or before before, oldest first.
func PendingAnswers(ctx context.Context, db *gorm.DB, before time.Time, limit int) ([]models.AnswerDelivery, error) {
	var ds []models.AnswerDelivery
	err := db.WithContext(ctx).Where("state = ? AND created_at <= ?", models.DeliveryPending, before).
		Order("created_at, id").Limit(limit).Find(&ds).Error
	return ds, err
}

// AnswerOutcome is what became of one attempt to deliver an answer.
type AnswerOutcome int

// Outcomes of a delivery attempt.
const (
	AnswerDelivered AnswerOutcome = iota // the workflow has it
	AnswerStale                          // the case moved on without it
	AnswerFailed                         // the signal failed; retried later
)

// MarkAnswer records an attempt's outcome on a delivery still pending;
// lastError is the failure of AnswerFailed.
func MarkAnswer(ctx context.Context, db *gorm.DB, id uint, o AnswerOutcome, lastError string, now time.Time) error {
	q := db.WithContext(ctx).Model(&models.AnswerDelivery{}).Where("id = ? AND state = ?", id, models.DeliveryPending)
	switch o {
	case AnswerStale:
		return q.Updates(map[string]any{"state": models.DeliveryStale, "attempts": gorm.Expr("attempts + 1")}).Error
	case AnswerFailed:
		return q.Updates(map[string]any{"attempts": gorm.Expr("attempts + 1"), "last_error": lastError}).Error
	}
	return q.Updates(map[string]any{"state": models.DeliveryDelivered, "delivered_at": now,
		"attempts": gorm.Expr("attempts + 1"), "last_error": ""}).Error
}

// OperatorReply reads an operator's reply by id.
func OperatorReply(ctx context.Context, db *gorm.DB, id uint) (models.OperatorReply, error) {
	var r models.OperatorReply
	err := db.WithContext(ctx).Take(&r, "id = ?", id).Error
	return r, err
}

// OperatorReplyOf reads the reply to a notice; ok is false when there is
// none.
func OperatorReplyOf(ctx context.Context, db *gorm.DB, noticeID string) (models.OperatorReply, bool, error) {
	var r models.OperatorReply
	err := db.WithContext(ctx).Where("notice_id = ?", noticeID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, false, nil
	}
	return r, err == nil, err
}

// ReporterReply reads a reporter's reply by id.
func ReporterReply(ctx context.Context, db *gorm.DB, id uint) (models.ReporterReply, error) {
	var r models.ReporterReply
	err := db.WithContext(ctx).Take(&r, "id = ?", id).Error
	return r, err
}
