package audit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/abusedesk/abusedesk/audit"
)

// testOrigin names the test log and its key.
const testOrigin = "test.abusedesk/audit"

// pgTestDB is the database the PostgreSQL tests recreate.
const pgTestDB = "abusedesk_audit_test"

// pgDSN is the DSN of a database on the local PostgreSQL (trust auth).
func pgDSN(name string) string {
	return fmt.Sprintf("host=127.0.0.1 port=5432 user=postgres dbname=%s sslmode=disable", name)
}

// gormConfig keeps test output quiet. Every Open needs its own Config:
// gorm.Open stores the driver's clause builders in it.
func gormConfig() *gorm.Config {
	return &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)}
}

// openSQLite opens a fresh, migrated SQLite file the way the embedded
// default does.
func openSQLite(t *testing.T) *gorm.DB {
	t.Helper()
	db := openSQLiteFile(t, filepath.Join(t.TempDir(), "abusedesk.db"))
	require.NoError(t, audit.Migrate(db))
	return db
}

// openSQLiteFile opens a connection pool on the SQLite file at path, with
// WAL, a busy timeout and default (deferred) transactions.
func openSQLiteFile(t *testing.T, path string) *gorm.DB {
	t.Helper()
	dsn := path + "?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=10000"
	db, err := gorm.Open(sqlite.Open(dsn), gormConfig())
	require.NoError(t, err)
	closeOnCleanup(t, db)
	return db
}

// freshPostgres recreates pgTestDB and returns its DSN. Without a reachable
// server the test is skipped, except in CI, where it fails.
func freshPostgres(t *testing.T) string {
	t.Helper()
	admin, err := gorm.Open(postgres.Open(pgDSN("postgres")), gormConfig())
	if err == nil {
		err = admin.Exec("SELECT 1").Error
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at 127.0.0.1:5432 unreachable: %v", err)
		}
		t.Skipf("PostgreSQL at 127.0.0.1:5432 unreachable: %v", err)
	}
	defer closeDB(admin)
	require.NoError(t, admin.Exec("DROP DATABASE IF EXISTS "+pgTestDB+" WITH (FORCE)").Error)
	require.NoError(t, admin.Exec("CREATE DATABASE "+pgTestDB).Error)
	return pgDSN(pgTestDB)
}

// openPostgres opens a connection pool on dsn.
func openPostgres(t *testing.T, dsn string) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(postgres.Open(dsn), gormConfig())
	require.NoError(t, err)
	closeOnCleanup(t, db)
	return db
}

// closeOnCleanup closes db's pool when the test ends.
func closeOnCleanup(t *testing.T, db *gorm.DB) {
	t.Cleanup(func() { closeDB(db) })
}

// closeDB closes db's pool.
func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
}

// newLog returns a signing log on db with a key made in a temp data dir,
// and the public key.
func newLog(t *testing.T, db *gorm.DB) (*audit.Log, string) {
	t.Helper()
	skey, vkey, err := audit.LoadOrCreateKey(t.TempDir(), testOrigin)
	require.NoError(t, err)
	l, err := audit.NewLog(db, skey)
	require.NoError(t, err)
	return l, vkey
}

// appendCase appends one entry per kind for a case, all in one transaction.
func appendCase(t *testing.T, db *gorm.DB, caseID string, kinds ...string) []int64 {
	t.Helper()
	var seqs []int64
	err := db.Transaction(func(tx *gorm.DB) error {
		seqs = seqs[:0]
		for _, kind := range kinds {
			seq, err := audit.Append(tx, audit.NewEntry{
				Actor:    "system",
				CaseID:   caseID,
				Kind:     kind,
				DedupKey: caseID + "/" + kind,
				Details:  map[string]any{"case": caseID, "step": kind},
			})
			if err != nil {
				return err
			}
			seqs = append(seqs, seq)
		}
		return nil
	})
	require.NoError(t, err)
	return seqs
}

// fillLog appends n entries, one case per entry.
func fillLog(t *testing.T, db *gorm.DB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		appendCase(t, db, fmt.Sprintf("case-%03d", i), "decision")
	}
}

// ctx is the context of test calls.
var ctx = context.Background()
