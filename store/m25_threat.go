package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/models"
)

// Queue ranks (models.Case.Priority): the open queue sorts by rank first,
// then by the next deadline (OpenQueueOrder).
const (
	PriorityCSAM      = 0
	PriorityEmergency = 1
	PriorityNCSEI     = 2
	PriorityOther     = 5
)

// migrateThreat adds the emergency flag of cases and the referrals to
// authorities (DSA Art. 18), and renumbers the queue ranks: the others
// move from 1 to 5, ncsei cases (the TAKE IT DOWN Act's 48 hours) to 2,
// so that emergency cases (1) sort right after CSAM (0). A database made
// after the field was added to models.Case has the column from version 1.
func migrateThreat(tx *gorm.DB) error {
	m := tx.Migrator()
	if !m.HasColumn(&models.Case{}, "Emergency") {
		if err := m.AddColumn(&models.Case{}, "Emergency"); err != nil {
			return err
		}
	}
	if err := tx.Exec("UPDATE cases SET emergency = ? WHERE emergency IS NULL", false).Error; err != nil {
		return err
	}
	if err := tx.Exec("UPDATE cases SET priority = ? WHERE priority = 1", PriorityOther).Error; err != nil {
		return err
	}
	if err := tx.Exec("UPDATE cases SET priority = ? WHERE category = ? AND priority <> ?",
		PriorityNCSEI, models.CategoryNCSEI, PriorityCSAM).Error; err != nil {
		return err
	}
	return tx.AutoMigrate(&models.Referral{})
}

// RecordReferral stores a referral once per case and member state and runs
// then (the audit entry) in the same transaction when it is new; it
// answers the row as stored (the first one when it existed).
func RecordReferral(ctx context.Context, db *gorm.DB, r models.Referral, then func(tx *gorm.DB) error) (models.Referral, error) {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 || then == nil {
			return nil
		}
		return then(tx)
	})
	if err != nil {
		return models.Referral{}, err
	}
	return Referral(ctx, db, r.CaseID, r.MemberState)
}

// Referral reads a case's referral to a member state
// (gorm.ErrRecordNotFound when there is none).
func Referral(ctx context.Context, db *gorm.DB, caseID, memberState string) (models.Referral, error) {
	var r models.Referral
	err := db.WithContext(ctx).Where("case_id = ? AND member_state = ?", caseID, memberState).Take(&r).Error
	return r, err
}

// MarkReferralSent records the notice and the time a referral was sent
// (the first time only) and runs then in the same transaction when it
// marked it; it answers the time recorded.
func MarkReferralSent(ctx context.Context, db *gorm.DB, caseID, memberState, noticeID string, at time.Time, then func(tx *gorm.DB) error) (time.Time, error) {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.Referral{}).Where("case_id = ? AND member_state = ? AND sent_at IS NULL", caseID, memberState).
			Updates(map[string]any{"sent_at": at, "notice_id": noticeID})
		if res.Error != nil || res.RowsAffected == 0 || then == nil {
			return res.Error
		}
		return then(tx)
	})
	if err != nil {
		return time.Time{}, err
	}
	r, err := Referral(ctx, db, caseID, memberState)
	if err != nil {
		return time.Time{}, err
	}
	if r.SentAt == nil {
		return time.Time{}, errors.New("referral not marked sent: " + caseID + " " + memberState)
	}
	return r.SentAt.UTC(), nil
}

// CaseReferrals are a case's referrals, oldest first.
func CaseReferrals(ctx context.Context, db *gorm.DB, caseID string) ([]models.Referral, error) {
	var out []models.Referral
	err := db.WithContext(ctx).Where("case_id = ?", caseID).Order("requested_at, id").Find(&out).Error
	return out, err
}

// EvidenceDigest describes one piece of a case's evidence without its
// content: what a referral tells the authority is kept.
type EvidenceDigest struct {
	ID        uint
	Source    string
	Format    string
	Size      int64
	SHA256    string
	CreatedAt time.Time
}

// EvidenceDigests lists a case's evidence (the raw reports kept by the
// intake) by hash, oldest first, at most limit.
func EvidenceDigests(ctx context.Context, db *gorm.DB, caseID string, limit int) ([]EvidenceDigest, error) {
	var out []EvidenceDigest
	err := db.WithContext(ctx).Table("evidence").Select("id", "source", "format", "size", "sha256", "created_at").
		Where("case_id = ?", caseID).Order("id").Limit(limit).Scan(&out).Error
	return out, err
}
