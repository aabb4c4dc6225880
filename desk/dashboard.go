package desk

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// The console's dashboard (issue 15): what came in, how fast it was acted
// on, and what is about to be late, over a window of whole UTC days.

// Dashboard windows, in days.
const (
	DefaultDashboardDays = 30
	MaxDashboardDays     = 90
)

// MaxDeadlineCases bounds the near-deadline cases the dashboard lists.
const MaxDeadlineCases = 50

// Dashboard is what the dashboard shows.
type Dashboard struct {
	Days int `json:"days"`
	// From is the first day of the window (00:00 UTC); To is now.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Dates are the window's days, oldest first ("2006-01-02").
	Dates      []string   `json:"dates"`
	Total      int64      `json:"total"`
	Channels   Breakdown  `json:"channels"`
	Categories Breakdown  `json:"categories"`
	Action     ActionView `json:"first_action"`
	Deadlines  Deadlines  `json:"deadlines"`
}

// Breakdown is the cases of the window per day, split by a key (a
// channel or a category).
type Breakdown struct {
	// Keys are the keys with their totals, largest first.
	Keys []KeyCount `json:"keys"`
	// Days has one entry per date of the window, oldest first.
	Days []DayStack `json:"days"`
}

// KeyCount is a count of one key.
type KeyCount struct {
	Key string `json:"key"`
	N   int64  `json:"n"`
}

// DayStack is one day's cases, split by key (in Breakdown.Keys' order,
// zero counts left out).
type DayStack struct {
	Day   string     `json:"day"`
	Total int64      `json:"total"`
	Parts []KeyCount `json:"parts"`
}

// ActionView is the time from a case's creation to its first action (the
// first notice sent to someone other than the reporter, or the first
// decision), over the window and per day of creation.
type ActionView struct {
	ActionStats
	PerDay []ActionDay `json:"per_day"`
	// Truncated: the window held more than store.MaxActionSamples cases;
	// only the newest were looked at.
	Truncated bool `json:"truncated,omitempty"`
}

// ActionStats are the times to first action of a set of cases. Median
// and P90 count only the cases acted on.
type ActionStats struct {
	Cases   int           `json:"cases"`
	Acted   int           `json:"acted"`
	Waiting int           `json:"waiting"`
	Median  time.Duration `json:"median_ns"`
	P90     time.Duration `json:"p90_ns"`
}

// ActionDay is ActionStats of the cases created on Day.
type ActionDay struct {
	Day string `json:"day"`
	ActionStats
}

// Deadlines are the open cases with a next deadline soon: counts by how
// soon (each "within" count leaves out the overdue ones) and the cases
// themselves, soonest first.
type Deadlines struct {
	Overdue  int64          `json:"overdue"`
	Within24 int64          `json:"within_24h"`
	Within72 int64          `json:"within_72h"`
	Within7d int64          `json:"within_7d"`
	Cases    []DeadlineCase `json:"cases"`
	// More: more cases are due within 7 days than Cases lists.
	More bool `json:"more,omitempty"`
}

// DeadlineCase is one open case near its deadline.
type DeadlineCase struct {
	ID       string          `json:"id"`
	Category models.Category `json:"category"`
	Status   models.Status   `json:"status"`
	Domain   string          `json:"domain"`
	Deadline time.Time       `json:"next_deadline"`
	// Left is the time left (negative: overdue).
	Left time.Duration `json:"left_ns"`
}

// Dashboard reads the dashboard over the last days days (1 to
// MaxDashboardDays; today counts as one), as of now.
func (d *Desk) Dashboard(ctx context.Context, days int, now time.Time) (Dashboard, error) {
	if days < 1 || days > MaxDashboardDays {
		return Dashboard{}, BadRequest("days", "must be a whole number of days from 1 to %d", MaxDashboardDays)
	}
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from := today.AddDate(0, 0, -(days - 1))
	v := Dashboard{Days: days, From: from, To: now}
	for i := 0; i < days; i++ {
		v.Dates = append(v.Dates, from.AddDate(0, 0, i).Format(time.DateOnly))
	}
	bySource, err := store.CasesPerDay(ctx, d.DB, from, "source")
	if err != nil {
		return Dashboard{}, err
	}
	byCategory, err := store.CasesPerDay(ctx, d.DB, from, "category")
	if err != nil {
		return Dashboard{}, err
	}
	v.Channels = breakdown(v.Dates, bySource)
	v.Categories = breakdown(v.Dates, byCategory)
	for _, k := range v.Channels.Keys {
		v.Total += k.N
	}
	acts, err := store.FirstActions(ctx, d.DB, from)
	if err != nil {
		return Dashboard{}, err
	}
	v.Action = actionView(v.Dates, acts)
	v.Deadlines, err = d.deadlines(ctx, now)
	return v, err
}

