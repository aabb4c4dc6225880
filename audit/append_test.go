package audit_test

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/audit"
)

func TestAppendAssignsDenseSeqsAndDedups(t *testing.T) {
	db := openSQLite(t)

	require.Equal(t, []int64{0, 1, 2}, appendCase(t, db, "c1", "decision", "notice", "restriction"))
	// A retried activity appends nothing new and learns the original seq.
	require.Equal(t, []int64{1}, appendCase(t, db, "c1", "notice"))

	// A rolled-back transaction leaves no entry and no gap.
	boom := errors.New("boom")
	err := db.Transaction(func(tx *gorm.DB) error {
		seq, err := audit.Append(tx, audit.NewEntry{Actor: "system", CaseID: "c2", Kind: "strike", DedupKey: "c2/strike"})
		require.NoError(t, err)
		require.Equal(t, int64(3), seq)
		return boom
	})
	require.ErrorIs(t, err, boom)
	var rolledBack int64
	require.NoError(t, db.Model(&audit.Entry{}).Where("dedup_key = ?", "c2/strike").Count(&rolledBack).Error)
	require.Zero(t, rolledBack)
	require.Equal(t, []int64{3}, appendCase(t, db, "c2", "strike"))

	// Outside a transaction the head lock would not hold: refuse.
	_, err = audit.Append(db, audit.NewEntry{Actor: "system", Kind: "x", DedupKey: "k"})
	require.ErrorIs(t, err, audit.ErrNotInTransaction)

	l, _ := newLog(t, db)
	entries, err := l.Entries(ctx, "c1")
	require.NoError(t, err)
	require.Len(t, entries, 3)
	for i, e := range entries {
		require.Equal(t, int64(i), e.Seq)
		require.Equal(t, hex.EncodeToString(e.ComputeLeafHash()), e.LeafHash)
	}
	digest, err := audit.DetailsDigest(map[string]any{"step": "decision", "case": "c1"})
	require.NoError(t, err)
	require.Equal(t, digest, entries[0].DetailsDigest)

	rep, err := l.Verify(ctx, nil)
	require.NoError(t, err)
	require.True(t, rep.OK, rep.Problems)
	require.Equal(t, uint64(4), rep.Size)
}

func TestDetailsDigestIsCanonical(t *testing.T) {
	type details struct {
		B string `json:"b"`
		A int    `json:"a"`
	}
	fromStruct, err := audit.DetailsDigest(details{B: "x<y", A: 1})
	require.NoError(t, err)
	fromMap, err := audit.DetailsDigest(map[string]any{"a": 1, "b": "x<y"})
	require.NoError(t, err)
	require.Equal(t, fromMap, fromStruct)
	c, err := audit.CanonicalJSON(details{B: "x<y", A: 1})
	require.NoError(t, err)
	require.Equal(t, `{"a":1,"b":"x<y"}`, string(c))
}

func TestLoadOrCreateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	skey, vkey, err := audit.LoadOrCreateKey(dir, testOrigin)
	require.NoError(t, err)
	st, err := os.Stat(filepath.Join(dir, audit.KeyFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	pub, err := os.ReadFile(filepath.Join(dir, audit.PubFile))
	require.NoError(t, err)
	require.Equal(t, vkey+"\n", string(pub))

	skey2, vkey2, err := audit.LoadOrCreateKey(dir, testOrigin)
	require.NoError(t, err)
	require.Equal(t, skey, skey2)
	require.Equal(t, vkey, vkey2)
	derived, err := audit.VerifierKey(skey)
	require.NoError(t, err)
	require.Equal(t, vkey, derived)

	_, _, err = audit.LoadOrCreateKey(dir, "other.origin")
	require.ErrorContains(t, err, "other.origin")
	_, _, err = audit.LoadOrCreateKey(t.TempDir(), "has space")
	require.Error(t, err)
}
