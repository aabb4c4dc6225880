package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestDashboardAggregates: cases count per UTC day by channel and by
// category from the window's start on; the first action is the earliest
// non-reporter notice sent or decision; near-deadline reads take open
// cases only, soonest first.
func TestDashboardAggregates(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		d1 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		at := func(day, h int) time.Time { return d1.AddDate(0, 0, day).Add(time.Duration(h) * time.Hour) }
		ptr := func(v time.Time) *time.Time { return &v }
		cases := []models.Case{
			{ID: "before", Source: "api", Category: "phishing", Status: "closed", CreatedAt: at(-1, 23)},
			{ID: "a", Source: "api", Category: "phishing", Status: "awaiting_operator", CreatedAt: at(0, 1), NextDeadline: ptr(at(3, 0))},
			{ID: "b", Source: "email", Category: "phishing", Status: "awaiting_analyst", CreatedAt: at(0, 23), NextDeadline: ptr(at(1, 0))},
			{ID: "c", Source: "form", Category: "malware", Status: "closed", CreatedAt: at(1, 5), NextDeadline: ptr(at(1, 6))},
			{ID: "d", Source: "xarf", Category: "malware", Status: "awaiting_operator", CreatedAt: at(1, 6), NextDeadline: ptr(at(0, 12))},
		}
		require.NoError(t, db.Create(&cases).Error)
		notices := []models.Notice{
			{ID: "n-a-rep", CaseID: "a", Step: "receipt", RecipientRole: models.RoleReporter, Status: models.NoticeSent, SentAt: ptr(at(0, 1))},
			{ID: "n-a-op", CaseID: "a", Step: "operator", RecipientRole: models.RoleOperator, Status: models.NoticeSent, SentAt: ptr(at(0, 3))},
			{ID: "n-a-op2", CaseID: "a", Step: "operator2", RecipientRole: models.RoleOperator, Status: models.NoticeSent, SentAt: ptr(at(0, 9))},
			{ID: "n-b-out", CaseID: "b", Step: "operator", RecipientRole: models.RoleOperator, Status: models.NoticeOutbox},
		}
		require.NoError(t, db.Create(&notices).Error)
		require.NoError(t, db.Create(&[]models.Decision{
			{CaseID: "c", Step: "s1", Verdict: "violates", CreatedAt: at(1, 6)},
			{CaseID: "a", Step: "s1", Verdict: "violates", CreatedAt: at(0, 2)},
		}).Error)

		bySource, err := store.CasesPerDay(ctx, db, d1, "source")
		require.NoError(t, err)
		require.Equal(t, []store.DayCount{{Day: "2026-11-02", Key: "api", N: 1}, {Day: "2026-11-02", Key: "email", N: 1},
			{Day: "2026-11-03", Key: "form", N: 1}, {Day: "2026-11-03", Key: "xarf", N: 1}}, bySource)
		byCat, err := store.CasesPerDay(ctx, db, d1, "category")
		require.NoError(t, err)
		require.Equal(t, []store.DayCount{{Day: "2026-11-02", Key: "phishing", N: 2}, {Day: "2026-11-03", Key: "malware", N: 2}}, byCat)

		acts, err := store.FirstActions(ctx, db, d1)
		require.NoError(t, err)
		got := map[string]time.Duration{}
		for _, a := range acts {
			if a.FirstAt == nil {
				got[a.CaseID] = -1
				continue
			}
			got[a.CaseID] = a.FirstAt.Sub(a.CreatedAt)
		}
		// a: the decision at 02:00 comes before the operator notice at 03:00;
		// b: only an unsent notice; c: a decision an hour in; d: nothing.
		require.Equal(t, map[string]time.Duration{"a": time.Hour, "b": -1, "c": time.Hour, "d": -1}, got)

		now := at(0, 18)
		due, err := store.DeadlineCases(ctx, db, now.Add(72*time.Hour), 10)
		require.NoError(t, err)
		var ids []string
		for _, c := range due {
			ids = append(ids, c.ID)
		}
		require.Equal(t, []string{"d", "b", "a"}, ids, "closed c is left out; overdue d first")
		counts, err := store.CountDeadlinesBefore(ctx, db, []time.Time{now, now.Add(24 * time.Hour), now.Add(72 * time.Hour)})
		require.NoError(t, err)
		require.Equal(t, []int64{1, 2, 3}, counts)
	})
}
