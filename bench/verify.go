package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"
)

// CaseState is the part of GET /v1/cases/{id} the driver reads.
type CaseState struct {
	CaseID  string `json:"case_id"`
	Status  string `json:"status"`
	Outcome string `json:"outcome"`
}

// Reached says whether a case is in its expected state.
func (e Expect) Reached(c CaseState) bool {
	return c.Status == e.Status && (e.Outcome == "" || c.Outcome == e.Outcome)
}

// API is the analyst side of abusedesk's HTTP API, for checks.
type API struct {
	URL    string
	Key    string
	Client *http.Client
	// Progress, when set, gets a status line of the long checks.
	Progress io.Writer
}

// Case reads one case.
func (a API) Case(ctx context.Context, id string) (CaseState, error) {
	var c CaseState
	code, raw, err := a.do(ctx, http.MethodGet, "/v1/cases/"+id, nil)
	if err != nil {
		return c, err
	}
	if code != http.StatusOK {
		return c, fmt.Errorf("GET case %s: %d %s", id, code, raw)
	}
	return c, json.Unmarshal(raw, &c)
}

func (a API) do(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.URL+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.Key)
	req.Header.Set("Content-Type", "application/json")
	c := a.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// WaitStates polls every case until it reaches its expected state or the
// timeout passes, and reports the states seen.
func (a API) WaitStates(ctx context.Context, cases []Accepted, concurrency int, timeout time.Duration) Outcomes {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out := Outcomes{Checked: len(cases), ByState: map[string]int{}}
	var mu sync.Mutex
	checked := 0
	defer statusLine(a.Progress, time.Second, func() string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("checked %d/%d cases, %d as expected", checked, len(cases), out.Expected)
	})()
	forEach(len(cases), concurrency, func(i int) {
		c := cases[i]
		var last CaseState
		var err error
		for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
			last, err = a.Case(ctx, c.CaseID)
			if err == nil && c.Expect.Reached(last) {
				break
			}
			select {
			case <-ctx.Done():
			case <-time.After(wait):
				continue
			}
			break
		}
		mu.Lock()
		defer mu.Unlock()
		checked++
		state := last.Status
		if last.Outcome != "" {
			state += "/" + last.Outcome
		}
		if err != nil {
			state = "error"
		}
		out.ByState[state]++
		if err == nil && c.Expect.Reached(last) {
			out.Expected++
		} else if len(out.Wrong) < 20 {
			out.Wrong = append(out.Wrong, fmt.Sprintf("%s (%s): %s, want %s %s", c.CaseID, c.Template, state, c.Expect.Status, c.Expect.Outcome))
		}
	})
	sort.Strings(out.Wrong)
	return out
}

// decide sends "violates" to every hosted case (retrying while it is
// still being classified); the case then disables the content, notifies
// the operator and waits on the reminder and deadline timers. It sets the
// expected state of each decided case to awaiting_operator.
func (a API) decide(ctx context.Context, cases []Accepted, concurrency int, timeout time.Duration) *Decisions {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var hosted []int
	for i, c := range cases {
		if c.Kind == KindHosted {
			hosted = append(hosted, i)
		}
	}
	d := &Decisions{Cases: len(hosted)}
	var mu sync.Mutex
	var lat []time.Duration
	start := time.Now()
	defer statusLine(a.Progress, time.Second, func() string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf("decided %d/%d hosted cases  %.1f/s", d.Applied, d.Cases, rate(d.Applied, time.Since(start)))
	})()
	body := map[string]any{"verdict": "violates", "clause": "malware", "reason": "load test: malware distribution"}
	forEach(len(hosted), concurrency, func(k int) {
		i := hosted[k]
		for wait := 100 * time.Millisecond; ctx.Err() == nil; wait = min(2*wait, 2*time.Second) {
			// Ask the read model first: a decision sent while the case is
			// still being classified is refused, but only after a trip
			// through the workflow (an update's validator runs there).
			if st, err := a.Case(ctx, cases[i].CaseID); err != nil || st.Status != "awaiting_analyst" {
				select {
				case <-ctx.Done():
				case <-time.After(wait):
				}
				continue
			}
			s := time.Now()
			code, _, err := a.do(ctx, http.MethodPost, "/v1/cases/"+cases[i].CaseID+"/decisions", body)
			if err == nil && code == http.StatusOK {
				mu.Lock()
				lat = append(lat, time.Since(s))
				d.Applied++
				cases[i].Expect = Expect{Status: "awaiting_operator"}
				mu.Unlock()
				return
			}
			// 409: still classifying; anything else: retry until timeout.
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		}
	})
	d.PerSecond = rate(d.Applied, time.Since(start))
	d.LatencyMS = percentiles(lat)
	return d
}

// ListProbe times n list queries of the analyst's open queue.
func (a API) ListProbe(ctx context.Context, n int) (Percentiles, error) {
	var lat []time.Duration
	for i := 0; i < n; i++ {
		s := time.Now()
		code, raw, err := a.do(ctx, http.MethodGet, "/v1/cases?status=open&limit=50", nil)
		if err != nil {
			return Percentiles{}, err
		}
		if code != http.StatusOK {
			return Percentiles{}, fmt.Errorf("list cases: %d %s", code, raw)
		}
		lat = append(lat, time.Since(s))
	}
	return percentiles(lat), nil
}

// forEach runs fn(0..n-1) on concurrency goroutines.
func forEach(n, concurrency int, fn func(i int)) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for g := 0; g < concurrency; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}
