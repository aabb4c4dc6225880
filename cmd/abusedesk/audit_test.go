package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/store"
)

// TestAuditVerifyRefusesWithoutDatabase: `abusedesk audit verify` in a
// directory without a desk used to create ./data/abusedesk.db and a new
// signing key and report "0 entries ... audit log verifies" with exit 0.
// It must fail (main exits 1 on the error), name where it looked, and leave
// the directory as it was.
func TestAuditVerifyRefusesWithoutDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, k := range []string{"ABUSEDESK_DATA_DIR", "ABUSEDESK_DATABASE_URL", "ABUSEDESK_AUDIT_SIGNING_KEY", "ABUSEDESK_API_KEYS"} {
		t.Setenv(k, "")
		require.NoError(t, os.Unsetenv(k))
	}
	var out bytes.Buffer
	cmd := auditCmd()
	cmd.SetArgs([]string{"verify"})
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	err := cmd.ExecuteContext(context.Background())
	require.Error(t, err, "verify must fail without a database; it printed:\n%s", out.String())
	want, err2 := filepath.Abs(filepath.Join("data", "abusedesk.db"))
	require.NoError(t, err2)
	require.Contains(t, err.Error(), want, "the message names where it looked")
	require.NotContains(t, out.String(), "audit log verifies")
	left, err2 := os.ReadDir(dir)
	require.NoError(t, err2)
	require.Empty(t, left, "verify created files in an empty directory")
}

// TestAuditVerifyReadsTheDesk: next to a desk's data dir, verify reads its
// database and its public key, and still creates nothing it lacks.
func TestAuditVerifyReadsTheDesk(t *testing.T) {
	dir := t.TempDir()
	cfg := &config.Config{DataDir: filepath.Join(dir, "data")}
	db, err := store.Open("", cfg.DataDir)
	require.NoError(t, err)
	require.NoError(t, store.Migrate(db))
	sqlDB, err := db.DB()
	require.NoError(t, err)
	require.NoError(t, sqlDB.Close())

	var out bytes.Buffer
	err = auditVerify(context.Background(), cfg, "", &out)
	require.ErrorContains(t, err, filepath.Join(cfg.DataDir, audit.PubFile), "no key: it says where it looked")
	_, statErr := os.Stat(filepath.Join(cfg.DataDir, audit.KeyFile))
	require.ErrorIs(t, statErr, os.ErrNotExist, "verify must not generate a signing key")

	_, _, err = audit.LoadOrCreateKey(cfg.DataDir, audit.DefaultOrigin)
	require.NoError(t, err)
	require.NoError(t, auditVerify(context.Background(), cfg, "", &out), out.String())
	require.Contains(t, out.String(), "audit log verifies")
}
