package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// TestIsUniqueViolation: a second row with a taken primary key or unique
// index is recognised by the driver's error code, on SQLite and
// PostgreSQL; other errors are not.
func TestIsUniqueViolation(t *testing.T) {
	queueDBs(t, func(t *testing.T, db *gorm.DB) {
		now := time.Now().UTC()
		c := models.Case{ID: "C1", Category: "phishing", Status: models.StatusAwaitingAnalyst, CreatedAt: now}
		require.NoError(t, db.Create(&c).Error)
		err := db.Create(&models.Case{ID: "C1", Category: "phishing", CreatedAt: now}).Error
		require.Error(t, err)
		require.True(t, IsUniqueViolation(err), "primary key: %v", err)

		d := models.AnswerDelivery{AnswerKey: "operator:N1", Kind: models.AnswerOperator, CaseID: "C1", CreatedAt: now}
		require.NoError(t, RecordAnswer(context.Background(), db, &d, func(*gorm.DB) (uint, error) { return 1, nil }))
		again := models.AnswerDelivery{AnswerKey: "operator:N1", Kind: models.AnswerOperator, CaseID: "C1", CreatedAt: now}
		err = RecordAnswer(context.Background(), db, &again, func(*gorm.DB) (uint, error) { return 2, nil })
		require.True(t, IsUniqueViolation(err), "unique index: %v", err)

		require.False(t, IsUniqueViolation(errors.New("UNIQUE constraint failed: said by a stranger")))
		require.False(t, IsUniqueViolation(db.Exec("SELECT * FROM no_such_table").Error))
	})
}
