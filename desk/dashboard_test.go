package desk

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// TestDashboardWindowAndAggregates: the window is whole UTC days ending
// today; per-day counts by channel and category land on their dates with
// empty days kept; median and p90 of the time to first action count only
// cases acted on; the deadline buckets leave out closed and overdue cases
// from the "within" counts; days outside 1..90 are refused.
func TestDashboardWindowAndAggregates(t *testing.T) {
	d, _ := testDesk(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 10, 15, 0, 0, 0, time.UTC)
	day := func(back int, h int) time.Time {
		return time.Date(2026, 11, 10-back, h, 0, 0, 0, time.UTC)
	}
	ptr := func(v time.Time) *time.Time { return &v }
	var cases []models.Case
	// Ten cases two days ago (api, phishing), acted on after 1..10 hours.
	for i := 1; i <= 10; i++ {
		cases = append(cases, models.Case{ID: fmt.Sprintf("p%d", i), Source: "api", Category: "phishing", Status: "closed", CreatedAt: day(2, 0)})
	}
	cases = append(cases,
		models.Case{ID: "e1", Source: "email", Category: "malware", Status: "awaiting_operator", CreatedAt: day(0, 1), NextDeadline: ptr(now.Add(-time.Hour))},
		models.Case{ID: "e2", Source: "email", Category: "malware", Status: "awaiting_operator", CreatedAt: day(0, 2), NextDeadline: ptr(now.Add(10 * time.Hour))},
		models.Case{ID: "x1", Source: "xarf", Category: "phishing", Status: "awaiting_analyst", CreatedAt: day(0, 3), NextDeadline: ptr(now.Add(48 * time.Hour))},
		models.Case{ID: "f1", Source: "", Category: "fraud", Status: "closed", CreatedAt: day(0, 4), NextDeadline: ptr(now.Add(time.Hour))},
		models.Case{ID: "old", Source: "api", Category: "fraud", Status: "awaiting_operator", CreatedAt: day(3, 23), NextDeadline: ptr(now.Add(100 * time.Hour))},
	)
	require.NoError(t, d.DB.Create(&cases).Error)
	for i := 1; i <= 10; i++ {
		require.NoError(t, d.DB.Create(&models.Decision{CaseID: fmt.Sprintf("p%d", i), Step: "s", Verdict: "violates",
			CreatedAt: day(2, 0).Add(time.Duration(i) * time.Hour)}).Error)
	}

	v, err := d.Dashboard(ctx, 3, now)
	require.NoError(t, err)
	require.Equal(t, []string{"2026-11-08", "2026-11-09", "2026-11-10"}, v.Dates)
	require.Equal(t, time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC), v.From)
	require.EqualValues(t, 14, v.Total, "the case of 11-07 is outside the window")
	require.Equal(t, []KeyCount{{"api", 10}, {"email", 2}, {"unknown", 1}, {"xarf", 1}}, v.Channels.Keys)
	require.Equal(t, DayStack{Day: "2026-11-08", Total: 10, Parts: []KeyCount{{"api", 10}}}, v.Channels.Days[0])
	require.Equal(t, DayStack{Day: "2026-11-09", Parts: []KeyCount{}}, v.Channels.Days[1])
	require.Equal(t, DayStack{Day: "2026-11-10", Total: 4, Parts: []KeyCount{{"email", 2}, {"unknown", 1}, {"xarf", 1}}}, v.Channels.Days[2])
	require.Equal(t, []KeyCount{{"phishing", 11}, {"malware", 2}, {"fraud", 1}}, v.Categories.Keys)

	require.Equal(t, ActionStats{Cases: 14, Acted: 10, Waiting: 4, Median: 5 * time.Hour, P90: 9 * time.Hour}, v.Action.ActionStats)
	require.Equal(t, ActionStats{Cases: 10, Acted: 10, Median: 5 * time.Hour, P90: 9 * time.Hour}, v.Action.PerDay[0].ActionStats)
	require.Equal(t, ActionStats{Cases: 4, Waiting: 4}, v.Action.PerDay[2].ActionStats)

	dl := v.Deadlines
	require.Equal(t, [4]int64{1, 1, 2, 3}, [4]int64{dl.Overdue, dl.Within24, dl.Within72, dl.Within7d})
	var ids []string
	for _, c := range dl.Cases {
		ids = append(ids, c.ID)
	}
	require.Equal(t, []string{"e1", "e2", "x1", "old"}, ids)
	require.Equal(t, -time.Hour, dl.Cases[0].Left)

	for _, bad := range []int{0, -1, 91} {
		_, err := d.Dashboard(ctx, bad, now)
		code, errs := StatusOf(err)
		require.Equal(t, http.StatusBadRequest, code, "days=%d", bad)
		require.Equal(t, "days", errs[0].Field)
	}
}
