package store

import (
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// migrateAnswers creates the outbox of answers with their delivery state
// (issue 13, answers that can be lost). Replies stored before it have no
// row: they count as delivered, as they were signalled (or refused) then.
func migrateAnswers(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&models.AnswerDelivery{})
}
