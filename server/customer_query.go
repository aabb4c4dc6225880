package server

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// The query parameters of the customer's lists, the same for the native
// API and the reference's (/client/v4/): every unknown, repeated or
// unreadable parameter is one problem (400).

// queryReader reads a request's query, collecting problems.
type queryReader struct {
	q        url.Values
	known    map[string]bool
	repeated map[string]bool
	problems []models.FieldError
}

func newQueryReader(q url.Values, repeatable ...string) *queryReader {
	r := &queryReader{q: q, known: map[string]bool{}, repeated: map[string]bool{}}
	for _, k := range repeatable {
		r.repeated[k] = true
	}
	return r
}

func (r *queryReader) bad(field, format string, args ...any) {
	r.problems = append(r.problems, models.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// str reads a parameter given at most once, at most 300 bytes.
func (r *queryReader) str(name string) string {
	r.known[name] = true
	vs := r.q[name]
	switch {
	case len(vs) == 0:
		return ""
	case len(vs) > 1 && !r.repeated[name]:
		r.bad(name, "given %d times; give it once", len(vs))
	case len(vs[0]) > 300:
		r.bad(name, "at most 300 bytes")
		return ""
	}
	return vs[0]
}

// list reads a repeatable parameter.
func (r *queryReader) list(name string) []string {
	r.known[name] = true
	var out []string
	for _, v := range r.q[name] {
		if len(v) > 300 {
			r.bad(name, "at most 300 bytes")
			continue
		}
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// integer reads a whole number.
func (r *queryReader) integer(name string) int {
	s := r.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		r.bad(name, "%q is not a whole number of 1 or more", trimQ(s))
		return -1
	}
	return n
}

// date reads an RFC 3339 time or a date (YYYY-MM-DD, midnight UTC).
func (r *queryReader) date(name string) *time.Time {
	s := r.str(name)
	if s == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	r.bad(name, "%q is not an RFC 3339 time (2026-12-01T00:00:00Z) or a date (2026-12-01)", trimQ(s))
	return nil
}

// sort reads "property" or "property,asc|desc".
func (r *queryReader) sort(name string) (string, bool) {
	s := r.str(name)
	if s == "" {
		return "", false
	}
	prop, order, hasOrder := strings.Cut(s, ",")
	switch {
	case !hasOrder, order == "asc":
		return prop, false
	case order == "desc":
		return prop, true
	}
	r.bad(name, "%q: the order after the comma is asc or desc", trimQ(s))
	return prop, false
}

// done adds a problem for every unknown parameter and answers them all.
func (r *queryReader) done() error {
	var unknown []string
	for k := range r.q {
		if !r.known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		r.bad(trimQ(k), "unknown parameter")
	}
	if len(r.problems) > 0 {
		return desk.Problems(desk.KindBadRequest, r.problems)
	}
	return nil
}

func trimQ(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// reportFilter reads the query of a list of reports.
func reportFilter(q url.Values) (desk.CustomerReportFilter, error) {
	r := newQueryReader(q)
	f := desk.CustomerReportFilter{Domain: r.str("domain"), Type: r.str("type"), Status: r.str("status"),
		MitigationStatus: r.str("mitigation_status"), CreatedAfter: r.date("created_after"), CreatedBefore: r.date("created_before"),
		Page: r.integer("page"), PerPage: r.integer("per_page")}
	f.Sort, f.Desc = r.sort("sort")
	return f, r.done()
}

// mitigationFilter reads the query of a list of mitigations.
func mitigationFilter(q url.Values) (desk.MitigationFilter, error) {
	r := newQueryReader(q, "type")
	f := desk.MitigationFilter{Types: r.list("type"), Status: r.str("status"), EntityType: r.str("entity_type"),
		EffectiveAfter: r.date("effective_after"), EffectiveBefore: r.date("effective_before"),
		Page: r.integer("page"), PerPage: r.integer("per_page")}
	f.Sort, f.Desc = r.sort("sort")
	return f, r.done()
}
