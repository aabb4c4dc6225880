package store

import "gorm.io/gorm"

// migrateIntakeSenders creates the per-sender record of email intake
// outcomes (issue 14, format drift; see drift.go).
func migrateIntakeSenders(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&IntakeSender{})
}
