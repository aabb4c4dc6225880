package pages

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/abusedesk/abusedesk/models"
)

// The portal's forms, read and bounded here so that every problem is shown
// beside its field; desk checks the same values again (the API's rules).

const (
	portalPerPage = 25
	maxPortalPage = 10000
	// maxAppealStatement is models.Mitigation.AppealStatement's size.
	maxAppealStatement = 5000
	// maxAppealPicks bounds the mitigations of one appeal.
	maxAppealPicks = 100
	maxDomainLen   = 255
	maxEmailLen    = 254
)

// reportTypes are the reference's report types (the customer API's
// enumeration), in words.
var reportTypes = []choice{
	{"PHISH", "Phishing"}, {"GEN", "General abuse"}, {"THREAT", "Violent threat"},
	{"DMCA", "Copyright (DMCA)"}, {"EMER", "Emergency"}, {"TM", "Trademark"},
	{"REG_WHO", "Registration data (WHOIS)"}, {"NCSEI", "Intimate images without consent"},
	{"NETWORK", "Network abuse"},
}

// reportStatuses are the statuses of a report on the customer's side.
var reportStatuses = []choice{{"accepted", "Accepted"}, {"in_review", "In review"}}

// mitigationStatusChoices are the mitigation statuses, in words.
var mitigationStatusChoices = func() []choice {
	var out []choice
	for _, s := range []models.MitigationStatus{models.MitigationPending, models.MitigationActive,
		models.MitigationInReview, models.MitigationCancelled, models.MitigationRemoved} {
		out = append(out, choice{Value: string(s), Label: statusWord(s)})
	}
	return out
}()

func labelOf(cs []choice, v string) string {
	for _, c := range cs {
		if c.Value == v {
			return c.Label
		}
	}
	return v
}

func hasChoice(cs []choice, v string) bool {
	for _, c := range cs {
		if c.Value == v {
			return true
		}
	}
	return false
}

// portalFilter is the reports list's filter form, as typed.
type portalFilter struct {
	Domain, Type, Status, MitigationStatus string
	// From and To are dates (YYYY-MM-DD): filed on or after From, before To.
	From, To string
	Page     int
	// After and Before are From and To read.
	After, Before time.Time
}

// readPortalFilter reads and bounds the filter of the reports list.
func readPortalFilter(q url.Values) (portalFilter, fieldErrors) {
	errs := fieldErrors{}
	f := portalFilter{Domain: strings.ToLower(strings.TrimSpace(q.Get("domain"))), Type: q.Get("type"),
		Status: q.Get("status"), MitigationStatus: q.Get("mitigation_status"),
		From: strings.TrimSpace(q.Get("created_after")), To: strings.TrimSpace(q.Get("created_before")), Page: 1}
	if len(f.Domain) > maxDomainLen {
		errs.add("domain", "A domain has at most 255 characters.")
		f.Domain = f.Domain[:maxDomainLen]
	}
	if f.Type != "" && !hasChoice(reportTypes, f.Type) {
		errs.add("type", "Choose a type from the list.")
		f.Type = ""
	}
	if f.Status != "" && !hasChoice(reportStatuses, f.Status) {
		errs.add("status", "Choose a status from the list.")
		f.Status = ""
	}
	if f.MitigationStatus != "" && !hasChoice(mitigationStatusChoices, f.MitigationStatus) {
		errs.add("mitigation_status", "Choose a mitigation status from the list.")
		f.MitigationStatus = ""
	}
	f.After, f.From = readDate(errs, "created_after", f.From)
	f.Before, f.To = readDate(errs, "created_before", f.To)
	if !f.After.IsZero() && !f.Before.IsZero() && !f.Before.After(f.After) {
		errs.add("created_before", "The end of the range must come after its start.")
	}
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPortalPage {
			errs.add("page", "The page is a number from 1 to 10000.")
		} else {
			f.Page = n
		}
	}
	return f, errs
}

// readDate reads a YYYY-MM-DD date (UTC midnight); a bad one is a problem
// and is cleared.
func readDate(errs fieldErrors, field, s string) (time.Time, string) {
	if s == "" {
		return time.Time{}, ""
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 2000 || t.Year() > 9999 {
		errs.add(field, "Give a date as YYYY-MM-DD.")
		return time.Time{}, ""
	}
	return t, s
}

// query is the filter as a query string, for a page of the list.
func (f portalFilter) query(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"domain": f.Domain, "type": f.Type, "status": f.Status,
		"mitigation_status": f.MitigationStatus, "created_after": f.From, "created_before": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return portalHome
	}
	return portalHome + "?" + v.Encode()
}

// filtered reports whether any filter is set.
func (f portalFilter) filtered() bool {
	return f.Domain != "" || f.Type != "" || f.Status != "" || f.MitigationStatus != "" || f.From != "" || f.To != ""
}

// appealForm is the appeal form, as typed.
type appealForm struct {
	IDs       []string
	Reason    string
	Statement string
}

// readAppeal reads and bounds the appeal form: at least one mitigation,
// a reason from the list, a statement of at most maxAppealStatement
// characters.
func readAppeal(form url.Values) (appealForm, fieldErrors) {
	errs := fieldErrors{}
	a := appealForm{Reason: form.Get("reason"), Statement: strings.TrimSpace(form.Get("statement"))}
	seen := map[string]bool{}
	for _, id := range form["mitigation_id"] {
		if id == "" || len(id) > 64 || seen[id] {
			continue
		}
		seen[id] = true
		a.IDs = append(a.IDs, id)
	}
	switch {
	case len(a.IDs) == 0:
		errs.add("mitigation_id", "Tick the mitigations you appeal.")
	case len(a.IDs) > maxAppealPicks:
		errs.add("mitigation_id", "Appeal at most 100 mitigations at once.")
		a.IDs = a.IDs[:maxAppealPicks]
	}
	if !hasChoice(appealReasons, a.Reason) {
		errs.add("reason", "Choose why you appeal.")
		a.Reason = ""
	}
	if n := utf8.RuneCountInString(a.Statement); n > maxAppealStatement {
		errs.add("statement", "The statement has "+strconv.Itoa(n)+" characters; at most 5000 fit.")
	}
	return a, errs
}

// readContact reads the abuse contact form: an address, or empty to
// remove it.
func readContact(form url.Values) (string, fieldErrors) {
	errs := fieldErrors{}
	e := strings.TrimSpace(form.Get("email"))
	if e == "" {
		return "", errs
	}
	at := strings.LastIndexByte(e, '@')
	switch {
	case len(e) > maxEmailLen:
		errs.add("email", "An address has at most 254 characters.")
	case at < 1 || at == len(e)-1 || strings.ContainsAny(e, " \t\r\n<>,;\""):
		errs.add("email", "Give one mail address, like abuse@example.com.")
	}
	return e, errs
}
