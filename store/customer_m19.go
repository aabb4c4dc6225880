package store

import (
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// migrateCustomerAccounts creates the accounts' abuse contacts and the
// issued API keys, and indexes notices by domain for the customer's list
// of reports (docs/DESIGN.md "Customer accounts").
func migrateCustomerAccounts(tx *gorm.DB) error {
	if err := tx.Migrator().CreateTable(&models.AbuseContact{}, &models.IssuedKey{}); err != nil {
		return err
	}
	return tx.Exec("CREATE INDEX IF NOT EXISTS idx_notices_domain ON notices (domain)").Error
}
