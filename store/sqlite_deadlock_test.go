package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/store"
)

// On SQLite every goroutine shares one connection. A statement run outside
// a transaction while a transaction holds the connection must simply wait
// for it, and the transaction must be able to run that same statement
// meanwhile. (gorm's PrepareStmt made the transaction wait for the other
// goroutine's preparation, which waited for the connection: both stalled
// until a context deadline, and under a burst every local activity hit its
// timeout.)
func TestSQLiteStatementsNeverWaitOnTheirOwnConnection(t *testing.T) {
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "t.db"), "")
	require.NoError(t, err)
	require.NoError(t, store.Migrate(db))
	const q = "SELECT count(*) FROM cases WHERE category = ? AND id <> 'never-used-before'"

	outside := make(chan error, 1)
	done := make(chan error, 1)
	go func() {
		done <- db.Transaction(func(tx *gorm.DB) error {
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				var n int64
				outside <- db.WithContext(ctx).Raw(q, "phishing").Scan(&n).Error
			}()
			time.Sleep(200 * time.Millisecond) // the other statement now waits for the connection
			var n int64
			return tx.Raw(q, "malware").Scan(&n).Error
		})
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the transaction waited on a statement that waits for the transaction's connection")
	}
	require.NoError(t, <-outside)
}
