package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Config is one run of the driver.
type Config struct {
	// URL is abusedesk's HTTP base URL, e.g. http://127.0.0.1:8080.
	URL string
	// Temporal is the Temporal frontend host:port; empty: no watching of
	// case closes and no baseline (the fault tests verify over HTTP).
	Temporal  string
	Namespace string
	// Key is an analyst or admin API key: outcome checks, decisions and
	// list probes use it, and reports are filed with it (exempt from the
	// intake rate limits); empty skips the checks.
	Key         string
	Concurrency int
	Reports     int
	// Rate is reports per second over all reporters; 0: as fast as they go.
	Rate float64
	// Mix names a template set of Mixes (default "realistic").
	Mix string
	// Baseline is how many workflows each baseline starts to measure the
	// server's own rate (0: Reports; negative: no baseline).
	Baseline int
	// Baselines names the baselines to measure: "empty", "naive", "both"
	// (the default, "") or "none".
	Baselines string
	// RetryFor retries a report that failed in transport or with a 5xx,
	// with the same Idempotency-Key, for up to this long (0: no retries).
	RetryFor time.Duration
	// Settle bounds the wait for cases to close and to reach their
	// expected state after the last report (default 2m).
	Settle time.Duration
	// Decide sends a "violates" decision to every hosted case once it
	// awaits the analyst, leaving it waiting on the operator's timers.
	Decide bool
	// NoCheck skips reading every case's state back over HTTP at the end
	// (decisions are still made): the capacity measurement counts the
	// desk's CPU, not the checks'.
	NoCheck bool
	// ListProbes times that many GET /v1/cases?status=open&limit=50 at the
	// end (needs Key).
	ListProbes int
	// Run names this run in URLs and idempotency keys (default random).
	Run string
	// Progress receives the \r-updated progress line (nil: none).
	Progress io.Writer
	// OnAccepted, when set, is called for every accepted report (the
	// fault tests kill processes part-way through a load).
	OnAccepted func(n int)
}

func (c *Config) defaults() error {
	if c.URL == "" {
		return errors.New("bench: URL is required")
	}
	c.URL = strings.TrimRight(c.URL, "/")
	if c.Namespace == "" {
		c.Namespace = "default"
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 20
	}
	if c.Reports <= 0 {
		c.Reports = 1000
	}
	if c.Mix == "" {
		c.Mix = "realistic"
	}
	if _, ok := Mixes[c.Mix]; !ok {
		return fmt.Errorf("bench: unknown mix %q (one of %s)", c.Mix, MixNames())
	}
	if c.Baseline == 0 {
		c.Baseline = c.Reports
	}
	if _, err := baselineKinds(c.Baselines); err != nil {
		return err
	}
	if c.Settle <= 0 {
		c.Settle = 2 * time.Minute
	}
	if c.Run == "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		c.Run = hex.EncodeToString(b)
	}
	return nil
}

// Accepted is one report the desk accepted (202).
type Accepted struct {
	Index    int       `json:"index"`
	CaseID   string    `json:"case_id"`
	Template string    `json:"template"`
	Kind     Kind      `json:"kind"`
	Expect   Expect    `json:"expect"`
	SentAt   time.Time `json:"sent_at"`
	// Latency is the successful attempt's time to the 202.
	Latency time.Duration `json:"latency"`
	// Attempts counts the tries it took (retries after a failure).
	Attempts int `json:"attempts"`
}

// httpClient is sized for the reporters: one idle connection each.
func httpClient(concurrency int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = concurrency * 2
	t.MaxIdleConnsPerHost = concurrency * 2
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}

// filer files reports and records what happened.
type filer struct {
	cfg    *Config
	client *http.Client

	// onAccept sees every accepted report (the close watcher).
	onAccept func(Accepted)

	mu       sync.Mutex
	accepted []Accepted
	errors   map[string]int
	sent     int
	byKind   map[Kind]*Counts
	first    time.Time
	last     time.Time
}

func newFiler(cfg *Config) *filer {
	return &filer{cfg: cfg, client: httpClient(cfg.Concurrency), errors: map[string]int{}, byKind: map[Kind]*Counts{}}
}

