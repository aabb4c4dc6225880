package desk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
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

// euStates are the member states (with the EEA's) an authority of a DSA
// or TCO order is from.
const euStates = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK"

// isoCountries are the ISO 3166-1 alpha-2 codes.
const isoCountries = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
	"MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
	"UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

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

// text checks a required (or optional) text field's length.
func (p *orderProblems) text(field, v string, required bool, max int) {
	switch {
	case strings.TrimSpace(v) == "" && required:
		p.add(field, "is required")
	case len(v) > max:
		p.add(field, "must be at most %d characters (it is %d)", max, len(v))
	}
}

// validateOrder checks every field of r against now and lists every
// problem; it answers the normalised countries (nil: everywhere).
func validateOrder(r *OrderRequest, now time.Time) ([]string, []models.FieldError) {
	var p orderProblems
	kind := models.OrderKind(r.Kind)
	if !kind.Valid() {
		p.add("kind", "must be one of dsa_art9, dsa_art10, tco_removal, court")
	}
	p.text("authority.name", r.Authority.Name, true, 300)
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
	p.text("legal_basis", r.LegalBasis, true, 500)
	p.text("statement_of_reasons", r.StatementOfReasons, true, 5000)
	p.text("redress", r.Redress, false, 2000)
	p.text("reference", r.Reference, false, 200)
	if u := r.ReferenceURL; u != "" && !httpURL(u) {
		p.add("decision_ground_reference_url", "must be an http(s) URL of at most %d characters", maxOrderURLLen)
	}
	p.urls(r.URLs)
	countries := p.scope(r.TerritorialScope)
	p.times(r, now)
	return countries, p
}

func (p *orderProblems) urls(urls []string) {
	switch {
	case len(urls) == 0:
		p.add("urls", "at least one exact URL is required")
	case len(urls) > MaxOrderURLs:
		p.add("urls", "at most %d URLs per order (it names %d)", MaxOrderURLs, len(urls))
		return
	}
	seen := map[string]bool{}
	for i, u := range urls {
		f := fmt.Sprintf("urls[%d]", i)
		if !httpURL(u) {
			p.add(f, "must be an absolute http(s) URL of at most %d characters", maxOrderURLLen)
			continue
		}
		n, err := urlnorm.URL(u)
		if err != nil {
			p.add(f, "is not a URL we can match: %v", err)
			continue
		}
		if seen[n] {
			p.add(f, "names the same URL as an earlier entry")
		}
		seen[n] = true
	}
}

func (p *orderProblems) scope(s OrderScope) []string {
	if len(s) == 0 {
		p.add("territorial_scope", `is required: ISO 3166-1 alpha-2 codes, or "everywhere"`)
		return nil
	}
	if len(s) > maxOrderCountries {
		p.add("territorial_scope", "at most %d codes", maxOrderCountries)
		return nil
	}
	if len(s) == 1 && strings.EqualFold(strings.TrimSpace(s[0]), models.OrderEverywhere) {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for i, c := range s {
		c = strings.ToUpper(strings.TrimSpace(c))
		f := fmt.Sprintf("territorial_scope[%d]", i)
		switch {
		case strings.EqualFold(c, models.OrderEverywhere):
			p.add(f, `"everywhere" stands alone, not with country codes`)
		case !codeIn(isoCountries, c):
			p.add(f, "%q is not an ISO 3166-1 alpha-2 code", orderClip(c, 10))
		case !seen[c]:
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
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
