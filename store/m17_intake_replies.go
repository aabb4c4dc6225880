package store

import "gorm.io/gorm"

// migrateIntakeReplies creates the outbox of the email intake's replies
// (issue 14, "No silence"; see intake_replies.go).
func migrateIntakeReplies(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&IntakeReply{})
}
