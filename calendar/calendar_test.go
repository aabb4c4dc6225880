package calendar

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAddBusinessDays(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start string
		n     int
		want  string
	}{
		{"monday plus 10 is two weeks later", "2026-11-02 09:00", 10, "2026-11-16 09:00"},
		{"friday plus 1 is monday", "2026-11-06 17:30", 1, "2026-11-09 17:30"},
		{"saturday plus 1 is monday", "2026-11-07 12:00", 1, "2026-11-09 12:00"},
		{"sunday plus 10", "2026-11-08 12:00", 10, "2026-11-20 12:00"},
		{"wednesday plus 10", "2026-11-25 08:00", 10, "2026-12-09 08:00"},
		{"zero stays", "2026-11-07 12:00", 0, "2026-11-07 12:00"},
		{"across new year", "2026-12-30 10:00", 3, "2027-01-04 10:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := AddBusinessDays(day(tc.start), tc.n)
			require.Equal(t, day(tc.want), got)
			require.True(t, tc.n == 0 || IsBusinessDay(got))
		})
	}
}

func TestTenBusinessDaysAlwaysWithinTheStatutoryWindow(t *testing.T) {
	start := day("2026-01-01 10:00")
	for i := 0; i < 366; i++ {
		s := start.AddDate(0, 0, i)
		r := AddBusinessDays(s, 10)
		n := BusinessDaysBetween(s, r)
		require.GreaterOrEqual(t, n, 10, s)
		require.LessOrEqual(t, n, 14, s)
		require.True(t, IsBusinessDay(r))
	}
}

func TestBusinessDaysBetween(t *testing.T) {
	require.Equal(t, 5, BusinessDaysBetween(day("2026-11-06 00:00"), day("2026-11-13 00:00")))
	require.Equal(t, 0, BusinessDaysBetween(day("2026-11-07 00:00"), day("2026-11-08 23:00")))
}
