package mailintake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/abusedesk/abusedesk/internal/jsondoc"
	"github.com/abusedesk/abusedesk/models"
)

// xarfDoc holds the X-ARF v4 fields abusedesk reads (xarf/xarf-spec,
// schemas/v4/xarf-core.json and the content and copyright type schemas).
// Unknown fields are allowed by the spec and ignored here.
type xarfDoc struct {
	Version          string      `json:"xarf_version"`
	ReportID         string      `json:"report_id"`
	Timestamp        string      `json:"timestamp"`
	Reporter         xarfContact `json:"reporter"`
	Sender           xarfContact `json:"sender"`
	SourceIdentifier string      `json:"source_identifier"`
	Category         string      `json:"category"`
	Type             string      `json:"type"`
	Description      string      `json:"description"`

	URL           string `json:"url"`
	InfringingURL string `json:"infringing_url"`

	TargetBrand       string `json:"target_brand"`
	AffectedBrand     string `json:"affected_brand"`
	TrademarkViolated string `json:"trademark_violated"`
	InfringingContent string `json:"infringing_content"`
	SchemeDescription string `json:"scheme_description"`
	MalwareFamily     string `json:"malware_family"`
	WorkTitle         string `json:"work_title"`
	WorkIdentifier    string `json:"work_identifier"`
	RightsHolder      string `json:"rights_holder"`

	Evidence []struct {
		ContentType string `json:"content_type"`
		Description string `json:"description"`
	} `json:"evidence"`

	// The 512(c)(3) statements are not X-ARF fields. X-ARF allows extra
	// properties, so a sender that makes the statements can carry them
	// under abusedesk's own names; without them the statements are absent
	// and the report's validation says so.
	GoodFaith            *bool  `json:"good_faith"`
	AccurateUnderPenalty *bool  `json:"accurate_under_penalty"`
	Signature            string `json:"signature"`
}

type xarfContact struct {
	Org     string `json:"org"`
	Contact string `json:"contact"`
	Domain  string `json:"domain"`
}

// xarfContentTypes maps the X-ARF v4 content types onto abusedesk's
// categories. A content type not listed becomes "other" for an analyst to
// triage: it is still content at a URL.
var xarfContentTypes = map[string]models.Category{
	"phishing":                models.CategoryPhishing,
	"malware":                 models.CategoryMalware,
	"csam":                    models.CategoryCSAM,
	"csem":                    models.CategoryCSAM,
	"fraud":                   models.CategoryFraud,
	"scam":                    models.CategoryFraud,
	"brand_infringement":      models.CategoryTrademark,
	"exposed_data":            models.CategoryPersonalInformation,
	"remote_compromise":       models.CategoryOther,
	"suspicious_registration": models.CategoryOther,
}

// xarfRefusals says, per X-ARF category abusedesk does not handle, why.
var xarfRefusals = map[string]string{
	"messaging":      "it reports messages (spam) sent from a network, and abusedesk handles content at URLs; send it to the sending network's abuse contact",
	"connection":     "it reports network activity from an IP address, and abusedesk handles content at URLs; send it to the network's abuse contact",
	"vulnerability":  "it reports a vulnerable or exposed service, and abusedesk handles abusive content at URLs",
	"infrastructure": "it reports a compromised or bot-infected host, and abusedesk handles abusive content at URLs; send it to the network's abuse contact",
	"reputation":     "it reports a blocklist or threat-intelligence listing, not content at a URL",
}

