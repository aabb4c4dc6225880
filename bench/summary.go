package bench

import (
	"math"
	"sort"
	"time"
)

// Summary is the JSON the driver prints at the end of a run.
type Summary struct {
	Run RunInfo `json:"run"`
	// Reports counts reports by kind: sent, accepted, never accepted.
	Reports map[Kind]*Counts `json:"reports"`
	// AcceptedPerSecond: 202 answers per second, first send to last 202.
	AcceptedPerSecond float64     `json:"accepted_per_second"`
	IntakeLatencyMS   Percentiles `json:"intake_latency_ms"`
	// CDNIntakeToClosedMS: from sending the report to the close event of
	// its workflow (Temporal's timestamp), for CDN cases.
	CDNIntakeToClosedMS Percentiles `json:"cdn_intake_to_closed_ms"`
	// CDNClosedPerSecond: CDN cases closed per second, first send to last
	// close.
	CDNClosedPerSecond float64 `json:"cdn_closed_per_second"`
	// Errors counts failed attempts by kind (a retried report can count
	// more than once) and cases that did not end as expected.
	Errors map[string]int `json:"errors"`
	// Baselines are the Temporal server's own rates, measured first in the
	// same run: an empty workflow, and a naive one of six no-op activities.
	Baselines *Baselines `json:"baselines,omitempty"`
	// Ratios put the desk's rates over each baseline's.
	Ratios *RatioSet `json:"ratios,omitempty"`
	// Outcomes checks every accepted case's state over HTTP (needs a key).
	Outcomes *Outcomes `json:"outcomes,omitempty"`
	// Decisions: hosted cases moved to awaiting_operator (--decide).
	Decisions *Decisions `json:"decisions,omitempty"`
	// ListQueryMS times GET /v1/cases?status=open&limit=50.
	ListQueryMS     *Percentiles `json:"list_query_ms,omitempty"`
	DurationSeconds float64      `json:"duration_seconds"`

	// Cases lists every accepted report (for the fault tests).
	Cases []Accepted `json:"-"`
}

// RunInfo records what was run where.
type RunInfo struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Temporal    string    `json:"temporal,omitempty"`
	Namespace   string    `json:"namespace,omitempty"`
	Mix         string    `json:"mix"`
	Concurrency int       `json:"concurrency"`
	Reports     int       `json:"reports"`
	Rate        float64   `json:"rate"`
	Cores       int       `json:"cores"`
	GoVersion   string    `json:"go_version"`
	Started     time.Time `json:"started"`
	// Watch says how closes were observed.
	Watch string `json:"watch"`
}

// Counts of one kind of report.
type Counts struct {
	Sent     int `json:"sent"`
	Accepted int `json:"accepted"`
	Failed   int `json:"failed"`
}

// Baselines measured in a run, by kind (nil: not measured).
type Baselines struct {
	Empty *Baseline `json:"empty,omitempty"`
	Naive *Baseline `json:"naive,omitempty"`
}

// RatioSet holds the desk's ratios to each baseline measured.
type RatioSet struct {
	Empty *Ratios `json:"empty,omitempty"`
	Naive *Ratios `json:"naive,omitempty"`
}

// Ratios of the desk's rates to one baseline's.
type Ratios struct {
	// IntakeToStart: accepted reports per second / baseline workflow
	// starts per second.
	IntakeToStart float64 `json:"intake_to_start"`
	// ClosedToCompletion: CDN cases closed per second / baseline
	// workflows completed per second (absent without CDN closes).
	ClosedToCompletion float64 `json:"closed_to_completion,omitempty"`
}

// ratiosTo computes the desk's ratios to baseline b (nil without one).
func (s *Summary) ratiosTo(b *Baseline) *Ratios {
	if b == nil || b.StartsPerSecond <= 0 {
		return nil
	}
	r := &Ratios{IntakeToStart: round(s.AcceptedPerSecond/b.StartsPerSecond, 2)}
	if s.CDNClosedPerSecond > 0 && b.CompletionsPerSecond > 0 {
		r.ClosedToCompletion = round(s.CDNClosedPerSecond/b.CompletionsPerSecond, 2)
	}
	return r
}

// Outcomes of the accepted cases, read back over HTTP.
type Outcomes struct {
	Checked  int            `json:"checked"`
	Expected int            `json:"as_expected"`
	ByState  map[string]int `json:"by_state"`
	// Wrong lists up to 20 cases that did not reach their state in time.
	Wrong []string `json:"wrong,omitempty"`
}

// Decisions made by --decide.
type Decisions struct {
	Cases     int         `json:"cases"`
	Applied   int         `json:"applied"`
	PerSecond float64     `json:"per_second"`
	LatencyMS Percentiles `json:"latency_ms"`
	// ToOperatorWaitSeconds: first report sent to the last case waiting on
	// the operator.
	ToOperatorWaitSeconds float64 `json:"to_operator_wait_seconds"`
}

// Percentiles of a latency sample, in milliseconds.
type Percentiles struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
	Mean  float64 `json:"mean"`
}

// percentiles summarises ds (nearest-rank).
func percentiles(ds []time.Duration) Percentiles {
	if len(ds) == 0 {
		return Percentiles{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	ms := func(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(s)))) - 1
		if i < 0 {
			i = 0
		}
		return ms(s[i])
	}
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Percentiles{Count: len(s), P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: ms(s[len(s)-1]),
		Mean: ms(sum / time.Duration(len(s)))}
}

// rate is n per second over d, rounded to 0.1.
func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return round(float64(n)/d.Seconds(), 1)
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
