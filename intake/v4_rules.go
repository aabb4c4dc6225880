package intake

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/abusedesk/abusedesk/models"
)

// Request checks a form report filed under the path's reportType by the
// reference's rules and turns it into the ReportRequest of the same
// report. Every problem is named by the form's field, Validate's too.
func (v V4Report) Request(reportType string) (models.ReportRequest, []models.FieldError) {
	var errs []models.FieldError
	add := func(f, format string, args ...any) {
		errs = append(errs, models.FieldError{Field: f, Message: fmt.Sprintf(format, args...)})
	}
	act, ok := V4Acts[v.Act]
	switch {
	case v.Act == "":
		add("act", "required: one of %s", actNames())
	case !ok:
		add("act", "unknown report type %q: one of %s", v.Act, actNames())
	case reportType != v.Act:
		add("report_type", "the report type in the path (%q) differs from act (%q)", reportType, v.Act)
	}
	urls := v.checkShared(add)
	if !ok {
		sortErrors(errs)
		return models.ReportRequest{}, errs
	}
	v.checkFields(act, add)
	v.checkChoices(act, add)
	r := v.request(act, urls)
	_, more := Validate(&r)
	for _, p := range more {
		f := v4Field(p.Field, act)
		if f == "" || namedField(errs, f) {
			continue
		}
		errs = append(errs, models.FieldError{Field: f, Message: p.Message})
	}
	sortErrors(errs)
	return r, errs
}

// checkShared checks the fields every report type has and returns the
// URLs, one a line.
func (v *V4Report) checkShared(add func(f, format string, args ...any)) []string {
	switch {
	case strings.TrimSpace(v.Email) == "":
		add("email", "required: your email address")
	case v.Email2 == "":
		add("email2", "required: your email address again")
	case v.Email2 != v.Email:
		add("email2", "must be the same as email")
	}
	if strings.TrimSpace(v.Name) == "" {
		add("name", "required: your name")
	}
	for f, lim := range v4Limits {
		if n := utf8.RuneCountInString(v.value(f)); n > lim {
			add(f, "at most %d characters (got %d)", lim, n)
		}
	}
	if c := v.ReportedCountry; v.present["reported_country"] && (len(c) != 2 || strings.Trim(strings.ToUpper(c), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		add("reported_country", "must be 2 letters (ISO 3166-1 alpha-2), not %q", c)
	}
	return v4URLs(v.URLs, add)
}

// v4URLs checks the form's URL list: valid URLs separated by "\n", at
// most V4MaxURLs, each once, all on one hostname.
func v4URLs(raw string, add func(f, format string, args ...any)) []string {
	var urls []string
	for _, l := range strings.Split(raw, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			urls = append(urls, l)
		}
	}
	switch {
	case len(urls) == 0:
		add("urls", "required: at least one URL (several separated by \\n)")
		return nil
	case len(urls) > V4MaxURLs:
		add("urls", "at most %d URLs per report (got %d)", V4MaxURLs, len(urls))
		return nil
	}
	seen, host := map[string]int{}, ""
	for i, s := range urls {
		u, problem := CheckURL(s)
		switch {
		case problem != "":
			add("urls", "line %d: %s", i+1, problem)
			continue
		case seen[u.URL] > 0:
			add("urls", "line %d repeats line %d: each URL once", i+1, seen[u.URL])
		case host == "":
			host = u.Host
		case u.Host != host:
			add("urls", "line %d is on %s, not %s: all URLs of one report are on the same hostname", i+1, u.Host, host)
		}
		seen[u.URL] = i + 1
	}
	return urls
}

