package bench

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteText writes the summary for people: the desk's rates and latencies,
// each baseline measured, and the desk's ratios to it.
func (s *Summary) WriteText(w io.Writer) {
	fmt.Fprintf(w, "desk (%s mix, %d reports, concurrency %d): %.1f reports accepted/s, intake p50 %.0f ms, p99 %.0f ms\n",
		s.Run.Mix, s.Run.Reports, s.Run.Concurrency, s.AcceptedPerSecond, s.IntakeLatencyMS.P50, s.IntakeLatencyMS.P99)
	if p := s.CDNIntakeToClosedMS; p.Count > 0 {
		fmt.Fprintf(w, "  CDN cases: %.1f closed/s, intake-to-closed p50 %.0f ms, p99 %.0f ms (%d cases)\n",
			s.CDNClosedPerSecond, p.P50, p.P99, p.Count)
	}
	if b := s.Baselines; b != nil {
		var r RatioSet
		if s.Ratios != nil {
			r = *s.Ratios
		}
		writeBaseline(w, b.Empty, r.Empty)
		writeBaseline(w, b.Naive, r.Naive)
	}
	if d := s.Decisions; d != nil {
		fmt.Fprintf(w, "  decisions: %d of %d hosted cases, %.1f/s\n", d.Applied, d.Cases, d.PerSecond)
	}
	if o := s.Outcomes; o != nil {
		fmt.Fprintf(w, "  outcomes: %d of %d cases as expected\n", o.Expected, o.Checked)
	}
	if len(s.Errors) == 0 {
		fmt.Fprintln(w, "  errors: none")
		return
	}
	var errs []string
	for k, n := range s.Errors {
		errs = append(errs, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(errs)
	fmt.Fprintf(w, "  errors: %s\n", strings.Join(errs, ", "))
}

func writeBaseline(w io.Writer, b *Baseline, r *Ratios) {
	if b == nil {
		return
	}
	what := "empty workflows"
	if b.Activities > 0 {
		what = fmt.Sprintf("naive workflows (%d no-op activities)", b.Activities)
	}
	fmt.Fprintf(w, "%s baseline: %.1f %s started/s, %.1f completed/s (start-to-close p50 %.0f ms)\n",
		b.Kind, b.StartsPerSecond, what, b.CompletionsPerSecond, b.StartToCloseMS.P50)
	if r == nil {
		return
	}
	fmt.Fprintf(w, "  desk/%s: intake %.2f of starts", b.Kind, r.IntakeToStart)
	if r.ClosedToCompletion > 0 {
		fmt.Fprintf(w, ", CDN closed %.2f of completions", r.ClosedToCompletion)
	}
	fmt.Fprintln(w)
}
