package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/internal/pgtest"
	"github.com/abusedesk/abusedesk/models"
)

// queueDB opens a fresh, migrated database of kind "sqlite" or "postgres".
func queueDB(tb testing.TB, kind string) *gorm.DB {
	url := "sqlite:" + filepath.Join(tb.TempDir(), "q.db")
	if kind == "postgres" {
		url = pgtest.DB(tb)
	}
	db, err := Open(url, "")
	require.NoError(tb, err)
	tb.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(tb, Migrate(db))
	return db
}

// queueKinds are the databases the queue runs on.
var queueKinds = []string{"sqlite", "postgres"}

func queueDBs(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	for _, kind := range queueKinds {
		t.Run(kind, func(t *testing.T) { f(t, queueDB(t, kind)) })
	}
}

// TestQueueOrder: CSAM first, then emergency cases, then ncsei cases, then
// by next deadline (none last), then oldest first; filters by status,
// category, service, domain.
func TestQueueOrder(t *testing.T) {
	queueDBs(t, func(t *testing.T, db *gorm.DB) {
		base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		at := func(h int) *time.Time { v := base.Add(time.Duration(h) * time.Hour); return &v }
		rows := []models.Case{
			{ID: "old-no-deadline", Category: "phishing", Priority: PriorityOther, Status: "awaiting_analyst", Service: "hosting", Domain: "a.example", CreatedAt: base},
			{ID: "late-deadline", Category: "malware", Priority: PriorityOther, Status: "awaiting_operator", Service: "hosting", Domain: "b.example", NextDeadline: at(48), CreatedAt: base.Add(time.Hour)},
			{ID: "soon-deadline", Category: "fraud", Priority: PriorityOther, Status: "awaiting_operator", Service: "hosting", Domain: "a.example", NextDeadline: at(2), CreatedAt: base.Add(2 * time.Hour)},
			{ID: "csam-new", Category: "csam", Priority: PriorityCSAM, Status: "awaiting_analyst", Service: "hosting", Domain: "c.example", CreatedAt: base.Add(5 * time.Hour)},
			{ID: "new-no-deadline", Category: "phishing", Priority: PriorityOther, Status: "awaiting_analyst", Service: "hosting", Domain: "a.example", CreatedAt: base.Add(3 * time.Hour)},
			{ID: "closed", Category: "phishing", Priority: PriorityOther, Status: "closed", Service: "cdn", Domain: "a.example", CreatedAt: base},
			{ID: "ncsei-late", Category: "ncsei", Priority: PriorityNCSEI, Status: "awaiting_analyst", Service: "hosting", Domain: "d.example", NextDeadline: at(40), CreatedAt: base.Add(6 * time.Hour)},
			{ID: "emergency-new", Category: "violent_threat", Priority: PriorityEmergency, Emergency: true, Status: "awaiting_analyst", Service: "hosting", Domain: "d.example", CreatedAt: base.Add(7 * time.Hour)},
		}
		require.NoError(t, db.Create(&rows).Error)
		ids := func(f CaseFilter) []string {
			if f.Limit == 0 {
				f.Limit = 50
			}
			cs, err := QueryCases(context.Background(), db, f)
			require.NoError(t, err)
			var out []string
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		require.Equal(t, []string{"csam-new", "emergency-new", "ncsei-late", "soon-deadline", "late-deadline", "old-no-deadline", "new-no-deadline"}, ids(CaseFilter{Status: "open"}))
		require.Equal(t, []string{"closed"}, ids(CaseFilter{Status: "closed"}))
		require.Equal(t, []string{"soon-deadline", "late-deadline"}, ids(CaseFilter{Status: "awaiting_operator"}))
		require.Equal(t, []string{"soon-deadline", "closed", "old-no-deadline", "new-no-deadline"}, ids(CaseFilter{Domain: "A.example"}))
		require.Equal(t, []string{"closed"}, ids(CaseFilter{Service: "cdn"}))
		require.Equal(t, []string{"csam-new"}, ids(CaseFilter{Category: "csam"}))
		require.Equal(t, []string{"soon-deadline"}, ids(CaseFilter{DeadlineBefore: at(24)}))
		// Pagination: pages of two in queue order.
		require.Equal(t, []string{"csam-new", "emergency-new"}, ids(CaseFilter{Status: "open", Limit: 2}))
		require.Equal(t, []string{"ncsei-late", "soon-deadline"}, ids(CaseFilter{Status: "open", Limit: 2, Offset: 2}))
	})
}
