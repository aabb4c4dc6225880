package store

import (
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// migrateCopyrightIncomplete adds to cases the marks of a copyright
// complaint that lacks some 17 U.S.C. 512(c)(3) elements, and when its
// complainant completed it (issue 14). A database made after the fields
// were added to models.Case has them from version 1, so each column is
// added only when missing.
func migrateCopyrightIncomplete(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, field := range []string{"CopyrightIncomplete", "CopyrightMissing", "CopyrightCompletedAt"} {
		if m.HasColumn(&models.Case{}, field) {
			continue
		}
		if err := m.AddColumn(&models.Case{}, field); err != nil {
			return err
		}
	}
	return nil
}
