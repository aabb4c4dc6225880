package store

import (
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// migrateSessions creates the table of console sessions (issue 13, hole 7):
// a sign-out or an admin's revocation is a row update every server process
// reads, so it survives restarts and holds in a split deployment.
func migrateSessions(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&models.ConsoleSession{})
}
