package audit_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/abusedesk/abusedesk/audit"
)

func TestAppendManySQLite(t *testing.T) {
	testAppendMany(t, openSQLite(t))
}

func TestAppendManyPostgres(t *testing.T) {
	db := openPostgres(t, freshPostgres(t))
	require.NoError(t, audit.Migrate(db))
	testAppendMany(t, db)
}

// testAppendMany records case c1's steps one by one and case c2's same
// steps in one AppendMany, and expects the same entries (but for the case)
// and a head that is what appending the leaves one by one makes; then the
// dedup rules, a retried batch, a rolled-back one and the refusals.
func testAppendMany(t *testing.T, db *gorm.DB) {
	l, _ := newLog(t, db)
	kinds := []string{"decision", "notice", "restriction", "strike"}
	require.Equal(t, []int64{0, 1, 2, 3}, appendCase(t, db, "c1", kinds...))
	kept, _, _, err := l.Checkpoint(ctx)
	require.NoError(t, err)

	// c2's steps, a key repeated inside the batch (the first wins) and one
	// already in the log (c1's notice): one lock, one insert.
	batch := caseEntries("c2", kinds...)
	batch = append(batch, caseEntries("c2", "notice")[0], caseEntries("c1", "notice")[0])
	count := &statementLog{}
	var seqs []int64
	require.NoError(t, db.Session(&gorm.Session{Logger: count}).Transaction(func(tx *gorm.DB) error {
		seqs, err = audit.AppendMany(tx, batch)
		return err
	}))
	require.Equal(t, []int64{4, 5, 6, 7, 5, 1}, seqs)
	require.Equal(t, 4, count.len(), "lock returning the head, dedup lookup, insert, head update: %v", count.sql)
	require.Equal(t, 1, count.matching("UPDATE audit_head SET size = size"), "one head lock")

	one, err := l.Entries(ctx, "c1")
	require.NoError(t, err)
	many, err := l.Entries(ctx, "c2")
	require.NoError(t, err)
	require.Len(t, many, len(one))
	for i := range one {
		a, b := one[i], many[i]
		require.Equal(t, a.Seq+4, b.Seq)
		digest, err := audit.DetailsDigest(map[string]any{"case": "c2", "step": a.Kind})
		require.NoError(t, err)
		require.Equal(t, [4]string{a.Actor, a.Kind, strings.Replace(a.DedupKey, "c1", "c2", 1), digest},
			[4]string{b.Actor, b.Kind, b.DedupKey, b.DetailsDigest})
		require.Equal(t, hex.EncodeToString(b.ComputeLeafHash()), b.LeafHash)
	}
	requireHeadIsOneByOne(t, db, 8)
	_, _, _, err = l.Checkpoint(ctx)
	require.NoError(t, err)
	rep, err := l.Verify(ctx, kept)
	require.NoError(t, err)
	require.True(t, rep.OK, rep.Problems)
	require.Equal(t, uint64(8), rep.Size)
	require.Equal(t, 2, rep.CheckpointsChecked)

	// A retried batch learns the same seqs and writes nothing.
	require.NoError(t, db.Transaction(func(tx *gorm.DB) error {
		again, err := audit.AppendMany(tx, batch)
		require.Equal(t, seqs, again)
		return err
	}))
	requireHeadIsOneByOne(t, db, 8)

	// A rolled-back batch leaves no entry and no gap; Append continues.
	boom := errors.New("boom")
	err = db.Transaction(func(tx *gorm.DB) error {
		got, err := audit.AppendMany(tx, caseEntries("c3", kinds...))
		require.NoError(t, err)
		require.Equal(t, []int64{8, 9, 10, 11}, got)
		return boom
	})
	require.ErrorIs(t, err, boom)
	require.Equal(t, []int64{8}, appendCase(t, db, "c4", "decision"))
	requireHeadIsOneByOne(t, db, 9)

	// Refusals write nothing.
	_, err = audit.AppendMany(db, caseEntries("c5", "decision"))
	require.ErrorIs(t, err, audit.ErrNotInTransaction)
	bad := append(caseEntries("c5", "decision"), audit.NewEntry{Actor: "system", Kind: "notice"})
	require.Error(t, db.Transaction(func(tx *gorm.DB) error {
		_, err := audit.AppendMany(tx, bad)
		return err
	}))
	require.NoError(t, db.Transaction(func(tx *gorm.DB) error {
		got, err := audit.AppendMany(tx, nil)
		require.Empty(t, got)
		return err
	}))
	requireHeadIsOneByOne(t, db, 9)
	rep, err = l.Verify(ctx, kept)
	require.NoError(t, err)
	require.True(t, rep.OK, rep.Problems)
}

// caseEntries are the entries appendCase records for a case's kinds.
func caseEntries(caseID string, kinds ...string) []audit.NewEntry {
	var out []audit.NewEntry
	for _, kind := range kinds {
		out = append(out, audit.NewEntry{Actor: "system", CaseID: caseID, Kind: kind,
			DedupKey: caseID + "/" + kind, Details: map[string]any{"case": caseID, "step": kind}})
	}
	return out
}

// requireHeadIsOneByOne checks that the log holds size dense entries and
// that the audit head's frontier is the one Append leaves when it adds the
// stored leaves one at a time, each from the frontier the previous left.
func requireHeadIsOneByOne(t *testing.T, db *gorm.DB, size int64) {
	t.Helper()
	var entries []audit.Entry
	require.NoError(t, db.Order("seq").Find(&entries).Error)
	require.Len(t, entries, int(size))
	rf := &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	var frontier [][]byte
	for i, e := range entries {
		require.Equal(t, int64(i), e.Seq)
		r, err := rf.NewRange(0, uint64(i), frontier)
		require.NoError(t, err)
		leaf, err := hex.DecodeString(e.LeafHash)
		require.NoError(t, err)
		require.NoError(t, r.Append(leaf, nil))
		frontier = r.Hashes()
	}
	var head audit.Head
	require.NoError(t, db.Take(&head).Error)
	require.Equal(t, size, head.Size)
	require.Equal(t, bytes.Join(frontier, nil), head.Frontier)
}

// statementLog is a gorm logger that keeps the SQL of every statement.
type statementLog struct {
	mu  sync.Mutex
	sql []string
}

func (s *statementLog) LogMode(logger.LogLevel) logger.Interface { return s }
func (s *statementLog) Info(context.Context, string, ...any)     {}
func (s *statementLog) Warn(context.Context, string, ...any)     {}
func (s *statementLog) Error(context.Context, string, ...any)    {}
func (s *statementLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sql = append(s.sql, sql)
}

func (s *statementLog) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sql)
}

// matching counts the statements that begin with prefix.
func (s *statementLog) matching(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, q := range s.sql {
		if strings.HasPrefix(q, prefix) {
			n++
		}
	}
	return n
}
