package store

import (
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// migrateMailReplies creates the tables of replies to notices received by mail (issue 20).
func migrateMailReplies(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&models.MailReply{})
}
