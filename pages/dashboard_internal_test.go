package pages

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/desk"
)

// TestDashboardChartGeometry: axes end on round values with whole steps;
// stacked bars sit on each other, the tallest day reaching its value on
// the axis; durations read as people say them.
func TestDashboardChartGeometry(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 1: 1, 2: 2, 3: 5, 7: 10, 11: 20, 49: 50, 120: 200} {
		require.Equal(t, want, niceMax(in), "niceMax(%v)", in)
	}
	for top, want := range map[float64]int{1: 1, 2: 2, 5: 5, 10: 5, 20: 4, 50: 5, 100: 4} {
		require.Equal(t, want, yTickSteps(top), "yTickSteps(%v)", top)
	}
	dates := []string{"2026-11-01", "2026-11-02"}
	b := desk.Breakdown{Keys: []desk.KeyCount{{Key: "api", N: 4}, {Key: "email", N: 1}},
		Days: []desk.DayStack{{Day: dates[0], Parts: []desk.KeyCount{}}, {Day: dates[1], Total: 5, Parts: []desk.KeyCount{{Key: "api", N: 4}, {Key: "email", N: 1}}}}}
	ch := stackedChart("c", "T", "D", dates, b, nil)
	require.Len(t, ch.Bars, 2)
	api, email := ch.Bars[0], ch.Bars[1]
	require.Equal(t, "s0", api.Class)
	require.Equal(t, "s1", email.Class)
	require.InDelta(t, chartH-padBottom, api.Y+api.H, 1e-9, "the first part stands on the axis")
	require.InDelta(t, api.Y, email.Y+email.H, 1e-9, "the second part stands on the first")
	require.InDelta(t, padTop, email.Y, 1e-9, "5 of a 5 axis reaches the top")
	require.Equal(t, "2026-11-02: 4 api", api.Label)
	require.Equal(t, []string{"0", "1", "2", "3", "4", "5"}, tickTexts(ch.YTicks))

	for d, want := range map[time.Duration]string{45 * time.Second: "45s", 12 * time.Minute: "12m",
		3*time.Hour + 5*time.Minute: "3h 5m", 52 * time.Hour: "2d 4h"} {
		require.Equal(t, want, span(d))
	}
}

func tickTexts(ts []tick) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Text)
	}
	return out
}
