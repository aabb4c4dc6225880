package store

import (
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// migrateLimits creates the tables of per-recipient mail limits (issue 13,
// hole 8): the decisions to send or suppress a mail to a reporter address
// and one lock row per address. The intake rate limits are kept in each
// server process's memory and need no table.
func migrateLimits(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&models.MailAdmission{}, &models.MailRecipient{})
}
