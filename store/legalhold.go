package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// SetLegalHold sets or lifts a case's legal hold in one transaction and
// returns when the case's personal data was erased (nil: not erased).
// changed runs in the transaction when the hold changed (the audit entry).
func SetLegalHold(ctx context.Context, db *gorm.DB, caseID string, hold bool, changed func(tx *gorm.DB) error) (*time.Time, error) {
	var erasedAt *time.Time
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cs models.Case
		if err := tx.Select("id", "legal_hold").First(&cs, "id = ?", caseID).Error; err != nil {
			return err
		}
		// The purge's table (activities.PersonalDataErasure), read by name
		// so that store does not depend on the activities.
		var er struct{ ErasedAt time.Time }
		res := tx.Table("personal_data_erasures").Select("erased_at").Where("case_id = ?", caseID).Limit(1).Find(&er)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 {
			erasedAt = &er.ErasedAt
		}
		if cs.LegalHold == hold {
			return nil
		}
		if err := tx.Model(&models.Case{}).Where("id = ?", caseID).Update("legal_hold", hold).Error; err != nil {
			return err
		}
		return changed(tx)
	})
	return erasedAt, err
}
