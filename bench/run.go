package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sort"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// caseWorkflowID is abusedesk's workflow ID of a case (workflows.CaseWorkflowID;
// not imported, so the driver depends on the API contract only).
func caseWorkflowID(caseID string) string { return "AbuseCase:" + caseID }

// Run drives one load and returns its summary. Failed reports are counted,
// not returned as errors; an error means the run itself could not go on.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	sum := &Summary{
		Run: RunInfo{ID: cfg.Run, URL: cfg.URL, Temporal: cfg.Temporal, Namespace: cfg.Namespace, Mix: cfg.Mix,
			Concurrency: cfg.Concurrency, Reports: cfg.Reports, Rate: cfg.Rate, Cores: runtime.NumCPU(),
			GoVersion: runtime.Version(), Started: time.Now().UTC(), Watch: "none"},
		Errors: map[string]int{},
	}
	var tc client.Client
	if cfg.Temporal != "" {
		var err error
		if tc, err = dialTemporal(ctx, &cfg, sum); err != nil {
			return nil, err
		}
		defer tc.Close()
	}
	t0 := time.Now()
	f := newFiler(&cfg)
	closes := fileAll(ctx, &cfg, f, tc)
	first := summarize(sum, f)
	if tc != nil {
		cdnClosed(sum, closes, first)
	}
	if b := sum.Baselines; b != nil {
		sum.Ratios = &RatioSet{Empty: sum.ratiosTo(b.Empty), Naive: sum.ratiosTo(b.Naive)}
	}
	if cfg.Key != "" {
		checkCases(ctx, &cfg, sum, f, t0)
	}
	sum.DurationSeconds = round(time.Since(t0).Seconds(), 1)
	return sum, nil
}

