package bench

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"
)

// Repeat runs the bench runs times, pausing between runs so the server's
// visibility and timers settle, and calls each with every run's summary
// (e.g. to write its JSON). Each run gets its own run ID (cfg.Run plus
// "-k" when set, else random).
func Repeat(ctx context.Context, cfg Config, runs int, pause time.Duration, each func(k int, s *Summary) error) ([]*Summary, error) {
	var sums []*Summary
	for k := 1; k <= runs; k++ {
		if k > 1 && !sleep(ctx, pause) {
			return sums, ctx.Err()
		}
		c := cfg
		if cfg.Run != "" && runs > 1 {
			c.Run = fmt.Sprintf("%s-%d", cfg.Run, k)
		}
		progress(&cfg, "run %d of %d\n", k, runs)
		s, err := Run(ctx, c)
		if err != nil {
			return sums, fmt.Errorf("run %d: %w", k, err)
		}
		sums = append(sums, s)
		if each != nil {
			if err := each(k, s); err != nil {
				return sums, err
			}
		}
	}
	return sums, nil
}

// figure is one row of the README's table: a value of a run's summary,
// absent when the run did not measure it.
type figure struct {
	name   string
	digits int
	get    func(s *Summary) (float64, bool)
}

func present(v float64) (float64, bool) { return v, v > 0 }

func baselineFigure(s *Summary, naive bool, f func(*Baseline) float64) (float64, bool) {
	if s.Baselines == nil {
		return 0, false
	}
	b := s.Baselines.Empty
	if naive {
		b = s.Baselines.Naive
	}
	if b == nil {
		return 0, false
	}
	return present(f(b))
}

func ratioFigure(s *Summary, naive bool, f func(*Ratios) float64) (float64, bool) {
	if s.Ratios == nil {
		return 0, false
	}
	r := s.Ratios.Empty
	if naive {
		r = s.Ratios.Naive
	}
	if r == nil {
		return 0, false
	}
	return present(f(r))
}

func baseStarts(b *Baseline) float64      { return b.StartsPerSecond }
func baseCompletions(b *Baseline) float64 { return b.CompletionsPerSecond }
func intakeRatio(r *Ratios) float64       { return r.IntakeToStart }
func closedRatio(r *Ratios) float64       { return r.ClosedToCompletion }

// tableFigures are the README table's rows, in order.
var tableFigures = []figure{
	{"reports accepted/s", 1, func(s *Summary) (float64, bool) { return present(s.AcceptedPerSecond) }},
	{"empty workflows started/s (baseline)", 1, func(s *Summary) (float64, bool) { return baselineFigure(s, false, baseStarts) }},
	{"intake ratio (accepted / empty started)", 2, func(s *Summary) (float64, bool) { return ratioFigure(s, false, intakeRatio) }},
	{"CDN cases closed/s", 1, func(s *Summary) (float64, bool) { return present(s.CDNClosedPerSecond) }},
	{"empty workflows completed/s (baseline)", 1, func(s *Summary) (float64, bool) { return baselineFigure(s, false, baseCompletions) }},
	{"closed ratio (CDN closed / empty completed)", 2, func(s *Summary) (float64, bool) { return ratioFigure(s, false, closedRatio) }},
	{"CDN intake-to-closed p50 (ms)", 0, func(s *Summary) (float64, bool) { return present(s.CDNIntakeToClosedMS.P50) }},
	{"CDN intake-to-closed p99 (ms)", 0, func(s *Summary) (float64, bool) { return present(s.CDNIntakeToClosedMS.P99) }},
	{"naive workflows (6 no-op activities) completed/s", 1, func(s *Summary) (float64, bool) { return baselineFigure(s, true, baseCompletions) }},
	{"closed ratio to naive (CDN closed / naive completed)", 2, func(s *Summary) (float64, bool) { return ratioFigure(s, true, closedRatio) }},
}

// WriteTable writes the min, median and max of each figure over the runs
// as a Markdown table; a figure no run measured is left out.
func WriteTable(w io.Writer, sums []*Summary) {
	fmt.Fprintf(w, "| figure (%d runs) | min | median | max |\n|---|---:|---:|---:|\n", len(sums))
	for _, f := range tableFigures {
		var vs []float64
		for _, s := range sums {
			if v, ok := f.get(s); ok {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			continue
		}
		lo, med, hi := minMedianMax(vs)
		num := func(v float64) string { return strconv.FormatFloat(v, 'f', f.digits, 64) }
		name := f.name
		if len(vs) < len(sums) {
			name += fmt.Sprintf(" (%d of %d runs)", len(vs), len(sums))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", name, num(lo), num(med), num(hi))
	}
}

// minMedianMax of a non-empty sample; the median of an even sample is the
// mean of its two middle values.
func minMedianMax(vs []float64) (lo, med, hi float64) {
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	n := len(s)
	med = s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return s[0], med, s[n-1]
}
