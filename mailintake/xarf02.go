package mailintake

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/abusedesk/abusedesk/models"
)

var yamlDirective = regexp.MustCompile(`(?m)^%YAML[ \t]+1\.[0-9]+[ \t]*\r?$`)

// isXARF02 reports whether the header marks the mail as X-ARF 0.2
// ("X-ARF: YES"; some senders write "X-XARF: PLAIN").
func isXARF02(t mimeTree) bool {
	if strings.EqualFold(strings.TrimSpace(t.header.Get("X-ARF")), "yes") {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(t.header.Get("X-XARF"))) {
	case "yes", "plain", "secure":
		return true
	}
	return false
}

// xarf02Fields reads the YAML report of an X-ARF 0.2 mail: the part named
// report.txt when there is one, else the second part of the top multipart
// (where the format puts it), else any text part that reads as a YAML
// mapping with Reported-From or Report-Type. Keys are returned lower case.
func xarf02Fields(t mimeTree) (map[string]string, error) {
	var candidates []part
	for _, p := range t.parts {
		if !p.nested && strings.EqualFold(p.filename, "report.txt") {
			candidates = append(candidates, p)
		}
	}
	for _, p := range t.parts {
		if !p.nested && p.index == 1 && strings.HasPrefix(p.parent, "multipart/") {
			candidates = append(candidates, p)
		}
	}
	for _, p := range t.parts {
		if !p.nested && strings.HasPrefix(p.mediaType, "text/") {
			candidates = append(candidates, p)
		}
	}
	var firstErr error
	for _, p := range candidates {
		fields, err := yamlFields(p.body)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if fields["reported-from"] != "" || fields["report-type"] != "" {
			return fields, nil
		}
	}
	if firstErr != nil {
		return nil, fmt.Errorf("the report part is not valid YAML: %w", firstErr)
	}
	return nil, fmt.Errorf("no report part: the second MIME part must be the YAML report (Reported-From, Category, Report-Type, Source, ...)")
}

// yamlFields reads a YAML mapping into lower-case keys and string values.
// A "%YAML 1.2" directive, which some senders write and yaml.v3 refuses,
// is dropped: the report uses nothing 1.2 would read differently.
func yamlFields(body []byte) (map[string]string, error) {
	body = yamlDirective.ReplaceAll(body, nil)
	var m map[string]any
	if err := yaml.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if v != nil {
			out[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(fmt.Sprint(v))
		}
	}
	return out, nil
}

// xarf02Category maps Category (abuse, fraud, info, ...) and Report-Type
// onto a category. The Report-Type names the abuse most precisely, so it
// decides when it names one abusedesk knows; then Category "fraud" gives
// fraud; anything else is "other" for an analyst to triage.
func xarf02Category(category, reportType string) models.Category {
	t := strings.ToLower(reportType)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(t, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("phish"):
		return models.CategoryPhishing
	case has("malware", "virus", "trojan"):
		return models.CategoryMalware
	case has("copyright", "dmca", "piracy"):
		return models.CategoryCopyright
	case has("trademark"):
		return models.CategoryTrademark
	case has("child", "csam"):
		return models.CategoryCSAM
	case has("fraud", "scam"):
		return models.CategoryFraud
	}
	if strings.EqualFold(strings.TrimSpace(category), "fraud") {
		return models.CategoryFraud
	}
	return models.CategoryOther
}

// parseXARF02 maps an X-ARF 0.2 mail. The URL is Source when Source-Type
// is uri/url (or Source is itself a URL); an IP address source is not
// content abusedesk can act on, and the problem says so.
func parseXARF02(t mimeTree, p *Parsed) {
	fields, err := xarf02Fields(t)
	if err != nil {
		p.addProblem("message", "X-ARF 0.2 mail: "+err.Error())
		return
	}
	r := &p.Report
	r.Category = xarf02Category(fields["category"], fields["report-type"])
	src, srcType := fields["source"], strings.ToLower(fields["source-type"])
	if isWebURL(src) && (srcType == "" || srcType == "uri" || srcType == "url") {
		r.URLs = []string{src}
	} else if srcType == "uri" || srcType == "url" {
		r.URLs = ExtractURLs(src)
	}
	if ip := normalizeIP(src); ip != "" && len(r.URLs) == 0 {
		p.IPEvents = append(p.IPEvents, IPEvent{IP: ip, Port: fields["port"], Time: fields["date"], Kind: fields["report-type"],
			Evidence: fmt.Sprintf("X-ARF 0.2 report %s: %s/%s, Source %s", fields["report-id"], fields["category"], fields["report-type"], src)})
	}
	p.CategoryBy = fmt.Sprintf("xarf 0.2: category %q, report-type %q", fields["category"], fields["report-type"])
	if len(r.URLs) == 0 {
		p.addProblem("urls", fmt.Sprintf("the X-ARF 0.2 report's Source %q (Source-Type %q) is not a URL; abusedesk takes reports about content at URLs (Source-Type: uri)", src, fields["source-type"]))
	}
	if addr := parseAddress(fields["reported-from"]); addr != "" {
		r.Reporter.Email = addr
	}
	p.DedupKey = xarfKey(fields["reported-from"], fields["report-id"])

	var b strings.Builder
	if greeting := strings.TrimSpace(t.firstText()); greeting != "" {
		b.WriteString(greeting + "\n\n")
	}
	fmt.Fprintf(&b, "X-ARF 0.2 report %s (%s/%s)\n", fields["report-id"], fields["category"], fields["report-type"])
	for _, k := range []string{"reported-from", "date", "source", "source-type", "service", "port", "user-agent", "schema-url"} {
		if v := fields[k]; v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	r.Description = strings.TrimSpace(b.String())
}
