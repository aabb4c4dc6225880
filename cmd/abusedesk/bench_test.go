package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/bench"
)

// --baseline takes a kind; a number is the older count form.
func TestBenchBaselineFlag(t *testing.T) {
	for _, tc := range []struct {
		flag      string
		count     int
		none      bool
		wantKinds string
		wantCount int
	}{
		{"both", 0, false, "both", 0},
		{"naive", 300, false, "naive", 300},
		{"empty", 0, false, "empty", 0},
		{"none", 0, false, "none", -1},
		{"both", 0, true, "none", -1},
		{"500", 0, false, "both", 500},
		{"500", 200, false, "both", 200},
		{"-1", 0, false, "none", -1},
	} {
		c := bench.Config{Baseline: tc.count}
		benchBaseline(&c, tc.flag, tc.none)
		require.Equal(t, tc.wantKinds, c.Baselines, "%+v", tc)
		require.Equal(t, tc.wantCount, c.Baseline, "%+v", tc)
	}
}
