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

// TestCompleteCopyrightOnce: the completion changes an incomplete case
// once; a second completion (another request won) changes nothing and
// says so.
func TestCompleteCopyrightOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		now := time.Now().UTC().Truncate(time.Second)
		require.NoError(t, db.Create(&models.Case{ID: "cc1", Category: models.CategoryCopyright, Status: models.StatusClosed,
			CopyrightIncomplete: true, CopyrightMissing: "signature", CreatedAt: now}).Error)
		done, err := store.CompleteCopyright(db, "cc1", "/J D/", now)
		require.NoError(t, err)
		require.True(t, done)
		cs, err := store.Case(context.Background(), db, "cc1")
		require.NoError(t, err)
		require.False(t, cs.CopyrightIncomplete)
		require.Empty(t, cs.CopyrightMissing)
		require.Equal(t, "/J D/", cs.CopyrightSig)
		require.NotNil(t, cs.CopyrightCompletedAt)

		done, err = store.CompleteCopyright(db, "cc1", "other", now)
		require.NoError(t, err)
		require.False(t, done)
		cs, err = store.Case(context.Background(), db, "cc1")
		require.NoError(t, err)
		require.Equal(t, "/J D/", cs.CopyrightSig, "a completed case is not changed again")
	})
}
