package audit_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/audit"
)

// TestConcurrentWorkersOnPostgresNeverForkTheTree runs two workers, each
// with its own connection pool (as two worker processes would), through the
// same 200 cases at once on PostgreSQL.
func TestConcurrentWorkersOnPostgresNeverForkTheTree(t *testing.T) {
	dsn := freshPostgres(t)
	setup := openPostgres(t, dsn)
	require.NoError(t, audit.Migrate(setup))
	testConcurrentWorkers(t, setup, func() *gorm.DB { return openPostgres(t, dsn) }, 200)
}

// TestConcurrentWorkersOnSQLiteNeverForkTheTree is the same with two pools
// on one SQLite file, with deferred transactions.
func TestConcurrentWorkersOnSQLiteNeverForkTheTree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	setup := openSQLiteFile(t, path)
	require.NoError(t, audit.Migrate(setup))
	testConcurrentWorkers(t, setup, func() *gorm.DB { return openSQLiteFile(t, path) }, 100)
}

// testConcurrentWorkers has two workers append for the same cases at once.
// Each case step is appended by both workers under the same dedup key (a
// retried or duplicated activity), and each worker also records a step of
// its own. Afterwards the sequence is dense, every step is in the log
// exactly once and the tree verifies.
func testConcurrentWorkers(t *testing.T, setup *gorm.DB, open func() *gorm.DB, cases int) {
	steps := []string{"decision", "notice", "restriction"}
	workers := []string{"worker-a", "worker-b"}
	seqOf := make([]map[string]int64, len(workers))

	var wg sync.WaitGroup
	errs := make([]error, len(workers))
	for w, name := range workers {
		db := open()
		sqlDB, err := db.DB()
		require.NoError(t, err)
		sqlDB.SetMaxOpenConns(4)
		seqOf[w] = map[string]int64{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < cases; i++ {
				c := i
				if w == 1 {
					c = cases - 1 - i // meet in the middle
				}
				caseID := fmt.Sprintf("case-%03d", c)
				got := map[string]int64{}
				err := db.Transaction(func(tx *gorm.DB) error {
					clear(got)
					for _, step := range steps {
						key := caseID + "/" + step
						seq, err := audit.Append(tx, audit.NewEntry{Actor: "system", CaseID: caseID, Kind: step, DedupKey: key})
						if err != nil {
							return err
						}
						got[key] = seq
					}
					key := caseID + "/seen-by/" + name
					seq, err := audit.Append(tx, audit.NewEntry{Actor: name, CaseID: caseID, Kind: "seen", DedupKey: key})
					got[key] = seq
					return err
				})
				if err != nil {
					errs[w] = fmt.Errorf("%s, %s: %w", name, caseID, err)
					return
				}
				for k, v := range got {
					seqOf[w][k] = v
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}

	// Both workers saw the same seq for every shared step.
	shared := 0
	for k, v := range seqOf[0] {
		if other, ok := seqOf[1][k]; ok {
			require.Equal(t, v, other, k)
			shared++
		}
	}
	require.Equal(t, cases*len(steps), shared)

	want := int64(cases*len(steps) + cases*len(workers))
	var seqs []int64
	require.NoError(t, setup.Model(&audit.Entry{}).Order("seq").Pluck("seq", &seqs).Error)
	require.Len(t, seqs, int(want))
	for i, s := range seqs {
		require.Equal(t, int64(i), s)
	}

	l, vkey := newLog(t, setup)
	signed, size, _, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(want), size)
	rep, err := l.Verify(ctx, signed)
	require.NoError(t, err)
	require.True(t, rep.OK, rep.Problems)

	res, err := l.ProveInclusion(ctx, uint64(want/2), size)
	require.NoError(t, err)
	require.NoError(t, audit.VerifyInclusionWithKey(vkey, signed, res.LeafHash, res.LeafIndex, res.Hashes))
}
