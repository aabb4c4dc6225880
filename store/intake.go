package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// The intake's writes and reads (package intake): a new case with its URLs
// and the submission rows that recognise it when it arrives again.

// CreateCase stores a new case, its URLs and its submission rows in one
// transaction.
func CreateCase(ctx context.Context, db *gorm.DB, c *models.Case, urls []models.CaseURL, subs []Submission) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			return err
		}
		if err := tx.CreateInBatches(urls, 500).Error; err != nil {
			return err
		}
		if len(subs) == 0 {
			return nil
		}
		return tx.Create(&subs).Error
	})
}

// MarkStarted records that a case's workflow runs.
func MarkStarted(ctx context.Context, db *gorm.DB, caseID string) error {
	return db.WithContext(ctx).Model(&models.Case{}).Where("id = ?", caseID).Update("workflow_started", true).Error
}

// UnstartedCases lists up to limit cases stored before before whose
// workflow was never marked started.
func UnstartedCases(ctx context.Context, db *gorm.DB, before time.Time, limit int) ([]models.Case, error) {
	var cs []models.Case
	err := db.WithContext(ctx).Where("workflow_started = ? AND created_at < ?", false, before).Limit(limit).Find(&cs).Error
	return cs, err
}

// SubmissionOf reads the submission row of a key hash; a zero Submission
// (CaseID "") when there is none.
func SubmissionOf(ctx context.Context, db *gorm.DB, keyHash string) (Submission, error) {
	var sub Submission
	err := db.WithContext(ctx).Where("key_hash = ?", keyHash).Limit(1).Find(&sub).Error
	return sub, err
}

// CasesWithIdempotencyKey counts the cases stored with a (scoped, hashed)
// Idempotency-Key before submission rows were kept.
func CasesWithIdempotencyKey(ctx context.Context, db *gorm.DB, scoped string) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&models.Case{}).Where("idempotency_key = ?", scoped).Count(&n).Error
	return n, err
}
