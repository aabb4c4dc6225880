package mailintake

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message/textproto"

	"github.com/abusedesk/abusedesk/models"
)

// arfPart returns the message/feedback-report part of an ARF report
// (RFC 5965 section 2), if the mail has one outside attached messages.
func arfPart(t mimeTree) (part, bool) {
	for _, p := range t.parts {
		if p.mediaType == "message/feedback-report" && !p.nested {
			return p, true
		}
	}
	return part{}, false
}

// arfFeedbackTypes maps RFC 5965's Feedback-Type (and RFC 6650/6591's
// additions) onto categories. "fraud" is "some kind of fraud or phishing
// activity": it becomes fraud, and an analyst may reclassify it as phishing.
// "abuse" is unsolicited mail: spam is not one of abusedesk's categories,
// so it becomes "other" (or the recipient's category) for triage. A type not
// listed here is refused, with the reason in arfRefusals.
var arfFeedbackTypes = map[string]models.Category{
	"abuse": models.CategoryOther,
	"fraud": models.CategoryFraud,
	"virus": models.CategoryMalware,
	"other": models.CategoryOther,
	"":      models.CategoryOther,
}

var arfRefusals = map[string]string{
	"not-spam":     "it withdraws a complaint rather than making one",
	"auth-failure": "it reports a mail authentication failure (RFC 6591), not content at a URL",
}

// parseARF maps an ARF report. The URLs are the Reported-URI fields; when
// there are none, the URLs written in the original message that the report
// carries (message/rfc822 or text/rfc822-headers part).
func parseARF(t mimeTree, fb part, p *Parsed, f urlFilter) {
	// The fields are a header block; the blank line that ends one may be
	// missing at the end of the part.
	body := io.MultiReader(bytes.NewReader(bytes.TrimSpace(fb.body)), strings.NewReader("\r\n\r\n"))
	h, err := textproto.ReadHeader(bufio.NewReader(body))
	if err != nil {
		p.addProblem("message", "ARF report: the message/feedback-report part cannot be read: "+err.Error())
		return
	}
	r := &p.Report
	ftype := strings.ToLower(strings.TrimSpace(h.Get("Feedback-Type")))
	if cat, ok := arfFeedbackTypes[ftype]; ok {
		r.Category, p.CategoryBy = cat, "arf feedback-type: "+firstNonEmpty(ftype, "(none)")
	} else {
		why, known := arfRefusals[ftype]
		if !known {
			why = "it is not a Feedback-Type abusedesk knows (abuse, fraud, virus, other)"
		}
		p.addProblem("category", fmt.Sprintf("ARF Feedback-Type %q is not handled by abusedesk: %s", ftype, why))
	}

	for _, v := range h.Values("Reported-Uri") {
		v = strings.Trim(strings.TrimSpace(v), "<>")
		if isWebURL(v) {
			r.URLs = append(r.URLs, v)
		}
	}
	r.URLs = dedupStrings(r.URLs)
	if len(r.URLs) == 0 {
		var nested mimeTree
		for _, q := range t.parts {
			if q.nested {
				nested.parts = append(nested.parts, q)
			}
		}
		r.URLs = p.keepURLs(nested.urls(), f)
	}
	if ip := normalizeIP(h.Get("Source-Ip")); ip != "" && len(r.URLs) == 0 && r.Category != "" {
		p.IPEvents = append(p.IPEvents, IPEvent{IP: ip, Time: strings.TrimSpace(h.Get("Arrival-Date")),
			Kind: "arf " + ftype, Evidence: fmt.Sprintf("ARF %s report: Source-IP %s, Original-Mail-From %s", ftype, ip, strings.TrimSpace(h.Get("Original-Mail-From")))})
	}
	if len(r.URLs) == 0 {
		p.addProblem("urls", "the ARF report names no URL: add a Reported-URI field, or include the original message with its links")
	}

	var b strings.Builder
	if human := strings.TrimSpace(t.firstText()); human != "" {
		b.WriteString(human + "\n\n")
	}
	fmt.Fprintf(&b, "ARF feedback report (Feedback-Type: %s)\n", ftype)
	for _, k := range []string{"User-Agent", "Source-IP", "Original-Mail-From", "Original-Rcpt-To", "Arrival-Date", "Reported-Domain", "Incidents"} {
		for _, v := range h.Values(k) {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.TrimSpace(v))
		}
	}
	r.Description = strings.TrimSpace(b.String())
}
