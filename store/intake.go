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

// SubmissionOrLegacy reads the submission row of a key hash as SubmissionOf
// does and, in the same statement, counts the cases stored with the scoped
// key before submission rows were kept (CasesWithIdempotencyKey): the
// intake's one read for a new Idempotency-Key.
func SubmissionOrLegacy(ctx context.Context, db *gorm.DB, keyHash, scoped string) (Submission, int64, error) {
	var row struct {
		KeyHash, CaseID, Digest string
		CreatedAt               *time.Time
		Legacy                  int64
	}
	err := db.WithContext(ctx).Raw(`SELECT s.key_hash, s.case_id, s.digest, s.created_at,
		(SELECT count(*) FROM cases WHERE idempotency_key = ?) AS legacy
		FROM (SELECT 1 AS one) AS one LEFT JOIN submissions s ON s.key_hash = ?`, scoped, keyHash).Scan(&row).Error
	if err != nil {
		return Submission{}, 0, err
	}
	sub := Submission{KeyHash: row.KeyHash, CaseID: row.CaseID, Digest: row.Digest}
	if row.CreatedAt != nil {
		sub.CreatedAt = *row.CreatedAt
	}
	return sub, row.Legacy, nil
}
