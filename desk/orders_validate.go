package desk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/abusedesk/abusedesk/internal/urlnorm"
	"github.com/abusedesk/abusedesk/models"
)

// Bounds of an order (docs/DESIGN.md "Orders").
const (
	MaxOrderURLs      = 1000
	maxOrderURLLen    = 2000
	maxOrderCountries = 250
	// OrderClockSkew is how far in the future received_at may lie.
	OrderClockSkew = 5 * time.Minute
	// maxOrderAge: an order received more than a year ago is a mistake.
	maxOrderAge = 366 * 24 * time.Hour
	// maxCustomerDelay bounds notify_customer_after (TCO Art. 11(3): six
	// weeks, renewable).
	maxCustomerDelay = 2 * 366 * 24 * time.Hour
)

// euStates and isoCountries: models' lists (models/order_check.go).
const (
	euStates     = models.OrderEEAStates
	isoCountries = models.ISOCountries
)

func codeIn(list, code string) bool {
	return len(code) == 2 && strings.Contains(" "+list+" ", " "+code+" ")
}

// OrderScope is a territorial scope: ISO 3166-1 alpha-2 codes, or
// ["everywhere"]; the JSON may also be the string "everywhere".
type OrderScope []string

// UnmarshalJSON takes a list of strings or one string.
func (s *OrderScope) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '"' {
		var one string
		if err := json.Unmarshal(t, &one); err != nil {
			return err
		}
		*s = OrderScope{one}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*s = list
	return nil
}

// orderProblems collects the problems of an order, in field order.
type orderProblems []models.FieldError