// checkFields checks the type's own fields: the required ones given, no
// field of another type, agree 0 or 1, the IP and port lists.
func (v *V4Report) checkFields(act v4Act, add func(f, format string, args ...any)) {
	for _, f := range act.required {
		if !v.present[f] || strings.TrimSpace(v.value(f)) == "" {
			add(f, "required in %s", v.Act)
		}
	}
	for f := range v.present {
		own := v4Shared[f] || slices.Contains(act.required, f) || slices.Contains(act.optional, f) ||
			(f == "host_notification" && act.host != nil) || (f == "ncmec_notification" && act.ncmec != nil)
		if !own {
			add(f, "not a field of %s", v.Act)
		}
	}
	if a := v.Agree; a != nil && *a != 0 && *a != 1 {
		add("agree", "must be 0 or 1")
	} else if slices.Contains(act.required, "agree") && a != nil && *a != 1 {
		add("agree", "%s", agreeMeaning[v.Act])
	}
	if v.Act == "abuse_dmca" && v.Signature != "" && strings.TrimSpace(v.Signature) != strings.TrimSpace(v.Name) {
		add("signature", "must be the same as name: your electronic signature (17 U.S.C. 512(c)(3)(A)(i))")
	}
	ipList("source_ips", v.SourceIPs, add)
	ipList("destination_ips", v.DestinationIPs, add)
	if v.PortsProtocols != "" {
		seen := map[string]bool{}
		for _, p := range strings.Split(v.PortsProtocols, ",") {
			p = strings.TrimSpace(p)
			if len(p) > 100 {
				add("ports_protocols", "each port/protocol at most 100 characters")
			}
			seen[strings.ToUpper(p)] = true
		}
		if len(seen) > 30 {
			add("ports_protocols", "at most 30 ports and protocols (got %d)", len(seen))
		}
	}
	if len(v.RegWhoRequest) > 2000 {
		add("reg_who_request", "at most 2000 characters of JSON")
	}
}

// agreeMeaning is what agree: 1 states in the types that need it.
var agreeMeaning = map[string]string{
	"abuse_dmca":  "must be 1: you state in good faith that the use is not authorised, and under penalty of perjury that the notice is accurate and you may act for the owner (17 U.S.C. 512(c)(3)(A)(v), (vi))",
	"abuse_ncsei": "must be 1: you state your good-faith belief that the intimate depiction is not consensual (TAKE IT DOWN Act, element C)",
}

// ipList checks a "\n"-separated list of at most 30 unique IP addresses.
func ipList(field, raw string, add func(f, format string, args ...any)) {
	if strings.TrimSpace(raw) == "" {
		return
	}
	seen := map[string]bool{}
	for i, l := range strings.Split(raw, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
		case net.ParseIP(l) == nil:
			add(field, "line %d: %.60q is not an IP address", i+1, l)
		case seen[l]:
			add(field, "line %d: %s is named twice", i+1, l)
		}
		seen[l] = true
	}
	if len(seen) > 30 {
		add(field, "at most 30 IP addresses (got %d)", len(seen))
	}
}

// checkChoices checks the notification choices against what the type
// allows (the shared rules of validateChoices follow through Validate).
func (v *V4Report) checkChoices(act v4Act, add func(f, format string, args ...any)) {
	for _, c := range []struct {
		field   string
		n       models.Notification
		allowed []models.Notification
	}{{"owner_notification", v.OwnerNotification, act.owner}, {"host_notification", v.HostNotification, act.host},
		{"ncmec_notification", v.NcmecNotification, act.ncmec}} {
		switch {
		case c.allowed == nil:
		case c.n == "":
			add(c.field, "required in %s: %s", v.Act, joinChoices(c.allowed))
		case !slices.Contains(c.allowed, c.n):
			add(c.field, "%q is not a choice in %s: %s%s", c.n, v.Act, joinChoices(c.allowed), choiceWhy(v.Act, c.field))
		}
	}
}

func joinChoices(ns []models.Notification) string {
	var s []string
	for _, n := range ns {
		s = append(s, string(n))
	}
	return strings.Join(s, " or ")
}

// choiceWhy is the reason a type allows fewer choices.
func choiceWhy(act, field string) string {
	switch {
	case act == "abuse_dmca" || act == "abuse_trademark":
		return " (copyright and trademark reports cannot be anonymous and always go to the operator)"
	case act == "abuse_children" && field == "owner_notification":
		return " (a CSAM report is never sent to the website operator)"
	}
	return ""
}