// dialTemporal connects to Temporal to watch the cases' workflows close,
// and first measures the server's own rates for the baselines cfg asks for
// (cfg.Baselines: empty, naive, or both, one after the other).
func dialTemporal(ctx context.Context, cfg *Config, sum *Summary) (client.Client, error) {
	tc, err := client.DialContext(ctx, client.Options{HostPort: cfg.Temporal, Namespace: cfg.Namespace,
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		return nil, fmt.Errorf("bench: temporal %s: %w", cfg.Temporal, err)
	}
	sum.Run.Watch = "temporal close event (GetWorkflowExecutionHistory long poll)"
	kinds, _ := baselineKinds(cfg.Baselines) // checked by defaults
	if cfg.Baseline <= 0 {
		kinds = nil
	}
	for _, k := range kinds {
		progress(cfg, "measuring the server's %s-workflow rate (%d workflows)...", k.name, cfg.Baseline)
		b, err := runBaseline(ctx, tc, cfg.Run, k, cfg.Baseline, cfg.Concurrency)
		if err != nil {
			tc.Close()
			return nil, err
		}
		if sum.Baselines == nil {
			sum.Baselines = &Baselines{}
		}
		if k.name == BaselineNaive {
			sum.Baselines.Naive = &b
		} else {
			sum.Baselines.Empty = &b
		}
		progress(cfg, " %.1f starts/s, %.1f completions/s\n", b.StartsPerSecond, b.CompletionsPerSecond)
	}
	return tc, nil
}

// fileAll files every report of the mix and, with a Temporal client,
// watches the CDN cases' workflows until they close or cfg.Settle passes
// after the last report; it returns the closes by workflow id.
func fileAll(ctx context.Context, cfg *Config, f *filer, tc client.Client) map[string]closed {
	closes := map[string]closed{}
	if tc == nil {
		stopProgress := showProgress(cfg, f, nil)
		f.fileAll(ctx, Mixes[cfg.Mix])
		stopProgress()
		return closes
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	w := newWatcher(watchCtx, tc, watchers)
	f.onAccept = func(a Accepted) {
		if a.Kind == KindCDN {
			w.watch(caseWorkflowID(a.CaseID))
		}
	}
	settled := make(chan struct{})
	go func() {
		defer close(settled)
		for c := range w.out {
			closes[c.ID] = c
		}
	}()
	stopProgress := showProgress(cfg, f, w)
	f.fileAll(ctx, Mixes[cfg.Mix])
	w.closeInput()
	select {
	case <-settled:
	case <-time.After(cfg.Settle):
		stopWatch()
		<-settled
	}
	stopProgress()
	return closes
}

// summarize copies the filer's results into sum and returns when the
// first report was accepted.
func summarize(sum *Summary, f *filer) time.Time {
	f.mu.Lock()
	sum.Cases = append([]Accepted(nil), f.accepted...)
	sum.Reports = f.byKind
	for k, n := range f.errors {
		sum.Errors[k] += n
	}
	first, last := f.first, f.last
	f.mu.Unlock()
	sort.Slice(sum.Cases, func(i, j int) bool { return sum.Cases[i].Index < sum.Cases[j].Index })
	var lat []time.Duration
	for _, c := range sum.Cases {
		lat = append(lat, c.Latency)
	}
	sum.IntakeLatencyMS = percentiles(lat)
	sum.AcceptedPerSecond = rate(len(sum.Cases), last.Sub(first))
	return first
}

// checkCases decides the hosted cases when asked, then checks over HTTP
// that every case reached its expected state, and probes the case list.
func checkCases(ctx context.Context, cfg *Config, sum *Summary, f *filer, t0 time.Time) {
	api := API{URL: cfg.URL, Key: cfg.Key, Client: f.client, Progress: cfg.Progress}
	if cfg.Decide {
		progress(cfg, "deciding hosted cases...\n")
		sum.Decisions = api.decide(ctx, sum.Cases, cfg.Concurrency, cfg.Settle)
	}
	if !cfg.NoCheck {
		progress(cfg, "checking %d cases over HTTP...\n", len(sum.Cases))
		o := api.WaitStates(ctx, sum.Cases, cfg.Concurrency, cfg.Settle)
		sum.Outcomes = &o
		if d := sum.Decisions; d != nil {
			d.ToOperatorWaitSeconds = round(time.Since(t0).Seconds(), 1)
		}
		if n := o.Checked - o.Expected; n > 0 {
			sum.Errors["case_not_in_expected_state"] = n
		}
	}
	if cfg.ListProbes > 0 {
		p, err := api.ListProbe(ctx, cfg.ListProbes)
		if err != nil {
			sum.Errors["list_query"]++
		} else {
			sum.ListQueryMS = &p
		}
	}
}

// cdnClosed fills the intake-to-closed figures of the CDN cases.
func cdnClosed(sum *Summary, closes map[string]closed, first time.Time) {
	var toClosed []time.Duration
	var lastClose time.Time
	for _, c := range sum.Cases {
		if c.Kind != KindCDN {
			continue
		}
		cl, ok := closes[caseWorkflowID(c.CaseID)]
		switch {
		case !ok || cl.Err != nil:
			sum.Errors["cdn_not_closed_in_time"]++
		case cl.Status != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
			sum.Errors["workflow_"+closeName(cl.Status)]++
		default:
			toClosed = append(toClosed, cl.At.Sub(c.SentAt))
			if cl.At.After(lastClose) {
				lastClose = cl.At
			}
		}
	}
	sum.CDNIntakeToClosedMS = percentiles(toClosed)
	sum.CDNClosedPerSecond = rate(len(toClosed), lastClose.Sub(first))
}

func closeName(t enumspb.EventType) string {
	switch t {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
		return "failed"
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
		return "terminated"
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
		return "timed_out"
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
		return "canceled"
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
		return "continued_as_new"
	}
	return "closed_" + t.String()
}

// progress prints a line to the progress writer, if any.
func progress(cfg *Config, format string, args ...any) {
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, format, args...)
	}
}

// showProgress rewrites the filing status line until stopped.
func showProgress(cfg *Config, f *filer, w *watcher) func() {
	return statusLine(cfg.Progress, 500*time.Millisecond, func() string {
		sent, acc, failed := f.snapshot()
		f.mu.Lock()
		r := rate(acc, f.last.Sub(f.first))
		f.mu.Unlock()
		s := fmt.Sprintf("sent %d/%d  accepted %d  failed attempts %d  %.1f accepted/s", sent, cfg.Reports, acc, failed, r)
		if w != nil {
			s += fmt.Sprintf("  cdn closed %d", w.count())
		}
		return s
	})
}

// statusLine rewrites line() on out every period until stopped, then ends
// the line. A nil out shows nothing.
func statusLine(out io.Writer, every time.Duration, line func() string) (stop func()) {
	if out == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprintln(out, "\r"+line()+"   ")
				return
			case <-t.C:
				fmt.Fprint(out, "\r"+line()+"   ")
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
