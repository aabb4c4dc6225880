package transparency

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPeriod(t *testing.T) {
	now := time.Date(2026, 5, 17, 10, 0, 0, 0, time.UTC)
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		from, to         string
		wantFrom, wantTo time.Time
		err              string
	}{
		{"", "", d(2025, 6, 1), d(2026, 6, 1), ""},
		{"2026-01", "2026-02", d(2026, 1, 1), d(2026, 3, 1), ""},
		{"2026-01-15", "2026-01-31", d(2026, 1, 15), d(2026, 2, 1), ""},
		{"", "2026-03", d(2025, 4, 1), d(2026, 4, 1), ""},
		{"2026-03", "2026-01", time.Time{}, time.Time{}, "to:"},
		{"June", "", time.Time{}, time.Time{}, "from:"},
		{"", "2026-13", time.Time{}, time.Time{}, "to:"},
		{"2000-01", "2030-01", time.Time{}, time.Time{}, "at most 120"},
		{"2016-01", "2025-12", d(2016, 1, 1), d(2026, 1, 1), ""},
		{"2016-01-31", "2026-01-01", time.Time{}, time.Time{}, "spans 121 months"},
	} {
		from, to, err := Period(tc.from, tc.to, now)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err, "%s..%s", tc.from, tc.to)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tc.wantFrom, from, "%s..%s", tc.from, tc.to)
		require.Equal(t, tc.wantTo, to, "%s..%s", tc.from, tc.to)
	}
	_, err := newReport(d(2000, 1, 1), d(2026, 1, 1))
	require.ErrorContains(t, err, "more than 120 months")
}

func TestMedianAndFormat(t *testing.T) {
	require.Nil(t, median(nil))
	require.Equal(t, 20.0, *median([]float64{30, 10, 20}))
	require.Equal(t, 15.0, *median([]float64{30, 10, 20, 5}))
	require.Equal(t, "45s", formatSeconds(45))
	require.Equal(t, "12m", formatSeconds(720))
	require.Equal(t, "3.5h", formatSeconds(3.5*3600))
	require.Equal(t, "2.0d", formatSeconds(2*86400))
}