// v4Field names a problem of Validate by the form's field ("" when the
// form's own checks already cover it).
func v4Field(f string, act v4Act) string {
	switch {
	case f == "category", f == "urls", strings.HasPrefix(f, "urls["), f == "forward_to_operator":
		return ""
	case f == "description":
		if slices.Contains(act.required, "justification") {
			return "justification"
		}
		return "comments"
	case f == "copyright" || f == "copyright.work":
		return "original_work"
	case f == "copyright.signature" || f == "ncsei.signature" || f == "ncsei":
		return "signature"
	case strings.HasPrefix(f, "copyright.") || f == "ncsei.good_faith_not_consensual":
		return "agree"
	}
	if m, ok := map[string]string{"reporter.email": "email", "reporter.name": "name",
		"reporter.organization": "company", "reporter.title": "title"}[f]; ok {
		return m
	}
	return f
}

// namedField reports whether errs names f already.
func namedField(errs []models.FieldError, f string) bool {
	for _, e := range errs {
		if e.Field == f {
			return true
		}
	}
	return false
}

// request is the ReportRequest of a form report: the reporter's contact,
// the URLs, the choices, the type's statements, and a description made
// of the justification and the type's details.
func (v *V4Report) request(act v4Act, urls []string) models.ReportRequest {
	r := models.ReportRequest{Category: act.category, URLs: urls, Source: SourceV4,
		Reporter:          models.Reporter{Name: strings.TrimSpace(v.Name), Email: strings.TrimSpace(v.Email), Organization: v.Company, Title: v.Title},
		OwnerNotification: v.OwnerNotification, HostNotification: v.HostNotification, NcmecNotification: v.NcmecNotification}
	agreed := v.Agree != nil && *v.Agree == 1
	switch v.Act {
	case "abuse_dmca":
		work := v.OriginalWork
		if v.AgentName != "" {
			work += " (copyright owner: " + v.AgentName + ")"
		}
		r.Copyright = &models.CopyrightClaim{Work: work, GoodFaith: agreed, AccurateUnderPenalty: agreed, Signature: v.Signature}
	case "abuse_ncsei":
		r.NCSEI = &models.NCSEIClaim{Signature: v.Signature, GoodFaithNotConsensual: agreed}
	}
	r.Description = v.description(act)
	return r
}

// description joins the justification and the type's details into the
// report's description. The telephone number is identifying: it goes in
// only where every recipient is sent the reporter's contact.
func (v *V4Report) description(act v4Act) string {
	var b strings.Builder
	line := func(label, val string) {
		if val = strings.TrimSpace(val); val != "" {
			if label != "" {
				b.WriteString(label + ": ")
			}
			b.WriteString(val + "\n")
		}
	}
	line("", v.Justification)
	if v.Act == "abuse_dmca" {
		line("Complainant's address", strings.Join(nonEmpty(v.Address1, v.City, v.State, v.Country), ", "))
	}
	line("Trademark", strings.Join(nonEmpty(v.TrademarkSymbol, v.TrademarkNumber, v.TrademarkOffice), ", "))
	if v.Act == "abuse_phishing" {
		line("Brand imitated", v.OriginalWork)
	}
	line("Source IPs", strings.ReplaceAll(strings.TrimSpace(v.SourceIPs), "\n", ", "))
	line("Destination IPs", strings.ReplaceAll(strings.TrimSpace(v.DestinationIPs), "\n", ", "))
	line("Ports and protocols", v.PortsProtocols)
	if v.Act != "abuse_dmca" {
		line("Country", v.Country)
	}
	if x := v.NcseiSubjectRepresentation; x != nil {
		line("The reporter is the person depicted", map[bool]string{true: "yes", false: "no, they act for that person"}[*x])
	}
	if len(v.RegWhoRequest) > 0 {
		line("Registration data request", string(v.RegWhoRequest))
	}
	line("Reported country", v.ReportedCountry)
	line("User agent needed to see the content", v.ReportedUserAgent)
	line("Comments", v.Comments)
	if v.Act == "abuse_dmca" || (v.OwnerNotification == models.NotifySend && v.HostNotification == models.NotifySend) {
		line("Telephone", v.Tele)
	}
	if b.Len() == 0 {
		return "Reported through the report form (" + v.Act + "); category " + string(act.category) + "."
	}
	return strings.TrimSpace(b.String())
}

func nonEmpty(vs ...string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
