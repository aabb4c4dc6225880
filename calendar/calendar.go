// Package calendar does the business-day arithmetic of the DMCA counter-notice
// wait (17 U.S.C. 512(g)(2)(C): restore not less than 10 and not more than 14
// business days after the counter-notice). Pure functions: workflows call them
// with workflow.Now.
package calendar

import "time"

// IsBusinessDay reports whether t falls on Monday to Friday.
func IsBusinessDay(t time.Time) bool {
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddBusinessDays returns t moved forward by n business days, keeping the time
// of day: each Saturday and Sunday on the way is skipped, and a start on a
// weekend counts from the next Monday. n <= 0 returns t.
func AddBusinessDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if IsBusinessDay(t) {
			n--
		}
	}
	return t
}

// BusinessDaysBetween counts the business days d with from < d <= to (by
// calendar date), the number AddBusinessDays(from, n) would have moved.
func BusinessDaysBetween(from, to time.Time) int {
	n := 0
	for d := from.AddDate(0, 0, 1); !dateAfter(d, to); d = d.AddDate(0, 0, 1) {
		if IsBusinessDay(d) {
			n++
		}
	}
	return n
}

func dateAfter(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	if ay != by {
		return ay > by
	}
	if am != bm {
		return am > bm
	}
	return ad > bd
}
