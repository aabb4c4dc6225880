package bench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
)

// TestDriverAgainstTheDesk runs a small load against the whole desk
// in-process and checks the driver's own expectations: every report is
// accepted and reaches its template's state, and the SMTP server gets
// exactly the notices the templates expect, each once.
func TestDriverAgainstTheDesk(t *testing.T) {
	// Every report names one reporter, whose receipts are all counted.
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_REPORTER_MAIL_PER_HOUR": "0"}})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sum, err := Run(ctx, Config{URL: env.URL, Temporal: env.App.Cfg.TemporalAddress, Namespace: env.App.Cfg.TemporalNamespace,
		Key: testenv.AdminKey, Concurrency: 8, Reports: 40, Baseline: 20, Settle: time.Minute})
	require.NoError(t, err)

	require.Len(t, sum.Cases, 40)
	require.Empty(t, sum.Errors)
	require.Equal(t, 40, sum.Outcomes.Expected, sum.Outcomes.Wrong)
	require.Equal(t, 32, sum.CDNIntakeToClosedMS.Count, "realistic mix: 80% CDN")
	// Both baselines (the default), each measured in full, and the desk's
	// ratios to each.
	for kind, b := range map[string]*Baseline{"empty": sum.Baselines.Empty, "naive": sum.Baselines.Naive} {
		require.NotNil(t, b, kind)
		require.Equal(t, kind, b.Kind)
		require.Greater(t, b.StartsPerSecond, 0.0, kind)
		require.Greater(t, b.CompletionsPerSecond, 0.0, kind)
		require.Equal(t, 20, b.StartToCloseMS.Count, kind)
		require.Empty(t, b.Errors, kind)
	}
	require.Equal(t, NaiveActivities, sum.Baselines.Naive.Activities)
	for kind, r := range map[string]*Ratios{"empty": sum.Ratios.Empty, "naive": sum.Ratios.Naive} {
		require.NotNil(t, r, kind)
		require.Greater(t, r.IntakeToStart, 0.0, kind)
		require.Greater(t, r.ClosedToCompletion, 0.0, kind)
	}
	var text strings.Builder
	sum.WriteText(&text)
	require.Contains(t, text.String(), "empty baseline:")
	require.Contains(t, text.String(), "naive baseline:")

	want := 0
	for _, c := range sum.Cases {
		want += c.Expect.Notices
	}
	require.True(t, env.Sink.WaitFor(30*time.Second, func(m []smtpsink.Message) bool { return len(m) >= want }))
	time.Sleep(time.Second) // nothing more may arrive
	require.Len(t, env.Sink.Messages(), want)
	require.Zero(t, env.Sink.Duplicates())
}

func TestMixInterleavesEveryHundred(t *testing.T) {
	for name, mix := range Mixes {
		seen := map[string]int{}
		for i := 300; i < 400; i++ {
			seen[NewReport(mix, "r", i).Template.Name]++
		}
		for _, tpl := range mix {
			require.Equal(t, tpl.Weight, seen[tpl.Name], "%s: %s", name, tpl.Name)
		}
	}
}

func TestPercentiles(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	p := percentiles(ds)
	require.Equal(t, Percentiles{Count: 100, P50: 50, P90: 90, P99: 99, Max: 100, Mean: 50.5}, p)
	require.Equal(t, Percentiles{}, percentiles(nil))
}

// BenchmarkIntake runs the driver against the whole desk in-process
// (embedded Temporal on SQLite, worker, HTTP server, loopback SMTP): b.N
// reports from 20 reporters, as fast as they go.
//
//	go test -run '^$' -bench Intake -benchtime 300x ./bench/
//
// Add -cpuprofile cpu.out to see where the desk spends its time.
//
// ABUSEDESK_BENCH_RATE paces the reports (reports/s; default: as fast as
// they go) and ABUSEDESK_BENCH_CONCURRENCY sets the reporters (default 20).
func BenchmarkIntake(b *testing.B) {
	env := testenv.Start(b, testenv.Options{})
	ctx := context.Background()
	rate, _ := strconv.ParseFloat(os.Getenv("ABUSEDESK_BENCH_RATE"), 64)
	conc, _ := strconv.Atoi(os.Getenv("ABUSEDESK_BENCH_CONCURRENCY"))
	if conc == 0 {
		conc = 20
	}
	b.ResetTimer()
	sum, err := Run(ctx, Config{URL: env.URL, Temporal: env.App.Cfg.TemporalAddress, Namespace: env.App.Cfg.TemporalNamespace,
		Concurrency: conc, Reports: b.N, Rate: rate, Baseline: -1, Settle: 5 * time.Minute})
	require.NoError(b, err)
	b.StopTimer()
	b.ReportMetric(sum.AcceptedPerSecond, "accepted/s")
	b.ReportMetric(sum.IntakeLatencyMS.P99, "intake-p99-ms")
	b.ReportMetric(sum.CDNIntakeToClosedMS.P50, "cdn-closed-p50-ms")
	b.ReportMetric(sum.CDNClosedPerSecond, "cdn-closed/s")
}
