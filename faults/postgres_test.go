package faults

import (
	"database/sql"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/pgtest"
)

// TestPostgresRestart restarts PostgreSQL (abusedesk's own database; the
// embedded Temporal stays on SQLite) in the middle of a load: intake
// answers 503 and reporters retry, activities fail and retry, and in the
// end every report is one case in its expected state, every notice one
// row and one delivery.
//
// The database is a private PostgreSQL cluster of this test (its own port
// and data directory), so restarting it never disturbs the other tests
// that share the machine's server.
func TestPostgresRestart(t *testing.T) {
	skipShort(t)
	const reports = 200
	pg := pgtest.StartCluster(t)
	dbURL := pg.CreateDB("abusedesk")
	d := newDesk(t, map[string]string{"ABUSEDESK_DATABASE_URL": dbURL})

	var once sync.Once
	restarted := make(chan error, 1)
	cfg := loadConfig(d.url, reports)
	cfg.OnAccepted = func(n int) {
		if n >= reports/3 {
			once.Do(func() {
				go func() {
					pg.Restart(time.Second)
					restarted <- nil
				}()
			})
		}
	}
	sum := runLoad(t, cfg)
	require.NoError(t, <-restarted)
	t.Logf("load: %d accepted, failed attempts %v, outcomes %v", len(sum.Cases), sum.Errors, sum.Outcomes.ByState)
	requireAllDone(t, sum, reports, d.sink)

	// No duplicate rows: one case per report, one notice per case step.
	db, err := sql.Open("pgx", dbURL)
	require.NoError(t, err)
	defer db.Close()
	count := func(q string) int {
		var n int
		require.NoError(t, db.QueryRow(q).Scan(&n), q)
		return n
	}
	want := 0
	for _, c := range sum.Cases {
		want += c.Expect.Notices
	}
	require.Equal(t, reports, count("SELECT count(*) FROM cases"))
	require.Zero(t, count("SELECT count(*) FROM (SELECT case_id, step FROM notices GROUP BY case_id, step HAVING count(*) > 1) d"))
	require.Equal(t, want, count("SELECT count(*) FROM notices"))
	require.Equal(t, want, count("SELECT count(*) FROM notices WHERE status = 'sent'"))
}
