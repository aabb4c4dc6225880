package bench

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMinMedianMax(t *testing.T) {
	lo, med, hi := minMedianMax([]float64{3, 1, 2})
	require.Equal(t, []float64{1, 2, 3}, []float64{lo, med, hi})
	lo, med, hi = minMedianMax([]float64{4, 1, 3, 2})
	require.Equal(t, []float64{1, 2.5, 4}, []float64{lo, med, hi})
	lo, med, hi = minMedianMax([]float64{7})
	require.Equal(t, []float64{7, 7, 7}, []float64{lo, med, hi})
}

// A run's summary with both baselines, or only the empty one.
func tableRun(accepted float64, naive bool) *Summary {
	s := &Summary{AcceptedPerSecond: accepted, CDNClosedPerSecond: accepted / 2,
		CDNIntakeToClosedMS: Percentiles{Count: 10, P50: 10 * accepted, P99: 30 * accepted}}
	s.Baselines = &Baselines{Empty: &Baseline{Kind: "empty", StartsPerSecond: 200, CompletionsPerSecond: 100}}
	if naive {
		s.Baselines.Naive = &Baseline{Kind: "naive", StartsPerSecond: 200, CompletionsPerSecond: 25, Activities: NaiveActivities}
	}
	s.Ratios = &RatioSet{Empty: s.ratiosTo(s.Baselines.Empty), Naive: s.ratiosTo(s.Baselines.Naive)}
	return s
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	WriteTable(&b, []*Summary{tableRun(50, true), tableRun(40, true), tableRun(61, false)})
	want := `| figure (3 runs) | min | median | max |
|---|---:|---:|---:|
| reports accepted/s | 40.0 | 50.0 | 61.0 |
| empty workflows started/s (baseline) | 200.0 | 200.0 | 200.0 |
| intake ratio (accepted / empty started) | 0.20 | 0.25 | 0.31 |
| CDN cases closed/s | 20.0 | 25.0 | 30.5 |
| empty workflows completed/s (baseline) | 100.0 | 100.0 | 100.0 |
| closed ratio (CDN closed / empty completed) | 0.20 | 0.25 | 0.31 |
| CDN intake-to-closed p50 (ms) | 400 | 500 | 610 |
| CDN intake-to-closed p99 (ms) | 1200 | 1500 | 1830 |
| naive workflows (6 no-op activities) completed/s (2 of 3 runs) | 25.0 | 25.0 | 25.0 |
| closed ratio to naive (CDN closed / naive completed) (2 of 3 runs) | 0.80 | 0.90 | 1.00 |
`
	require.Equal(t, want, b.String())

	// Without baselines, their rows are left out.
	b.Reset()
	s := tableRun(10, false)
	s.Baselines, s.Ratios = nil, nil
	WriteTable(&b, []*Summary{s})
	require.NotContains(t, b.String(), "baseline")
	require.Contains(t, b.String(), "| reports accepted/s | 10.0 | 10.0 | 10.0 |")
}

func TestBaselineKinds(t *testing.T) {
	for in, want := range map[string][]string{"": {"empty", "naive"}, "both": {"empty", "naive"},
		"empty": {"empty"}, "naive": {"naive"}, "none": nil} {
		ks, err := baselineKinds(in)
		require.NoError(t, err, in)
		var names []string
		for _, k := range ks {
			names = append(names, k.name)
		}
		require.Equal(t, want, names, in)
	}
	_, err := baselineKinds("fast")
	require.Error(t, err)
}
