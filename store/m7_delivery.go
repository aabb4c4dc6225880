package store

import (
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// migrateDelivery creates the tables of notice delivery states and bounces
// (issue 20): one row per notice that bounced or was redirected, and the
// case flags an analyst must see (needs attention, reporter unreachable).
func migrateDelivery(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&models.NoticeDelivery{}, &models.CaseFlag{})
}
