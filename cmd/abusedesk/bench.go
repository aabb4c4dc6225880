package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/abusedesk/abusedesk/bench"
)

// benchCmd is the load driver (package bench): concurrent reporters over
// HTTP, case closes watched on Temporal, and the Temporal server's own
// rates (an empty and a naive six-activity workflow) measured in the same
// run; --runs repeats it and prints the README's table.
func benchCmd() *cobra.Command {
	var c bench.Config
	var o benchOut
	var baseline string
	var noBaseline, check bool
	cmd := &cobra.Command{Use: "bench", Short: "Load driver: file reports concurrently and measure intake, closes and the server's own rate",
		Long: `bench files --reports reports from --concurrency reporters against --url
(a mix of CDN phishing/malware/copyright on the demo domains, some not our
customer, a few hosted), watches Temporal (--temporal) for each CDN case's
close event, and first measures on the same Temporal server the rates at
which it starts and completes its baselines (its own worker on its own task
queue): an empty workflow, and a naive one of six sequential no-op
activities (--baseline). It prints a progress line and a summary for people
on stderr and a JSON summary on stdout (and to --json FILE). With --runs N
it runs N times, writes each run's JSON (FILE.run1.json, ...; default
bench.json) and prints the min/median/max of each figure as a Markdown
table. Load the demo customers first (abusedesk import --demo).

Defaults come from the configuration (http_addr, temporal_address,
temporal_namespace); the key from --key, else ABUSEDESK_BOOTSTRAP_ADMIN_KEY,
else data_dir/admin.key of the embedded default.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := benchDefaults(cmd, &c); err != nil {
				return err
			}
			benchBaseline(&c, baseline, noBaseline)
			c.NoCheck = !check
			c.Progress = os.Stderr
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if o.runs > 1 {
				return o.repeat(ctx, c)
			}
			sum, err := bench.Run(ctx, c)
			if err != nil {
				return err
			}
			sum.WriteText(os.Stderr)
			return o.writeJSON(sum, o.json, true)
		}}
	f := cmd.Flags()
	f.StringVar(&c.URL, "url", "", "abusedesk base URL (default public_url of the configuration)")
	f.StringVar(&c.Temporal, "temporal", "", "Temporal frontend host:port for close events and the baselines; empty: neither (default temporal_address)")
	f.StringVar(&c.Namespace, "namespace", "", "Temporal namespace (default temporal_namespace)")
	f.StringVar(&c.Key, "key", "", "analyst or admin API key: checks every case's outcome over HTTP at the end")
	f.IntVar(&c.Concurrency, "concurrency", 50, "concurrent reporters (and concurrent baseline-workflow starters)")
	f.IntVar(&c.Reports, "reports", 1000, "reports to file")
	f.Float64Var(&c.Rate, "rate", 0, "reports per second over all reporters; 0: as fast as possible")
	f.StringVar(&c.Mix, "mix", "realistic", "report mix: "+bench.MixNames())
	f.StringVar(&baseline, "baseline", bench.BaselineBoth, "the server's own rate, measured first: empty (an empty workflow), naive (six sequential no-op activities), both or none; a number N means --baseline-workflows N")
	f.IntVar(&c.Baseline, "baseline-workflows", 0, "workflows each baseline starts (default: as many as --reports)")
	f.BoolVar(&noBaseline, "no-baseline", false, "skip the baselines (--baseline none)")
	f.DurationVar(&c.RetryFor, "retry-for", 0, "retry a failed report (same Idempotency-Key) for up to this long")
	f.DurationVar(&c.Settle, "settle", 0, "how long to wait for cases to close / reach their state after the last report (default 2m)")
	f.BoolVar(&c.Decide, "decide", false, "decide 'violates' on every hosted case, leaving it waiting on the operator's timers")
	f.BoolVar(&check, "check", true, "with --key, read every case's state back over HTTP at the end")
	f.IntVar(&c.ListProbes, "list-probes", 0, "time this many GET /v1/cases?status=open&limit=50 at the end")
	f.StringVar(&o.json, "json", "", "also write the JSON summary to FILE (with --runs: FILE.runK.json, default bench.json)")
	f.IntVar(&o.runs, "runs", 1, "run the bench this many times and print min/median/max of each figure as a Markdown table")
	f.DurationVar(&o.pause, "pause", 15*time.Second, "with --runs: pause between runs, for the server to settle")
	return cmd
}

// benchDefaults fills c's unset connection settings from the configuration.
func benchDefaults(cmd *cobra.Command, c *bench.Config) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if c.URL == "" {
		c.URL = cfg.PublicURL
	}
	if !cmd.Flags().Changed("temporal") {
		c.Temporal = cfg.TemporalAddress
	}
	if c.Namespace == "" {
		c.Namespace = cfg.TemporalNamespace
	}
	if c.Key == "" {
		c.Key = cfg.BootstrapAdminKey
	}
	if c.Key == "" {
		if b, err := os.ReadFile(filepath.Join(cfg.DataDir, "admin.key")); err == nil {
			c.Key = strings.TrimSpace(string(b))
		}
	}
	return nil
}

// benchBaseline reads --baseline (a kind, or the older count) and
// --no-baseline into c.
func benchBaseline(c *bench.Config, baseline string, none bool) {
	if n, err := strconv.Atoi(strings.TrimSpace(baseline)); err == nil {
		if c.Baseline == 0 {
			c.Baseline = n
		}
		baseline = bench.BaselineBoth
		if n < 0 {
			baseline = bench.BaselineNone
		}
	}
	c.Baselines = baseline
	if none || strings.EqualFold(baseline, bench.BaselineNone) {
		c.Baselines, c.Baseline = bench.BaselineNone, -1
	}
}

// benchOut is where bench's results go.
type benchOut struct {
	json  string
	runs  int
	pause time.Duration
}

// repeat runs the bench o.runs times, writing each run's JSON, and prints
// the table of min/median/max.
func (o benchOut) repeat(ctx context.Context, c bench.Config) error {
	base := o.json
	if base == "" {
		base = "bench.json"
	}
	ext := filepath.Ext(base)
	sums, err := bench.Repeat(ctx, c, o.runs, o.pause, func(k int, s *bench.Summary) error {
		s.WriteText(os.Stderr)
		file := fmt.Sprintf("%s.run%d%s", strings.TrimSuffix(base, ext), k, ext)
		fmt.Fprintf(os.Stderr, "run %d: JSON in %s\n", k, file)
		return o.writeJSON(s, file, false)
	})
	if len(sums) > 0 {
		bench.WriteTable(os.Stdout, sums)
	}
	return err
}

// writeJSON writes the summary to file (if any) and, when stdout is set,
// prints it.
func (o benchOut) writeJSON(sum *bench.Summary, file string, stdout bool) error {
	out, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	if stdout {
		fmt.Println(string(out))
	}
	if file != "" {
		if err := os.WriteFile(file, append(out, '\n'), 0o644); err != nil {
			return fmt.Errorf("--json: %w", err)
		}
	}
	return nil
}
