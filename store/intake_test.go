package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// SubmissionOrLegacy answers in one read what SubmissionOf and the count
// of cases stored with the key before submission rows were kept answer.
func TestSubmissionOrLegacy(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		sub, legacy, err := store.SubmissionOrLegacy(ctx, db, "h-new", "scope:new")
		require.NoError(t, err)
		require.Equal(t, store.Submission{}, sub)
		require.Zero(t, legacy)

		old := "scope:old"
		require.NoError(t, db.Create(&models.Case{ID: "legacy", Category: models.CategoryPhishing, Status: models.StatusReceived,
			Service: models.ServiceNone, IdempotencyKey: &old}).Error)
		sub, legacy, err = store.SubmissionOrLegacy(ctx, db, "h-old", old)
		require.NoError(t, err)
		require.Empty(t, sub.CaseID)
		require.EqualValues(t, 1, legacy)

		at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		require.NoError(t, db.Create(&store.Submission{KeyHash: "h-kept", CaseID: "c1", Digest: "d1", CreatedAt: at}).Error)
		sub, legacy, err = store.SubmissionOrLegacy(ctx, db, "h-kept", "scope:kept")
		require.NoError(t, err)
		require.Zero(t, legacy)
		require.Equal(t, "c1", sub.CaseID)
		require.Equal(t, "d1", sub.Digest)
		require.True(t, at.Equal(sub.CreatedAt), "created at %s", sub.CreatedAt)
		want, err := store.SubmissionOf(ctx, db, "h-kept")
		require.NoError(t, err)
		require.Equal(t, want.KeyHash, sub.KeyHash)
	})
}
