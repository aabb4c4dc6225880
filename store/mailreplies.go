package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/models"
)

// MailReplies lists up to limit replies by mail of a case, oldest first.
func MailReplies(ctx context.Context, db *gorm.DB, caseID string, limit int) ([]models.MailReply, error) {
	var rows []models.MailReply
	err := db.WithContext(ctx).Where("case_id = ?", caseID).Order("id").Limit(limit).Find(&rows).Error
	return rows, err
}

// MailReply reads one reply by mail of a case.
func MailReply(ctx context.Context, db *gorm.DB, caseID string, id uint64) (models.MailReply, error) {
	var r models.MailReply
	err := db.WithContext(ctx).Take(&r, "id = ? AND case_id = ?", id, caseID).Error
	return r, err
}

// AddMailReply stores row unless a reply with its dedup key is stored
// already (added false); then, in the same transaction, also runs.
func AddMailReply(ctx context.Context, db *gorm.DB, row *models.MailReply, also func(tx *gorm.DB) error) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(row)
		if res.Error != nil || res.RowsAffected == 0 || also == nil {
			return res.Error
		}
		return also(tx)
	})
}

// AcceptMailReply marks a reply by mail accepted by analyst, in tx.
func AcceptMailReply(tx *gorm.DB, id uint, analyst string, at time.Time) error {
	return tx.Model(&models.MailReply{}).Where("id = ?", id).
		Updates(map[string]any{"accepted_by": analyst, "accepted_at": at}).Error
}

// ExportedHistory returns the exported history of a workflow's latest
// exported run; gorm.ErrRecordNotFound when there is none, or when the run
// was gone from Temporal before it was exported (wrapped, with the reason).
func ExportedHistory(ctx context.Context, db *gorm.DB, workflowID string) ([]byte, error) {
	var e HistoryExport
	if err := db.WithContext(ctx).Where("workflow_id = ?", workflowID).Order("exported_at DESC").Take(&e).Error; err != nil {
		return nil, err
	}
	if len(e.History) == 0 {
		return nil, &historyGone{workflowID}
	}
	return e.History, nil
}

// historyGone: the run was gone from Temporal before it was exported.
type historyGone struct{ workflowID string }

func (e *historyGone) Error() string {
	return "history of " + e.workflowID + " was gone from Temporal before it was exported: " + gorm.ErrRecordNotFound.Error()
}

func (e *historyGone) Unwrap() error { return gorm.ErrRecordNotFound }