func (p *orderProblems) add(field, format string, args ...any) {
	*p = append(*p, models.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// text checks a text field's length; whether the order must carry it is
// models.OrderMustCarry's (a defect, not a structural problem).
func (p *orderProblems) text(field, v string, max int) {
	if len(v) > max {
		p.add(field, "must be at most %d characters (it is %d)", max, len(v))
	}
}

// validateOrder lists every problem of r against now, in field order:
// what an authority filing through the API is answered (422). It answers
// the territorial scope as stored.
func validateOrder(r *OrderRequest, now time.Time) (string, []models.FieldError) {
	scope, structural, defects := checkOrder(r, now)
	return scope, mergeOrderProblems(structural, defects)
}

// checkOrder splits the problems of r: structural ones (what we cannot
// store or act on: the kind, where to answer, when it reached us, bounds
// and formats) and the defects of the order itself (models.Order.Defects:
// a missing element, a manifest error), which refuse an order an admin
// recorded rather than reject it (README "Order refusals").
func checkOrder(r *OrderRequest, now time.Time) (string, []models.FieldError, []models.FieldError) {
	var p orderProblems
	kind := models.OrderKind(r.Kind)
	if !kind.Valid() {
		p.add("kind", "must be one of dsa_art9, dsa_art10, tco_removal, court")
	}
	p.text("authority.name", r.Authority.Name, 300)
	if r.Authority.Contact == "" {
		p.add("authority.contact", "is required (the email address we confirm receipt and effect to)")
	} else if a, err := mail.ParseAddress(r.Authority.Contact); err != nil || a.Address != r.Authority.Contact || len(r.Authority.Contact) > 320 {
		p.add("authority.contact", "must be a plain email address such as orders@authority.example")
	}
	r.MemberState = strings.ToUpper(strings.TrimSpace(r.MemberState))
	switch {
	case r.MemberState == "":
		p.add("member_state", "is required (ISO 3166-1 alpha-2 code of the issuing member state)")
	case kind != models.OrderCourt && !codeIn(euStates, r.MemberState):
		p.add("member_state", "%q is not an EU/EEA member state's ISO 3166-1 alpha-2 code", orderClip(r.MemberState, 10))
	case !codeIn(isoCountries, r.MemberState):
		p.add("member_state", "%q is not an ISO 3166-1 alpha-2 code", orderClip(r.MemberState, 10))
	}
	if r.ContentType != "" && !orderHas(models.OrderContentTypes, r.ContentType) {
		p.add("content_type", "must be one of %s", strings.Join(models.OrderContentTypes, ", "))
	}
	p.text("legal_basis", r.LegalBasis, 500)
	p.text("statement_of_reasons", r.StatementOfReasons, 5000)
	p.text("redress", r.Redress, 2000)
	p.text("reference", r.Reference, 200)
	if u := r.ReferenceURL; u != "" && !httpURL(u) {
		p.add("decision_ground_reference_url", "must be an http(s) URL of at most %d characters", maxOrderURLLen)
	}
	p.urls(r.URLs)
	scope := p.scope(kind, r.TerritorialScope)
	p.times(r, now)
	var defects []models.FieldError
	for _, d := range draftOrder(*r, scope).Defects() {
		defects = append(defects, models.FieldError{Field: d.Field, Message: d.Message})
	}
	return scope, p, defects
}

// orderFieldOrder is the order of the fields of POST /v1/orders.
var orderFieldOrder = []string{"kind", "authority.name", "authority.contact", "member_state", "content_type", "legal_basis",
	"statement_of_reasons", "redress", "reference", "decision_ground_reference_url", "urls", "territorial_scope",
	"received_at", "notify_customer_after"}

// mergeOrderProblems lists a and b together in field order (urls[2]
// after urls[1]).
func mergeOrderProblems(a, b []models.FieldError) []models.FieldError {
	out := append(append([]models.FieldError{}, a...), b...)
	rank := func(f string) (int, int) {
		base, idx := f, -1
		if i := strings.IndexByte(f, '['); i > 0 {
			base = f[:i]
			_, _ = fmt.Sscanf(f[i:], "[%d]", &idx)
		}
		for i, o := range orderFieldOrder {
			if o == base {
				return i, idx
			}
		}
		return len(orderFieldOrder), idx
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, ii := rank(out[i].Field)
		rj, ij := rank(out[j].Field)
		return ri < rj || (ri == rj && ii < ij)
	})
	return out
}

// urls checks the number of URLs and that none is named twice; each
// URL's form is the order's own (models.OrderURLProblem, a manifest error).
func (p *orderProblems) urls(urls []string) {
	if len(urls) > MaxOrderURLs {
		p.add("urls", "at most %d URLs per order (it names %d)", MaxOrderURLs, len(urls))
		return
	}
	seen := map[string]bool{}
	for i, u := range urls {
		if models.OrderURLProblem(u) != "" {
			continue
		}
		n, _ := urlnorm.URL(u)
		if seen[n] {
			p.add(fmt.Sprintf("urls[%d]", i), "names the same URL as an earlier entry")
		}
		seen[n] = true
	}
}

// scope answers the territorial scope as stored: "everywhere", the codes
// upper-cased without repeats (a code that is not a country is kept for
// Defects to name), or "" when the order names none. A removal order and
// an information order carry no scope: a removal order applies in all
// member states (Regulation (EU) 2021/784 Art. 3(3)), which "everywhere"
// covers; an information order restricts nothing.
func (p *orderProblems) scope(kind models.OrderKind, s OrderScope) string {
	if len(s) > maxOrderCountries {
		p.add("territorial_scope", "at most %d codes", maxOrderCountries)
		return ""
	}
	if len(s) == 0 {
		if kind == models.OrderTCORemoval || kind == models.OrderDSAArt10 {
			return models.OrderEverywhere
		}
		return ""
	}
	if len(s) == 1 && strings.EqualFold(strings.TrimSpace(s[0]), models.OrderEverywhere) {
		return models.OrderEverywhere
	}
	var all, out []string
	seen, valid := map[string]bool{}, true
	for _, c := range s {
		c = orderClip(strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(c)), ",", " "), 10)
		all = append(all, c)
		valid = valid && codeIn(isoCountries, c)
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	if !valid {
		// As given, so Defects names each code by its place.
		if j := strings.Join(all, ","); len(j) <= 800 {
			return j
		}
		p.add("territorial_scope", "names codes that are not ISO 3166-1 alpha-2 codes")
		return ""
	}
	return strings.Join(out, ",")
}

func (p *orderProblems) times(r *OrderRequest, now time.Time) {
	switch {
	case r.ReceivedAt == nil:
		p.add("received_at", "is required (RFC 3339: when the order reached us)")
	case r.ReceivedAt.After(now.Add(OrderClockSkew)):
		p.add("received_at", "lies in the future (more than %s after our clock)", OrderClockSkew)
	case r.ReceivedAt.Before(now.Add(-maxOrderAge)):
		p.add("received_at", "lies more than a year in the past")
	}
	if a := r.NotifyCustomerAfter; a != nil && r.ReceivedAt != nil {
		switch {
		case a.Before(*r.ReceivedAt):
			p.add("notify_customer_after", "lies before received_at")
		case a.After(r.ReceivedAt.Add(maxCustomerDelay)):
			p.add("notify_customer_after", "lies more than two years after received_at")
		}
	}
}

func httpURL(s string) bool {
	if len(s) > maxOrderURLLen {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func orderHas(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func orderClip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