// ParseXARF maps one X-ARF v4 JSON document onto a report request: the
// content and copyright categories become abusedesk categories, the others
// are refused with the reason. The problems are those of the document
// itself (not JSON, not version 4, refused category, no URL); the usual
// validation of the report still follows. Source is set to "xarf".
func ParseXARF(doc []byte) (models.ReportRequest, []models.FieldError) {
	req := models.ReportRequest{Source: SourceXARF}
	doc = bytes.TrimPrefix(doc, utf8BOM)
	if v4, ok := ConvertXARF3(doc); ok {
		doc = v4
	}
	var d xarfDoc
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&d); err != nil {
		return req, []models.FieldError{{Field: "body", Message: "not an X-ARF v4 JSON document: " + err.Error()}}
	}
	var problems []models.FieldError
	add := func(field, format string, args ...any) {
		problems = append(problems, models.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	// encoding/json keeps the last of two equal keys; another reader may
	// keep the first. A document that can be read two ways is refused.
	dups, _ := jsondoc.Duplicates(doc)
	for _, f := range dups {
		add(f, "%s appears more than once in its object; send each field once", f)
	}
	if !strings.HasPrefix(d.Version, "4.") {
		add("xarf_version", "xarf_version must be 4.x (X-ARF v4); got %q", d.Version)
	}
	if strings.TrimSpace(d.ReportID) == "" {
		add("report_id", "report_id is required")
	}

	category := strings.ToLower(strings.TrimSpace(d.Category))
	typ := strings.ToLower(strings.TrimSpace(d.Type))
	switch category {
	case "content":
		req.Category = models.CategoryOther
		if c, ok := xarfContentTypes[typ]; ok {
			req.Category = c
		}
	case "copyright":
		// Every copyright type (copyright, cyberlocker, ugc_platform,
		// link_site, usenet, p2p) is a copyright notice to abusedesk, except
		// a report that names a trademark: that is a trademark report.
		if strings.Contains(typ, "trademark") || strings.TrimSpace(d.TrademarkViolated) != "" {
			req.Category = models.CategoryTrademark
			break
		}
		req.Category = models.CategoryCopyright
		req.Copyright = &models.CopyrightClaim{
			Work:                 xarfWork(d),
			GoodFaith:            d.GoodFaith != nil && *d.GoodFaith,
			AccurateUnderPenalty: d.AccurateUnderPenalty != nil && *d.AccurateUnderPenalty,
			Signature:            strings.TrimSpace(d.Signature),
		}
	case "":
		add("category", "category is required")
	default:
		why, ok := xarfRefusals[category]
		if !ok {
			why = "it is not an X-ARF v4 category"
		}
		add("category", "X-ARF category %q is not handled by abusedesk: %s", d.Category, why)
	}

	req.URLs = xarfURLs(d)
	if len(req.URLs) == 0 && (category == "content" || category == "copyright") {
		add("urls", "the report names no URL: abusedesk needs url (content) or infringing_url (copyright)")
	}
	req.Reporter = models.Reporter{
		Name:         strings.TrimSpace(d.Reporter.Org),
		Email:        strings.TrimSpace(d.Reporter.Contact),
		Organization: strings.TrimSpace(d.Reporter.Org),
	}
	req.Description = xarfDescription(d)
	return req, problems
}

// XARFReportID returns the report_id of an X-ARF v4 document, or "" when
// the document has none or is not JSON.
func XARFReportID(doc []byte) string {
	var d struct {
		ReportID string `json:"report_id"`
	}
	if json.Unmarshal(bytes.TrimPrefix(doc, utf8BOM), &d) != nil {
		return ""
	}
	return strings.TrimSpace(d.ReportID)
}

// XARFDedupKey is the deduplication key of an X-ARF v4 document: its
// report_id scoped by the reporter's contact, because report ids are only
// unique per reporter in practice. The email intake uses the same key
// (Parsed.DedupKey), so a report sent both by mail and over HTTP can make
// one case when the HTTP side uses it as its idempotency key. "" when the
// document has no report_id.
func XARFDedupKey(doc []byte) string {
	var d xarfDoc
	if json.Unmarshal(bytes.TrimPrefix(doc, utf8BOM), &d) != nil {
		return ""
	}
	return xarfKey(d.Reporter.Contact, d.ReportID)
}

func xarfKey(reporter, reportID string) string {
	reportID = strings.TrimSpace(reportID)
	if reportID == "" {
		return ""
	}
	return "xarf:" + normalizeAddr(reporter) + "/" + reportID
}

// xarfURLs collects the reported URLs: url (content), infringing_url
// (copyright), and source_identifier when it is itself a URL.
func xarfURLs(d xarfDoc) []string {
	var urls []string
	for _, u := range []string{d.URL, d.InfringingURL, d.SourceIdentifier} {
		if isWebURL(u) {
			urls = append(urls, strings.TrimSpace(u))
		}
	}
	return dedupStrings(urls)
}

// xarfWork names the copyrighted work from work_title, work_identifier and
// rights_holder.
func xarfWork(d xarfDoc) string {
	work := strings.TrimSpace(d.WorkTitle)
	if work == "" {
		return ""
	}
	if id := strings.TrimSpace(d.WorkIdentifier); id != "" {
		work += " (" + id + ")"
	}
	if rh := strings.TrimSpace(d.RightsHolder); rh != "" {
		work += ", rights holder: " + rh
	}
	return work
}

// xarfDescription writes the report's own description first, then what an
// analyst needs to read the report without opening the JSON.
func xarfDescription(d xarfDoc) string {
	var b strings.Builder
	for _, s := range []string{d.Description, d.SchemeDescription, d.InfringingContent} {
		if s = strings.TrimSpace(s); s != "" {
			b.WriteString(s + "\n\n")
		}
	}
	fmt.Fprintf(&b, "X-ARF v4 report %s (%s/%s)", d.ReportID, d.Category, d.Type)
	if d.Timestamp != "" {
		fmt.Fprintf(&b, " of %s", d.Timestamp)
	}
	fmt.Fprintf(&b, " from %s <%s>", d.Reporter.Org, d.Reporter.Contact)
	if d.Sender.Contact != "" && !strings.EqualFold(d.Sender.Contact, d.Reporter.Contact) {
		fmt.Fprintf(&b, ", sent on its behalf by %s <%s>", d.Sender.Org, d.Sender.Contact)
	}
	b.WriteString(".\n")
	line := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", label, v)
		}
	}
	line("Source", d.SourceIdentifier)
	line("Target brand", d.TargetBrand)
	line("Affected brand", d.AffectedBrand)
	line("Trademark", d.TrademarkViolated)
	line("Malware family", d.MalwareFamily)
	line("Work", xarfWork(d))
	for _, e := range d.Evidence {
		line("Evidence ("+e.ContentType+")", e.Description)
	}
	return strings.TrimSpace(b.String())
}
