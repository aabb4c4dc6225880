package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestConsoleSessions: a session is found by its secret until it expires
// or is revoked (alone, or with every session of its key); the table holds
// only the secret's hash.
func TestConsoleSessions(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		a, err := store.CreateSession(db, "hash-a", "alice", now, time.Hour)
		require.NoError(t, err)
		a2, err := store.CreateSession(db, "hash-a", "alice", now, time.Hour)
		require.NoError(t, err)
		b, err := store.CreateSession(db, "hash-b", "bob", now, time.Hour)
		require.NoError(t, err)
		require.Len(t, a, 43)
		require.NotEqual(t, a, a2)

		s, ok, err := store.FindSession(db, a, now.Add(time.Minute))
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "hash-a", s.KeyHash)
		require.NotContains(t, s.ID, a, "only the secret's hash is stored")
		var n int64
		require.NoError(t, db.Model(&models.ConsoleSession{}).Where("id = ?", a).Count(&n).Error)
		require.Zero(t, n)

		_, ok, err = store.FindSession(db, a, now.Add(time.Hour))
		require.NoError(t, err)
		require.False(t, ok, "expired")
		for _, bad := range []string{"", "x", a[:42] + "!", a + "A"} {
			_, ok, err = store.FindSession(db, bad, now)
			require.NoError(t, err)
			require.False(t, ok, bad)
		}

		require.NoError(t, store.RevokeSession(db, a, now))
		_, ok, _ = store.FindSession(db, a, now)
		require.False(t, ok, "signed out")
		_, ok, _ = store.FindSession(db, a2, now)
		require.True(t, ok, "another session of the key is kept")

		got, err := store.RevokeKeySessions(db, []string{"hash-a"}, now)
		require.NoError(t, err)
		require.EqualValues(t, 1, got, "the one live session of the key")
		_, ok, _ = store.FindSession(db, a2, now)
		require.False(t, ok)
		_, ok, _ = store.FindSession(db, b, now)
		require.True(t, ok, "another key's session is kept")

		// A sign-in a day after they expired purges the old rows.
		_, err = store.CreateSession(db, "hash-c", "carol", now.Add(26*time.Hour), time.Hour)
		require.NoError(t, err)
		require.NoError(t, db.Model(&models.ConsoleSession{}).Count(&n).Error)
		require.EqualValues(t, 1, n)
	})
}
