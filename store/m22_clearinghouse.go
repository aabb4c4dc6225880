package store

import (
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// migrateClearinghouse adds to clearinghouse reports their state, the
// clearinghouse's report id, when and by whom the report was filed, the
// last failure and the end of the preservation (docs/DESIGN.md step 7). A
// database made after the fields were added has them from version 1, so
// each column is added only when missing. Reports recorded before were
// never sent anywhere (the built-in stub only wrote a row marked filed):
// they become prepared, for an analyst to file by hand (ByHand).
func migrateClearinghouse(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, field := range []string{"ReportID", "State", "FiledAt", "FiledBy", "ByHand", "FilesUploaded", "Error", "PreserveUntil", "UpdatedAt"} {
		if m.HasColumn(&models.ClearinghouseReport{}, field) {
			continue
		}
		if err := m.AddColumn(&models.ClearinghouseReport{}, field); err != nil {
			return err
		}
	}
	for _, idx := range []string{"State", "PreserveUntil"} {
		if m.HasIndex(&models.ClearinghouseReport{}, idx) {
			continue
		}
		if err := m.CreateIndex(&models.ClearinghouseReport{}, idx); err != nil {
			return err
		}
	}
	return tx.Model(&models.ClearinghouseReport{}).Where("state IS NULL OR state = ''").
		Updates(map[string]any{"state": models.ClearinghousePrepared, "filed": false, "reference": "", "by_hand": true}).Error
}
