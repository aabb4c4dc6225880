package store

import (
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/audit"
)

// migrateAudit creates the audit log's tables and its head row
// (audit.Migrate, idempotent: before version 11 it ran at every start).
func migrateAudit(tx *gorm.DB) error {
	return audit.Migrate(tx)
}
