package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// Mitigations (docs/DESIGN.md "Mitigations"): every restriction the desk
// applies, with its lifecycle; each status change is a MitigationEvent
// written in the same transaction as the change.

// ErrMitigationEnded is returned for a change asked of a mitigation that
// already ended (cancelled or removed).
var ErrMitigationEnded = errors.New("the mitigation has ended")

// CreateMitigation stores m once per (case, step): a second call with the
// same case and step answers the stored mitigation and created false. The
// first call also writes its first event (from "" to m.Status) and runs
// then, when set, in the same transaction (the audit entry).
func CreateMitigation(ctx context.Context, db *gorm.DB, m models.Mitigation,
	then func(tx *gorm.DB, m models.Mitigation) error) (models.Mitigation, bool, error) {
	created := false
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var have []models.Mitigation
		if err := tx.Where("case_id = ? AND step = ?", m.CaseID, m.Step).Limit(1).Find(&have).Error; err != nil {
			return err
		}
		if len(have) > 0 {
			m = have[0]
			return nil
		}
		if m.UpdatedAt.IsZero() {
			m.UpdatedAt = time.Now().UTC()
		}
		m.CreatedAt = m.UpdatedAt
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		ev := models.MitigationEvent{MitigationID: m.ID, Kind: models.MitigationEventStatus, To: m.Status,
			Actor: m.UpdatedBy, Reason: m.Reason, At: m.UpdatedAt}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		created = true
		if then != nil {
			return then(tx, m)
		}
		return nil
	})
	return m, created, err
}

// MitigationChange is one change of a mitigation: a new status, an appeal,
// or the review deadline passing (Kind, models.MitigationEvent*).
type MitigationChange struct {
	ID     string
	Kind   string
	To     models.MitigationStatus
	Actor  string
	Reason string
	At     time.Time
	// Appeal (Kind appeal).
	AppealReason    string
	AppealStatement string
	ReviewDeadline  *time.Time
	// ReviewDecision is an analyst's answer to the appeal (uphold | lift).
	ReviewDecision string
}

// ChangeMitigation applies ch and writes its event in one transaction,
// then runs then (the audit entry) in it. A change already made (the same
// status, an appeal already recorded, an overdue already marked) changes
// nothing: changed is false and then does not run, so a retried activity
// journals once. A mitigation that ended takes no change
// (ErrMitigationEnded); none at all is gorm.ErrRecordNotFound.
func ChangeMitigation(ctx context.Context, db *gorm.DB, ch MitigationChange,
	then func(tx *gorm.DB, before, after models.Mitigation) error) (models.Mitigation, bool, error) {
	var after models.Mitigation
	changed := false
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var m models.Mitigation
		if err := tx.First(&m, "id = ?", ch.ID).Error; err != nil {
			return err
		}
		after = m
		if m.Status.Ended() {
			if ch.Kind == models.MitigationEventStatus && ch.To == m.Status {
				return nil // a retry of the change that ended it
			}
			return ErrMitigationEnded
		}
		upd, ok := applyChange(&after, ch)
		if !ok {
			return nil
		}
		if err := tx.Model(&models.Mitigation{}).Where("id = ?", m.ID).Updates(upd).Error; err != nil {
			return err
		}
		ev := models.MitigationEvent{MitigationID: m.ID, Kind: ch.Kind, From: m.Status, To: after.Status,
			Actor: ch.Actor, Reason: ch.Reason, At: ch.At}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		changed = true
		if then != nil {
			return then(tx, m, after)
		}
		return nil
	})
	return after, changed, err
}

// applyChange applies ch to m and answers the columns to write; false when
// ch is already in m.
func applyChange(m *models.Mitigation, ch MitigationChange) (map[string]any, bool) {
	at := ch.At.UTC()
	upd := map[string]any{"updated_by": ch.Actor, "updated_at": at}
	m.UpdatedBy, m.UpdatedAt = ch.Actor, at
	switch ch.Kind {
	case models.MitigationEventOverdue:
		if m.ReviewOverdue || m.Status != models.MitigationInReview {
			return nil, false
		}
		m.ReviewOverdue = true
		upd["review_overdue"] = true
	case models.MitigationEventAppeal:
		if m.AppealedAt != nil {
			return nil, false
		}
		m.Status, m.AppealReason, m.AppealStatement = models.MitigationInReview, ch.AppealReason, ch.AppealStatement
		m.AppealedAt, m.ReviewDeadline, m.ReviewOverdue = &at, ch.ReviewDeadline, false
		upd["status"], upd["appeal_reason"], upd["appeal_statement"] = m.Status, m.AppealReason, m.AppealStatement
		upd["appealed_at"], upd["review_deadline"], upd["review_overdue"] = at, ch.ReviewDeadline, false
	default:
		if m.Status == ch.To {
			return nil, false
		}
		m.Status = ch.To
		upd["status"] = ch.To
		if ch.ReviewDecision != "" {
			m.ReviewDecision = ch.ReviewDecision
			upd["review_decision"] = ch.ReviewDecision
		}
		if ch.To.Ended() {
			m.EndedAt = &at
			upd["ended_at"] = at
		}
	}
	return upd, true
}

// Mitigation reads one mitigation; gorm.ErrRecordNotFound when there is none.
func Mitigation(ctx context.Context, db *gorm.DB, id string) (models.Mitigation, error) {
	var m models.Mitigation
	err := db.WithContext(ctx).First(&m, "id = ?", id).Error
	return m, err
}

// CaseMitigations lists a case's mitigations, oldest first.
func CaseMitigations(ctx context.Context, db *gorm.DB, caseID string) ([]models.Mitigation, error) {
	var ms []models.Mitigation
	err := db.WithContext(ctx).Where("case_id = ?", caseID).Order("created_at, id").Find(&ms).Error
	return ms, err
}

// MitigationEvents lists the events of the given mitigations, by
// mitigation, each in the order they happened.
func MitigationEvents(ctx context.Context, db *gorm.DB, ids []string) (map[string][]models.MitigationEvent, error) {
	out := map[string][]models.MitigationEvent{}
	if len(ids) == 0 {
		return out, nil
	}
	var evs []models.MitigationEvent
	if err := db.WithContext(ctx).Where("mitigation_id IN ?", ids).Order("id").Find(&evs).Error; err != nil {
		return nil, err
	}
	for _, e := range evs {
		out[e.MitigationID] = append(out[e.MitigationID], e)
	}
	return out, nil
}

// MitigationsInReview lists the mitigations awaiting an analyst's answer to
// an appeal: overdue ones first, then by review deadline; at most limit.
func MitigationsInReview(ctx context.Context, db *gorm.DB, limit int) ([]models.Mitigation, error) {
	var ms []models.Mitigation
	err := db.WithContext(ctx).Where("status = ?", models.MitigationInReview).
		Order("review_overdue DESC, review_deadline, id").Limit(limit).Find(&ms).Error
	return ms, err
}

// ServingMitigations lists the mitigations that restrict now (active and
// in review: an appeal keeps the restriction until it is lifted), of a
// domain when domain is set.
func ServingMitigations(ctx context.Context, db *gorm.DB, domain string) ([]models.Mitigation, error) {
	q := db.WithContext(ctx).Where("status IN ?", []models.MitigationStatus{models.MitigationActive, models.MitigationInReview})
	if domain != "" {
		q = q.Where("domain = ?", domain)
	}
	var ms []models.Mitigation
	err := q.Order("domain, entity_id, id").Find(&ms).Error
	return ms, err
}
