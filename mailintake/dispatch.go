package mailintake

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/abusedesk/abusedesk/models"
)

// Format names of the formats added for real senders' mail.
const (
	FormatACNS = "acns"
	FormatCSV  = "csv"
)

// parseBody reads the mail by what it is: the first structured format
// found decides (X-ARF v4 or v3, X-ARF 0.2, ARF, ACNS, a CSV report of IP
// events), and only a mail with none of them is read as plain text.
func parseBody(t mimeTree, p *Parsed, f urlFilter) {
	if doc, ok := xarf4Doc(t); ok {
		p.Format = FormatXARF4
		parseXARF4Mail(doc, p)
		return
	}
	if isXARF02(t) {
		p.Format = FormatXARF02
		parseXARF02(t, p)
		return
	}
	if fb, ok := arfPart(t); ok {
		p.Format = FormatARF
		parseARF(t, fb, p, f)
		return
	}
	if doc, ok := acnsDoc(t); ok {
		p.Format = FormatACNS
		parseACNS(t, doc, p)
		return
	}
	if evs, ok, err := csvReports(t); ok || err != nil {
		p.Format = FormatCSV
		parseCSVMail(t, evs, err, p)
		return
	}
	parsePlain(t, p, f)
}

// parsePlain takes the URLs written in the mail's text, except the
// sender's own and boilerplate links.
func parsePlain(t mimeTree, p *Parsed, f urlFilter) {
	p.Report.Category = models.CategoryOther // refined by chooseCategory
	p.Report.Description = strings.TrimSpace(p.Subject + "\n\n" + strings.TrimSpace(t.firstText()))
	p.Report.URLs = p.keepURLs(t.urls(), f)
	// A report about IP addresses in plain text (a scanner's or honeypot's
	// mail); used only when no URL is usable (see finishURLs).
	p.IPEvents = plainIPEvents(t.firstText())
	if len(p.Report.URLs) > 0 || len(p.IPEvents) > 0 {
		return
	}
	msg := "no http(s) URL was found in the message: write the full URLs of the content you report (e.g. https://example.com/page) in the text of the mail"
	if len(p.LeftOut) > 0 {
		msg = fmt.Sprintf("no reported URL was found in the message: its %d %s %s the sender's own or boilerplate (e.g. %s); write the full URLs of the content you report in the text of the mail",
			len(p.LeftOut), plural(len(p.LeftOut), "link", "links"), plural(len(p.LeftOut), "is", "are"), p.LeftOut[0].Text)
	}
	p.addProblem("urls", msg)
}

// keepURLs returns the URLs f keeps, recording the others in LeftOut.
func (p *Parsed) keepURLs(urls []string, f urlFilter) []string {
	kept, left := f.split(urls)
	keys := make([]string, 0, len(left))
	for u := range left {
		keys = append(keys, u)
	}
	sort.Strings(keys)
	for _, u := range keys {
		p.LeftOut = append(p.LeftOut, Unusable{Text: u, Reason: left[u]})
	}
	return kept
}

// parseCSVMail maps a mail that carries a CSV report of IP events.
func parseCSVMail(t mimeTree, evs []IPEvent, err error, p *Parsed) {
	if err != nil {
		p.addProblem("message", "CSV report: "+err.Error())
		return
	}
	p.IPEvents = evs
	p.Report.Description = strings.TrimSpace(p.Subject + "\n\n" + strings.TrimSpace(t.firstText()))
	if len(evs) == 0 {
		p.addProblem(IPReportField, "the CSV report has an IP column but no row with an IP address")
	}
}

// finishURLs sets apart the URLs whose host no website can have (a
// sender's "*MUNGED*" placeholder), so that the others still make the
// case, and turns a report with IP events and no URL into the IP report
// answer.
func finishURLs(p *Parsed) {
	var ok []string
	for _, u := range p.Report.URLs {
		if why := hostProblem(u); why != "" {
			p.Unusable = append(p.Unusable, Unusable{Text: u, Reason: why})
			continue
		}
		ok = append(ok, u)
	}
	p.Report.URLs = ok
	if len(ok) > 0 && p.Format == FormatPlain {
		p.IPEvents = nil // addresses written beside a reported URL are context
	}
	if len(ok) == 0 && len(p.IPEvents) > 0 {
		p.Problems = withoutFields(p.Problems, "urls", "category", IPReportField)
		addIPReportProblem(p)
		return
	}
	if len(p.Unusable) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("\n\nNot taken from the report (not usable as URLs):")
	for _, u := range p.Unusable {
		fmt.Fprintf(&b, "\n  %s: %s", u.Text, u.Reason)
	}
	p.Report.Description += b.String()
	if len(ok) == 0 {
		p.Problems = withoutFields(p.Problems, "urls")
		for _, u := range p.Unusable {
			p.addProblem("urls", fmt.Sprintf("%s is not a usable URL: %s", quoteShort(u.Text), u.Reason))
		}
	}
}

// withoutFields drops the problems about the named fields.
func withoutFields(in []models.FieldError, fields ...string) []models.FieldError {
	var out []models.FieldError
	for _, e := range in {
		drop := false
		for _, f := range fields {
			drop = drop || e.Field == f
		}
		if !drop {
			out = append(out, e)
		}
	}
	return out
}

// parseXARF4Mail maps the X-ARF v4 document of a mail. The document's
// reporter is the reporter; the From address stands in when it has no
// contact. A report whose subject is an IP address (source_identifier)
// and that names no URL is an IP event.
func parseXARF4Mail(doc []byte, p *Parsed) {
	from := p.Report.Reporter
	req, problems := ParseXARF(doc)
	req.Source = SourceEmail
	if req.Reporter.Email == "" {
		req.Reporter.Email = from.Email
	}
	if req.Reporter.Name == "" {
		req.Reporter.Name = from.Name
	}
	p.Report = req
	p.Problems = append(p.Problems, problems...)
	if v4, ok := ConvertXARF3(doc); ok {
		doc = v4
	}
	var d xarfDoc
	if json.Unmarshal(doc, &d) == nil {
		p.DedupKey = xarfKey(d.Reporter.Contact, d.ReportID)
		p.CategoryBy = fmt.Sprintf("xarf: %s/%s", d.Category, d.Type)
		if ip := normalizeIP(d.SourceIdentifier); ip != "" && len(req.URLs) == 0 {
			p.IPEvents = append(p.IPEvents, IPEvent{IP: ip, Time: d.Timestamp, Kind: d.Category + "/" + d.Type,
				Evidence: fmt.Sprintf("X-ARF report %s: %s/%s from %s", d.ReportID, d.Category, d.Type, d.Reporter.Org)})
		}
	}
	p.Digest = XARFDigest(doc)
}
