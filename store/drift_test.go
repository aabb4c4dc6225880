package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDriftPruneKeepsTableBounded: records beyond the newest keep go,
// drifting ones only beyond 2*keep.
func TestDriftPruneKeepsTableBounded(t *testing.T) {
	db, err := Open("sqlite:"+filepath.Join(t.TempDir(), "p.db"), "")
	require.NoError(t, err)
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(t, Migrate(db))
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 10; i++ {
		_, created, err := UpdateIntakeSender(ctx, db, fmt.Sprintf("s%d.example", i), "csv", t0.Add(time.Duration(i)*time.Hour),
			func(r *IntakeSender, all []IntakeSender) {
				require.Len(t, all, 1)
				r.Mails++
				r.Drifting = i < 3 // the three oldest drift
			})
		require.NoError(t, err)
		require.True(t, created)
	}
	row, created, err := UpdateIntakeSender(ctx, db, "s9.example", "csv", t0, func(r *IntakeSender, _ []IntakeSender) { r.Mails++ })
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, int64(2), row.Mails)

	n, err := PruneIntakeSenders(ctx, db, 2)
	require.NoError(t, err)
	rows, err := IntakeSenders(ctx, db, 100)
	require.NoError(t, err)
	// The newest 2 (s8, s9) stay, and the drifting s1, s2; s0 drifts too
	// but the table still held more than 2*2 records without it.
	var names []string
	for _, r := range rows {
		names = append(names, r.Sender)
	}
	require.Equal(t, []string{"s2.example", "s1.example", "s9.example", "s8.example"}, names)
	require.Equal(t, int64(6), n)
}
