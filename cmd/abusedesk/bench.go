package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/abusedesk/abusedesk/bench"
)

// benchCmd is the load driver (package bench): concurrent reporters over
// HTTP, case closes watched on Temporal, and the Temporal server's own
// empty-workflow rate measured in the same run.
func benchCmd() *cobra.Command {
	var c bench.Config
	var jsonFile string
	var noBaseline bool
	cmd := &cobra.Command{Use: "bench", Short: "Load driver: file reports concurrently and measure intake, closes and the server's own rate",
		Long: `bench files --reports reports from --concurrency reporters against --url
(a mix of CDN phishing/malware/copyright on the demo domains, some not our
customer, a few hosted), watches Temporal (--temporal) for each CDN case's
close event, and first measures on the same Temporal server the rate at
which it starts and completes an empty workflow (its own worker on its own
task queue). It prints a progress line on stderr and a JSON summary on
stdout (and to --json FILE). Load the demo customers first (abusedesk import --demo).

Defaults come from the configuration (http_addr, temporal_address,
temporal_namespace); the key from --key, else ABUSEDESK_BOOTSTRAP_ADMIN_KEY,
else data_dir/admin.key of the embedded default.`,
		RunE: func(cmd *cobra.Command, args []string) error {
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
			if noBaseline {
				c.Baseline = -1
			}
			c.Progress = os.Stderr
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			sum, err := bench.Run(ctx, c)
			if err != nil {
				return err
			}
			out, err := json.MarshalIndent(sum, "", "  ")
			if err != nil {
				return err
			}
			fmt.Println(string(out))
			if jsonFile != "" {
				if err := os.WriteFile(jsonFile, append(out, '\n'), 0o644); err != nil {
					return fmt.Errorf("--json: %w", err)
				}
			}
			return nil
		}}
	f := cmd.Flags()
	f.StringVar(&c.URL, "url", "", "abusedesk base URL (default public_url of the configuration)")
	f.StringVar(&c.Temporal, "temporal", "", "Temporal frontend host:port for close events and the baseline; empty: neither (default temporal_address)")
	f.StringVar(&c.Namespace, "namespace", "", "Temporal namespace (default temporal_namespace)")
	f.StringVar(&c.Key, "key", "", "analyst or admin API key: checks every case's outcome over HTTP at the end")
	f.IntVar(&c.Concurrency, "concurrency", 50, "concurrent reporters (and concurrent empty-workflow starters)")
	f.IntVar(&c.Reports, "reports", 1000, "reports to file")
	f.Float64Var(&c.Rate, "rate", 0, "reports per second over all reporters; 0: as fast as possible")
	f.StringVar(&c.Mix, "mix", "realistic", "report mix: "+bench.MixNames())
	f.IntVar(&c.Baseline, "baseline", 0, "empty workflows for the server's own rate (default: as many as --reports)")
	f.BoolVar(&noBaseline, "no-baseline", false, "skip the empty-workflow baseline")
	f.DurationVar(&c.RetryFor, "retry-for", 0, "retry a failed report (same Idempotency-Key) for up to this long")
	f.DurationVar(&c.Settle, "settle", 0, "how long to wait for cases to close / reach their state after the last report (default 2m)")
	f.BoolVar(&c.Decide, "decide", false, "decide 'violates' on every hosted case, leaving it waiting on the operator's timers")
	f.IntVar(&c.ListProbes, "list-probes", 0, "time this many GET /v1/cases?status=open&limit=50 at the end")
	f.StringVar(&jsonFile, "json", "", "also write the JSON summary to FILE")
	return cmd
}