func (f *filer) kind(k Kind) *Counts {
	c := f.byKind[k]
	if c == nil {
		c = &Counts{}
		f.byKind[k] = c
	}
	return c
}

func (f *filer) fail(kind string) {
	f.mu.Lock()
	f.errors[kind]++
	f.mu.Unlock()
}

// file sends report r until accepted, rejected, or out of retries.
func (f *filer) file(ctx context.Context, r Report) {
	body, _ := json.Marshal(r.Body)
	key := fmt.Sprintf("bench-%s-%d", f.cfg.Run, r.Index)
	start := time.Now()
	f.mu.Lock()
	f.sent++
	f.kind(r.Template.Kind).Sent++
	if f.first.IsZero() {
		f.first = start
	}
	f.mu.Unlock()
	backoff := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		t0 := time.Now()
		id, kind, err := f.post(ctx, body, key)
		if err == nil {
			f.accept(Accepted{Index: r.Index, CaseID: id, Template: r.Template.Name, Kind: r.Template.Kind,
				Expect: r.Template.Expect, SentAt: start, Latency: time.Since(t0), Attempts: attempt})
			return
		}
		f.fail(kind)
		if !retryable(kind) || f.cfg.RetryFor <= 0 || time.Since(start) > f.cfg.RetryFor || !sleep(ctx, backoff) {
			f.mu.Lock()
			f.kind(r.Template.Kind).Failed++
			f.mu.Unlock()
			return
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// accept records an accepted report and tells whoever listens.
func (f *filer) accept(a Accepted) {
	f.mu.Lock()
	f.accepted = append(f.accepted, a)
	f.kind(a.Kind).Accepted++
	f.last = time.Now()
	n := len(f.accepted)
	f.mu.Unlock()
	if f.onAccept != nil {
		f.onAccept(a)
	}
	if f.cfg.OnAccepted != nil {
		f.cfg.OnAccepted(n)
	}
}

// retryable failures are the ones a retry with the same Idempotency-Key
// can cure: the desk unreachable, or unavailable for now.
func retryable(kind string) bool {
	switch kind {
	case "connection_refused", "connection_reset", "timeout", "transport", "http_429":
		return true
	}
	return strings.HasPrefix(kind, "http_5")
}

// sleep waits d, or returns false when ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// post sends one attempt. kind names the failure ("" on success).
func (f *filer) post(ctx context.Context, body []byte, key string) (caseID, kind string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.cfg.URL+"/v1/reports", bytes.NewReader(body))
	if err != nil {
		return "", "request", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	if f.cfg.Key != "" {
		// A trusted reporter: the desk's intake rate limits exempt
		// requests with a valid API key.
		req.Header.Set("Authorization", "Bearer "+f.cfg.Key)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return "", transportKind(err), err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		return "", fmt.Sprintf("http_%d", resp.StatusCode), fmt.Errorf("status %d: %s", resp.StatusCode, raw)
	}
	var out struct {
		CaseID string `json:"case_id"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.CaseID == "" {
		return "", "bad_answer", fmt.Errorf("202 without a case id: %s", raw)
	}
	return out.CaseID, "", nil
}

// transportKind classifies a failed request.
func transportKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection_refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.EPIPE):
		return "connection_reset"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	}
	return "transport"
}

// fileAll runs the reporters over every report of the run, paced to Rate.
func (f *filer) fileAll(ctx context.Context, mix []Template) {
	jobs := make(chan Report)
	var wg sync.WaitGroup
	for w := 0; w < f.cfg.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range jobs {
				f.file(ctx, r)
			}
		}()
	}
	var tick *time.Ticker
	if f.cfg.Rate > 0 {
		tick = time.NewTicker(time.Duration(float64(time.Second) / f.cfg.Rate))
		defer tick.Stop()
	}
feed:
	for i := 0; i < f.cfg.Reports; i++ {
		if tick != nil {
			select {
			case <-ctx.Done():
				break feed
			case <-tick.C:
			}
		}
		select {
		case <-ctx.Done():
			break feed
		case jobs <- NewReport(mix, f.cfg.Run, i):
		}
	}
	close(jobs)
	wg.Wait()
}

func (f *filer) snapshot() (sent, accepted, failed int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.errors {
		failed += n
	}
	return f.sent, len(f.accepted), failed
}
