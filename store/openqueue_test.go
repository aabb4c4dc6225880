package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// seedOpenQueue writes n open cases (a mix of CSAM, deadlines and none) and
// n/10 closed ones, then refreshes the planner's statistics.
func seedOpenQueue(t testing.TB, db *gorm.DB, n int) []models.Case {
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	statuses := []models.Status{"awaiting_operator", "awaiting_analyst", "disabled"}
	var rows []models.Case
	for i := 0; i < n+n/10; i++ {
		c := models.Case{ID: fmt.Sprintf("case-%06d", i), Category: "phishing", Priority: 1,
			Status: statuses[i%len(statuses)], Service: "hosting", Domain: fmt.Sprintf("d%d.example", i%500),
			CreatedAt: base.Add(time.Duration(i*7919%n) * time.Second)}
		if i%97 == 0 {
			c.Category, c.Priority = "csam", 0
		}
		if i%3 != 0 {
			d := base.Add(time.Duration(i*104729%(14*24*3600)) * time.Second)
			c.NextDeadline = &d
		}
		if i >= n {
			c.Status = models.StatusClosed
		}
		rows = append(rows, c)
	}
	require.NoError(t, db.CreateInBatches(rows, 500).Error)
	require.NoError(t, db.Exec("ANALYZE").Error)
	return rows
}

// queueOrder is the queue order computed here, apart from the SQL.
func queueOrder(rows []models.Case) []string {
	var open []models.Case
	for _, c := range rows {
		if c.Status != models.StatusClosed {
			open = append(open, c)
		}
	}
	sort.Slice(open, func(i, j int) bool {
		a, b := open[i], open[j]
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		if (a.NextDeadline == nil) != (b.NextDeadline == nil) {
			return b.NextDeadline == nil
		}
		if a.NextDeadline != nil && !a.NextDeadline.Equal(*b.NextDeadline) {
			return a.NextDeadline.Before(*b.NextDeadline)
		}
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.ID < b.ID
	})
	ids := make([]string, len(open))
	for i, c := range open {
		ids[i] = c.ID
	}
	return ids
}

// queuePlan is the database's plan for the analyst's first page.
func queuePlan(t testing.TB, db *gorm.DB) string {
	stmt := db.Session(&gorm.Session{DryRun: true}).Model(&models.Case{}).Where(OpenCases).
		Order(OpenQueueOrder).Limit(50).Find(&[]models.Case{}).Statement
	explain := "EXPLAIN "
	if !IsPostgres(db) {
		explain = "EXPLAIN QUERY PLAN "
	}
	rows, err := db.Raw(explain+stmt.SQL.String(), stmt.Vars...).Rows()
	require.NoError(t, err)
	defer rows.Close()
	cols, _ := rows.Columns()
	var plan []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		plan = append(plan, fmt.Sprint(vals...))
	}
	return strings.Join(plan, "\n")
}

// TestOpenQueueUsesItsIndex: the analyst's open queue reads the partial
// index in order (no sort of every open case) and returns exactly the
// queue order over 20,000 open cases, page after page.
func TestOpenQueueUsesItsIndex(t *testing.T) {
	queueDBs(t, func(t *testing.T, db *gorm.DB) {
		rows := seedOpenQueue(t, db, 20000)
		plan := queuePlan(t, db)
		require.Contains(t, plan, "idx_cases_open_queue", "plan:\n%s", plan)
		require.NotContains(t, plan, "TEMP B-TREE", "SQLite sorts instead of reading the index:\n%s", plan)
		require.NotContains(t, plan, "Sort  (", "PostgreSQL sorts instead of reading the index:\n%s", plan)

		want := queueOrder(rows)
		for _, off := range []int{0, 50, 9950, len(want) - 50} {
			cs, err := QueryCases(context.Background(), db, CaseFilter{Status: "open", Limit: 50, Offset: off})
			require.NoError(t, err)
			got := make([]string, len(cs))
			for i, c := range cs {
				got[i] = c.ID
			}
			require.Equal(t, want[off:off+50], got, "page at offset %d", off)
		}
	})
}

// BenchmarkOpenQueue: the analyst's first page of 20,000 open cases, with
// p50/p99 per query. go test -run '^$' -bench OpenQueue ./server/
func BenchmarkOpenQueue(b *testing.B) {
	for _, kind := range queueKinds {
		b.Run(kind, func(b *testing.B) {
			db := queueDB(b, kind)
			seedOpenQueue(b, db, 20000)
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s := time.Now()
				cs, err := QueryCases(context.Background(), db, CaseFilter{Status: "open", Limit: 50})
				lat = append(lat, time.Since(s))
				if err != nil || len(cs) != 50 {
					b.Fatalf("query: %v, %d rows", err, len(cs))
				}
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
