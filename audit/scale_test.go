package audit

import (
	"context"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/merkle/proof"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// TestProofsAt100kEntries checks that checkpoints, proofs and Verify are
// correct over a log of 100,000 entries (and logs how long they took). The entries are bulk-loaded (with the
// head kept as Append would keep it) because 100k single appends would
// only measure the database.
func TestProofsAt100kEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk loads 100k entries")
	}
	const n = 100_000
	dsn := filepath.Join(t.TempDir(), "scale.db") + "?_journal_mode=WAL&_synchronous=NORMAL"
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	require.NoError(t, err)
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	require.NoError(t, Migrate(db))

	start := time.Now().UTC().Truncate(time.Microsecond)
	r := rangeFactory.NewEmptyRange(0)
	batch := make([]Entry, 0, 1000)
	err = db.Transaction(func(tx *gorm.DB) error {
		for i := int64(0); i < n; i++ {
			e := Entry{Seq: i, Time: start.Add(time.Duration(i) * time.Microsecond), Actor: "system",
				CaseID: fmt.Sprintf("case-%d", i/4), Kind: "decision", DedupKey: fmt.Sprintf("k-%d", i),
				DetailsDigest: "00"}
			leaf := e.ComputeLeafHash()
			e.LeafHash = hex.EncodeToString(leaf)
			if err := r.Append(leaf, nil); err != nil {
				return err
			}
			if batch = append(batch, e); len(batch) == cap(batch) {
				if err := tx.Create(&batch).Error; err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		return tx.Model(&Head{}).Where("id = ?", headID).
			Updates(map[string]any{"size": n, "frontier": joinFrontier(r.Hashes())}).Error
	})
	require.NoError(t, err)

	skey, _, err := LoadOrCreateKey(t.TempDir(), "scale.test/audit")
	require.NoError(t, err)
	l, err := NewLog(db, skey)
	require.NoError(t, err)
	ctx := context.Background()

	t0 := time.Now()
	_, size, root, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(n), size)
	t.Logf("checkpoint: %v", time.Since(t0))

	t0 = time.Now()
	incl, err := l.ProveInclusion(ctx, 77_777, n)
	require.NoError(t, err)
	inclTime := time.Since(t0)
	require.NoError(t, proof.VerifyInclusion(hasher, 77_777, n, incl.LeafHash, incl.Hashes, root))

	t0 = time.Now()
	cons, err := l.ProveConsistency(ctx, 54_321, n)
	require.NoError(t, err)
	consTime := time.Since(t0)
	require.NoError(t, proof.VerifyConsistency(hasher, 54_321, n, cons.Hashes, cons.FromRoot, root))

	t0 = time.Now()
	rep, err := l.Verify(ctx, nil)
	require.NoError(t, err)
	require.True(t, rep.OK, rep.Problems)
	// Times are reported, not asserted: a timed unit test fails on a busy
	// machine without telling anything about the code.
	t.Logf("inclusion proof: %v, consistency proof: %v, verify: %v", inclTime, consTime, time.Since(t0))
}
