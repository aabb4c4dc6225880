// Package transparency computes abusedesk's transparency report from its
// database (cases, notices, decisions, operator replies, terminations and
// the audit log's entries), never by scanning Temporal: per month, by report
// category and by service, how many reports came in, how many were
// forwarded, decided, restricted, restored and counter-noticed, the
// terminations by service and reason (CSAM on its own), and the median time
// from a report to the first action on it. It carries counts only: no case
// ids, domains or names.
package transparency

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Counts are the figures of one cell of the report (a month, or a month and
// a category or service).
type Counts struct {
	ReportsReceived      int64 `json:"reports_received"`
	ForwardedToOperators int64 `json:"forwarded_to_operators"`
	ForwardedToHosts     int64 `json:"forwarded_to_hosts"`
	NotOurCustomer       int64 `json:"not_our_customer"`
	DecisionsViolates    int64 `json:"hosted_decisions_violates"`
	DecisionsNoViolation int64 `json:"hosted_decisions_no_violation"`
	ContentDisabled      int64 `json:"content_disabled"`
	ContentRemoved       int64 `json:"content_removed"`
	// RemovedByOperator counts website operators' answers that they
	// removed the content themselves after our notice; ContentRemoved
	// counts only our own permanent removals.
	RemovedByOperator int64 `json:"removed_by_operator"`
	ContentRestored   int64 `json:"content_restored"`
	CounterNotices    int64 `json:"counter_notices"`
	DomainsSuspended  int64 `json:"domains_suspended"`
	Terminations      int64 `json:"terminations"`
	// FirstActionCases is how many of the reports received in the cell
	// have been acted on; MedianFirstActionSeconds is the median time from
	// their receipt to the first action (nil when none).
	FirstActionCases         int64    `json:"first_action_cases"`
	MedianFirstActionSeconds *float64 `json:"median_first_action_seconds"`

	waits []float64
}

// Metrics lists the counted figures in report order with their names, for
// the CSV and HTML renderings.
var Metrics = []struct {
	Name  string
	Label string
	Get   func(*Counts) *int64
}{
	{"reports_received", "Reports received", func(c *Counts) *int64 { return &c.ReportsReceived }},
	{"forwarded_to_operators", "Forwarded to website operators", func(c *Counts) *int64 { return &c.ForwardedToOperators }},
	{"forwarded_to_hosts", "Forwarded to hosting providers", func(c *Counts) *int64 { return &c.ForwardedToHosts }},
	{"not_our_customer", "Not our customer", func(c *Counts) *int64 { return &c.NotOurCustomer }},
	{"hosted_decisions_violates", "Hosted content: violates", func(c *Counts) *int64 { return &c.DecisionsViolates }},
	{"hosted_decisions_no_violation", "Hosted content: no violation", func(c *Counts) *int64 { return &c.DecisionsNoViolation }},
	{"content_disabled", "Content disabled", func(c *Counts) *int64 { return &c.ContentDisabled }},
	{"content_removed", "Content removed by us (no answer by the deadline, or CSAM)", func(c *Counts) *int64 { return &c.ContentRemoved }},
	{"removed_by_operator", "Content removed by the website operator after our notice", func(c *Counts) *int64 { return &c.RemovedByOperator }},
	{"content_restored", "Content restored", func(c *Counts) *int64 { return &c.ContentRestored }},
	{"counter_notices", "Counter-notices", func(c *Counts) *int64 { return &c.CounterNotices }},
	{"domains_suspended", "Domains suspended", func(c *Counts) *int64 { return &c.DomainsSuspended }},
	{"terminations", "Terminations", func(c *Counts) *int64 { return &c.Terminations }},
	{"first_action_cases", "Reports acted on", func(c *Counts) *int64 { return &c.FirstActionCases }},
}

// Termination reasons. A termination whose review a CSAM report triggered
// is counted as csam, whatever the policy that opened the review.
const (
	ReasonCSAM            = "csam"
	ReasonRepeatInfringer = "repeat_infringer"
	ReasonHosting         = "hosting"
)

// TerminationCount is the number of terminations of one service for one
// reason in a month.
type TerminationCount struct {
	Service string `json:"service"`
	Reason  string `json:"reason"`
	Count   int64  `json:"count"`
}

// Month is the report of one calendar month (UTC).
type Month struct {
	Month        string             `json:"month"` // YYYY-MM
	Total        *Counts            `json:"total"`
	ByCategory   map[string]*Counts `json:"by_category"`
	ByService    map[string]*Counts `json:"by_service"`
	Terminations []TerminationCount `json:"terminations"`
	// Orders are the orders from authorities received in the month
	// (orders.go); nil when none.
	Orders *OrderCounts `json:"orders"`
}

// Report is the transparency report of a period: every month that overlaps
// [From, To], oldest first. Events count in the month they happened
// (reports when received, forwards when sent, restrictions when applied);
// the median time to first action counts in the month the report came in.
type Report struct {
	From        string    `json:"from"` // first day, YYYY-MM-DD
	To          string    `json:"to"`   // last day, inclusive
	GeneratedAt time.Time `json:"generated_at"`
	Months      []*Month  `json:"months"`

	from, to time.Time // [from, to)
	index    map[string]*Month
}

// MaxMonths bounds a report's period.
const MaxMonths = 120

// newReport lays out the months of [from, to).
func newReport(from, to time.Time) (*Report, error) {
	from, to = from.UTC(), to.UTC()
	if !to.After(from) {
		return nil, fmt.Errorf("to must be after from")
	}
	r := &Report{From: from.Format(time.DateOnly), To: to.Add(-time.Nanosecond).Format(time.DateOnly),
		GeneratedAt: time.Now().UTC(), from: from, to: to, index: map[string]*Month{}}
	for m := monthStart(from); m.Before(to); m = m.AddDate(0, 1, 0) {
		if len(r.Months) == MaxMonths {
			return nil, fmt.Errorf("the period spans more than %d months", MaxMonths)
		}
		mo := &Month{Month: m.Format("2006-01"), Total: &Counts{}, ByCategory: map[string]*Counts{},
			ByService: map[string]*Counts{}, Terminations: []TerminationCount{}}
		r.Months = append(r.Months, mo)
		r.index[mo.Month] = mo
	}
	return r, nil
}

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// cells returns the counts a (month, category, service) event adds to: the
// month's total, its category and its service. nil when the month is
// outside the report.
func (r *Report) cells(month, category, service string) []*Counts {
	m := r.index[month]
	if m == nil {
		return nil
	}
	if category == "" {
		category = "unknown"
	}
	if service == "" {
		service = "none"
	}
	for _, k := range []struct {
		m   map[string]*Counts
		key string
	}{{m.ByCategory, category}, {m.ByService, service}} {
		if k.m[k.key] == nil {
			k.m[k.key] = &Counts{}
		}
	}
	return []*Counts{m.Total, m.ByCategory[category], m.ByService[service]}
}

// add counts n events of metric in a cell.
func (r *Report) add(get func(*Counts) *int64, month, category, service string, n int64) {
	for _, c := range r.cells(month, category, service) {
		*get(c) += n
	}
}

// wait records one report's time to first action.
func (r *Report) wait(month, category, service string, d time.Duration) {
	for _, c := range r.cells(month, category, service) {
		c.FirstActionCases++
		c.waits = append(c.waits, d.Seconds())
	}
}

// addTermination counts terminations of a service for a reason.
func (r *Report) addTermination(month, service, reason string, n int64) {
	m := r.index[month]
	if m == nil {
		return
	}
	for i := range m.Terminations {
		if t := &m.Terminations[i]; t.Service == service && t.Reason == reason {
			t.Count += n
			return
		}
	}
	m.Terminations = append(m.Terminations, TerminationCount{Service: service, Reason: reason, Count: n})
}

// finish computes the medians and orders the termination lists.
func (r *Report) finish() {
	for _, m := range r.Months {
		all := []*Counts{m.Total}
		for _, c := range m.ByCategory {
			all = append(all, c)
		}
		for _, c := range m.ByService {
			all = append(all, c)
		}
		for _, c := range all {
			c.MedianFirstActionSeconds = median(c.waits)
		}
		sort.Slice(m.Terminations, func(i, j int) bool {
			a, b := m.Terminations[i], m.Terminations[j]
			if a.Service != b.Service {
				return a.Service < b.Service
			}
			return a.Reason < b.Reason
		})
	}
}

// median of xs, rounded to the second; nil for none.
func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	m = float64(int64(m + 0.5))
	return &m
}

// SortedKeys returns a cell map's keys in order (for rendering).
func SortedKeys(m map[string]*Counts) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
