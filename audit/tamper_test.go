package audit_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/audit"
)

func TestVerifyNamesTamperedEntrySQLite(t *testing.T) {
	testVerifyNamesTamperedEntry(t, openSQLite(t))
}

func TestVerifyNamesTamperedEntryPostgres(t *testing.T) {
	db := openPostgres(t, freshPostgres(t))
	require.NoError(t, audit.Migrate(db))
	testVerifyNamesTamperedEntry(t, db)
}

// testVerifyNamesTamperedEntry alters entry 17 behind the log's back and
// expects Verify and RunVerify to fail naming it.
func testVerifyNamesTamperedEntry(t *testing.T, db *gorm.DB) {
	l, vkey := newLog(t, db)
	fillLog(t, db, 20)
	kept, _, _, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	fillLog(t, db, 30) // cases 0..19 dedup; 20..29 are new
	_, size, _, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(30), size)

	keptFile := filepath.Join(t.TempDir(), "checkpoint.txt")
	require.NoError(t, os.WriteFile(keptFile, kept, 0o644))
	var out bytes.Buffer
	require.NoError(t, audit.RunVerify(ctx, db, vkey, keptFile, &out), out.String())
	require.Contains(t, out.String(), "audit log verifies")

	require.NoError(t, db.Exec("UPDATE audit_entries SET kind='x' WHERE seq=17").Error)

	rep, err := l.Verify(ctx, kept)
	require.NoError(t, err)
	require.False(t, rep.OK)
	require.Equal(t, int64(17), rep.FirstBadEntry)
	require.Contains(t, rep.Problems[0], `entry 17 (kind "x", case `)
	require.Contains(t, rep.Problems[0], "): leaf hash mismatch: stored ")

	out.Reset()
	err = audit.RunVerify(ctx, db, vkey, keptFile, &out)
	require.ErrorContains(t, err, "entry 17")
	require.Contains(t, out.String(), `FAIL entry 17 (kind "x", case `)

	// A rewriter who also fixes the stored leaf hash is caught by the
	// signed checkpoints and by the auditor's kept checkpoint.
	var e audit.Entry
	require.NoError(t, db.Where("seq = ?", 17).Take(&e).Error)
	require.NoError(t, db.Model(&audit.Entry{}).Where("seq = ?", 17).
		Update("leaf_hash", hex.EncodeToString(e.ComputeLeafHash())).Error)
	rep, err = l.Verify(ctx, kept)
	require.NoError(t, err)
	require.False(t, rep.OK)
	require.Equal(t, int64(-1), rep.FirstBadEntry)
	require.Contains(t, rep.Problems, "stored checkpoint at size 20: signed root differs from the recomputed root (an entry in [0, 20) was altered)")
	keptProblems := filterPrefix(rep.Problems, "kept checkpoint:")
	require.NotEmpty(t, keptProblems)
	for _, p := range keptProblems {
		require.NotContains(t, p, "[", "hashes are printed in hex, not as byte arrays: %s", p)
	}
	require.Regexp(t, `calculated root [0-9a-f]{64} does not match expected root [0-9a-f]{64}`, strings.Join(keptProblems, "\n"))

	// A deleted entry is named too.
	require.NoError(t, db.Exec("DELETE FROM audit_entries WHERE seq=5").Error)
	rep, err = l.Verify(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, int64(5), rep.FirstBadEntry)
	require.Contains(t, rep.Problems[0], "entry 5: missing")
}

// filterPrefix keeps the strings that start with prefix.
func filterPrefix(list []string, prefix string) []string {
	var out []string
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}
