// Package intake turns a report from any channel (the JSON API, the form,
// email, X-ARF) into a case: one validation, one transaction, one workflow
// start. A report either becomes a whole case with a running workflow or
// leaves nothing behind.
package intake

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// Limits of one report.
const (
	MaxURLs        = 10000
	MaxURLLength   = 4096
	MaxDescription = 20000
	MaxShortField  = 500
)

// NormalizedURL is a validated URL with its punycode host.
type NormalizedURL struct {
	URL  string
	Host string
}

// Validate lists every problem of a report by field and returns its URLs
// normalised (IDN hosts in punycode).
func Validate(r *models.ReportRequest) ([]NormalizedURL, []models.FieldError) {
	var errs []models.FieldError
	add := func(f, format string, args ...any) {
		errs = append(errs, models.FieldError{Field: f, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case r.Category == "":
		add("category", "required: one of %s", categoryList())
	case !r.Category.Valid():
		add("category", "unknown category %q: one of %s", r.Category, categoryList())
	}
	urls := validateURLs(r.URLs, add)
	if strings.TrimSpace(r.Description) == "" {
		add("description", "required: explain why the content is abusive or illegal")
	} else if len(r.Description) > MaxDescription {
		add("description", "at most %d characters", MaxDescription)
	}
	anonymousOK := r.Category == models.CategoryCSAM
	if r.Reporter.Email == "" {
		if !anonymousOK {
			add("reporter.email", "required (only a CSAM report may be anonymous)")
		}
	} else if a, err := mail.ParseAddress(r.Reporter.Email); err != nil || a.Address != r.Reporter.Email {
		add("reporter.email", "%q is not an email address", r.Reporter.Email)
	}
	for f, v := range map[string]string{"reporter.name": r.Reporter.Name, "reporter.organization": r.Reporter.Organization, "reporter.title": r.Reporter.Title} {
		if len(v) > MaxShortField {
			add(f, "at most %d characters", MaxShortField)
		}
	}
	if r.ForwardToOperator != nil && !*r.ForwardToOperator && r.Category.AlwaysForwarded() {
		add("forward_to_operator", "%s notices are always forwarded whole to the website operator; the reporter cannot opt out", r.Category)
	}
	if r.Category == models.CategoryCopyright {
		validateCopyright(r, add)
	} else if r.Copyright != nil && r.Category.Valid() {
		add("copyright", "only a copyright report carries copyright statements")
	}
	validateChoices(r, add)
	sortErrors(errs)
	return urls, errs
}

// validateURLs checks every URL of a report, naming a bad one by its
// index, and returns the good ones normalised, without repeats.
func validateURLs(raw []string, add func(f, format string, args ...any)) []NormalizedURL {
	switch {
	case len(raw) == 0:
		add("urls", "at least one URL is required")
	case len(raw) > MaxURLs:
		add("urls", "at most %d URLs per report (got %d)", MaxURLs, len(raw))
		return nil
	}
	var urls []NormalizedURL
	seen := map[string]bool{}
	for i, s := range raw {
		u, problem := CheckURL(s)
		if problem != "" {
			add(fmt.Sprintf("urls[%d]", i), "%s", problem)
			continue
		}
		if !seen[u.URL] {
			seen[u.URL] = true
			urls = append(urls, u)
		}
	}
	return urls
}

// CheckURL validates one reported URL and returns it normalised (IDN host
// in punycode), or why it cannot be a reported URL.
func CheckURL(raw string) (NormalizedURL, string) {
	raw = strings.TrimSpace(raw)
	if len(raw) > MaxURLLength {
		return NormalizedURL{}, fmt.Sprintf("longer than %d characters", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return NormalizedURL{}, fmt.Sprintf("malformed URL: %v", unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return NormalizedURL{}, fmt.Sprintf("malformed URL %q: must start with http:// or https://", raw)
	}
	if u.Hostname() == "" {
		return NormalizedURL{}, fmt.Sprintf("URL %q has no host", raw)
	}
	host, err := store.NormalizeHost(u.Hostname())
	if err == nil {
		err = checkHostLength(host)
	}
	if err != nil {
		return NormalizedURL{}, err.Error()
	}
	u.Host = urlHost(host, u.Port())
	return NormalizedURL{URL: u.String(), Host: host}, ""
}

// validateCopyright checks the 512(c)(3) elements of a copyright report.
// The work and the complainant's name are always required (with the URLs
// and the email they make the (A)(ii)-(iv) elements that 512(c)(3)(B)(ii)
// asks of an incomplete notice). The statements and the signature are
// required only on the form, where the reporter can give them; a report
// from another channel without them is accepted as an incomplete
// complaint (CopyrightMissing), never as a DMCA notice.
func validateCopyright(r *models.ReportRequest, add func(f, format string, args ...any)) {
	if r.Reporter.Name == "" {
		add("reporter.name", "required on a copyright notice (17 U.S.C. 512(c)(3)(A)(iv): contact information)")
	}
	c := r.Copyright
	if c == nil {
		add("copyright", "required on a copyright notice: work, good_faith, accurate_under_penalty, signature (17 U.S.C. 512(c)(3))")
		return
	}
	if strings.TrimSpace(c.Work) == "" {
		add("copyright.work", "required: identify the copyrighted work (512(c)(3)(A)(ii))")
	}
	if r.Source != SourceForm {
		return
	}
	for _, m := range CopyrightMissing(r) {
		add("copyright."+m, "%s", CopyrightElements[m])
	}
}

// SourceForm is the report form's channel: the only one that must carry
// every 512(c)(3) element (the person filling it in can tick the boxes).
const SourceForm = "form"

// CopyrightElements describes, by field name, each 512(c)(3) element a
// copyright report may leave out and still be accepted as a complaint.
var CopyrightElements = map[string]string{
	"good_faith":             "must be true: a statement of good-faith belief that the use is not authorised (512(c)(3)(A)(v))",
	"accurate_under_penalty": "must be true: the notice is accurate and, under penalty of perjury, you are authorised to act for the owner (512(c)(3)(A)(vi))",
	"signature":              "required: a physical or electronic signature (512(c)(3)(A)(i))",
}

// CopyrightMissing names (in a fixed order) the 512(c)(3) statements and
// signature a copyright report lacks; none for any other report.
func CopyrightMissing(r *models.ReportRequest) []string {
	c := r.Copyright
	if r.Category != models.CategoryCopyright || c == nil {
		return nil
	}
	var out []string
	if !c.GoodFaith {
		out = append(out, "good_faith")
	}
	if !c.AccurateUnderPenalty {
		out = append(out, "accurate_under_penalty")
	}
	if strings.TrimSpace(c.Signature) == "" {
		out = append(out, "signature")
	}
	return out
}

func categoryList() string {
	var s []string
	for _, c := range models.Categories {
		s = append(s, string(c))
	}
	return strings.Join(s, ", ")
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// sortErrors orders problems by field so answers are stable.
func sortErrors(errs []models.FieldError) {
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && errs[j].Field < errs[j-1].Field; j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

// DNS limits (RFC 1035 section 2.3.4): a label of at most 63 octets, a
// name of at most 253 (255 on the wire).
const (
	maxLabel = 63
	maxName  = 253
)

// checkHostLength refuses a host name that DNS cannot carry: no such host
// can exist, so the report can only be a mistake or a probe.
func checkHostLength(host string) error {
	if net.ParseIP(host) != nil {
		return nil
	}
	if len(host) > maxName {
		return fmt.Errorf("host name is %d characters long; a host name has at most %d", len(host), maxName)
	}
	for _, l := range strings.Split(host, ".") {
		if l == "" {
			return fmt.Errorf("host name %q has an empty label", host)
		}
		if len(l) > maxLabel {
			return fmt.Errorf("host name label %.20q... is %d characters long; a label has at most %d", l, len(l), maxLabel)
		}
	}
	return nil
}

// urlHost writes a normalised host back into a URL's authority: an IPv6
// literal in brackets (RFC 3986 section 3.2.2), the port kept.
func urlHost(host, port string) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		return host + ":" + port
	}
	return host
}