// breakdown arranges per-day counts by key on the window's dates. A case
// without a channel (created before channels were recorded) counts as
// "unknown".
func breakdown(dates []string, rows []store.DayCount) Breakdown {
	totals := map[string]int64{}
	perDay := map[string]map[string]int64{}
	for _, r := range rows {
		k := r.Key
		if k == "" {
			k = "unknown"
		}
		totals[k] += r.N
		if perDay[r.Day] == nil {
			perDay[r.Day] = map[string]int64{}
		}
		perDay[r.Day][k] += r.N
	}
	b := Breakdown{Keys: []KeyCount{}, Days: make([]DayStack, len(dates))}
	for k, n := range totals {
		b.Keys = append(b.Keys, KeyCount{Key: k, N: n})
	}
	sort.Slice(b.Keys, func(i, j int) bool {
		if b.Keys[i].N != b.Keys[j].N {
			return b.Keys[i].N > b.Keys[j].N
		}
		return b.Keys[i].Key < b.Keys[j].Key
	})
	for i, day := range dates {
		s := DayStack{Day: day, Parts: []KeyCount{}}
		for _, k := range b.Keys {
			if n := perDay[day][k.Key]; n > 0 {
				s.Parts = append(s.Parts, KeyCount{Key: k.Key, N: n})
				s.Total += n
			}
		}
		b.Days[i] = s
	}
	return b
}

// actionView computes the times to first action overall and per day of
// creation.
func actionView(dates []string, acts []store.FirstAction) ActionView {
	all := []time.Duration{}
	perDay := map[string][]time.Duration{}
	cases := map[string]int{}
	for _, a := range acts {
		day := a.CreatedAt.UTC().Format(time.DateOnly)
		cases[day]++
		if a.FirstAt == nil {
			continue
		}
		dt := a.FirstAt.Sub(a.CreatedAt)
		if dt < 0 {
			dt = 0 // a clock step between two writers; acted at once
		}
		all = append(all, dt)
		perDay[day] = append(perDay[day], dt)
	}
	v := ActionView{ActionStats: stats(len(acts), all), PerDay: make([]ActionDay, len(dates)),
		Truncated: len(acts) >= store.MaxActionSamples}
	for i, day := range dates {
		v.PerDay[i] = ActionDay{Day: day, ActionStats: stats(cases[day], perDay[day])}
	}
	return v
}

// stats are the median and 90th percentile (nearest rank) of the times of
// the cases acted on, out of n cases.
func stats(n int, ds []time.Duration) ActionStats {
	s := ActionStats{Cases: n, Acted: len(ds), Waiting: n - len(ds)}
	if len(ds) == 0 {
		return s
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	rank := func(p float64) time.Duration {
		return ds[int(math.Ceil(p*float64(len(ds))))-1]
	}
	s.Median, s.P90 = rank(0.5), rank(0.9)
	return s
}

// deadlines counts and lists the open cases due within 7 days of now.
func (d *Desk) deadlines(ctx context.Context, now time.Time) (Deadlines, error) {
	week := now.Add(7 * 24 * time.Hour)
	c, err := store.CountDeadlinesBefore(ctx, d.DB, []time.Time{now, now.Add(24 * time.Hour), now.Add(72 * time.Hour), week})
	if err != nil {
		return Deadlines{}, err
	}
	rows, err := store.DeadlineCases(ctx, d.DB, week, MaxDeadlineCases)
	if err != nil {
		return Deadlines{}, err
	}
	v := Deadlines{Overdue: c[0], Within24: c[1] - c[0], Within72: c[2] - c[0], Within7d: c[3] - c[0],
		Cases: make([]DeadlineCase, 0, len(rows)), More: c[3] > int64(len(rows))}
	for _, r := range rows {
		v.Cases = append(v.Cases, DeadlineCase{ID: r.ID, Category: r.Category, Status: r.Status, Domain: r.Domain,
			Deadline: r.NextDeadline.UTC(), Left: r.NextDeadline.Sub(now)})
	}
	return v, nil
}
