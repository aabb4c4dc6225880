package mailintake

import (
	"bytes"
	"encoding/json"
	"strings"
)

// utf8BOM is the byte-order mark some senders write before a JSON document
// (RFC 8259 section 8.1 allows a parser to ignore it).
var utf8BOM = []byte("\xEF\xBB\xBF")

// xarf3Doc holds the X-ARF v3 fields that the conversion to v4 maps
// (xarf-spec docs/implementation-guide.md, "v3 Compatibility"). The spec's
// own samples write Source as an object; its guide writes SourceIp and
// SourcePort; both are read.
type xarf3Doc struct {
	Version      json.RawMessage `json:"Version"`
	ReporterInfo struct {
		ReporterOrg          string `json:"ReporterOrg"`
		ReporterOrgDomain    string `json:"ReporterOrgDomain"`
		ReporterOrgEmail     string `json:"ReporterOrgEmail"`
		ReporterContactEmail string `json:"ReporterContactEmail"`
	} `json:"ReporterInfo"`
	Report struct {
		ReportClass string          `json:"ReportClass"`
		ReportType  string          `json:"ReportType"`
		Date        string          `json:"Date"`
		SourceIP    string          `json:"SourceIp"`
		SourcePort  json.RawMessage `json:"SourcePort"`
		Source      struct {
			URL  string          `json:"URL"`
			IP   string          `json:"IP"`
			Port json.RawMessage `json:"Port"`
		} `json:"Source"`
		AdditionalInfo map[string]any `json:"AdditionalInfo"`
	} `json:"Report"`
}

// xarf3Types maps v3 ReportType values (lower case) onto v4 category and
// type, as the spec asks each implementation to keep in a table.
var xarf3Types = map[string][2]string{
	"phishing": {"content", "phishing"}, "malware": {"content", "malware"},
	"fraud": {"content", "fraud"}, "spam": {"messaging", "spam"},
	"ddos": {"connection", "ddos"}, "botnet": {"infrastructure", "botnet"},
	"portscan": {"connection", "port_scan"}, "port_scan": {"connection", "port_scan"},
	"scan": {"connection", "port_scan"}, "login-attack": {"connection", "login_attack"},
	"bruteforce": {"connection", "login_attack"}, "copyright": {"copyright", "copyright"},
	"csam": {"content", "csam"},
}

// isXARF3 reports whether doc is an X-ARF v3 document: a JSON object with
// Version and Report and no xarf_version.
func isXARF3(doc []byte) bool {
	doc = bytes.TrimSpace(bytes.TrimPrefix(doc, utf8BOM))
	return bytes.HasPrefix(doc, []byte("{")) && bytes.Contains(doc, []byte(`"Version"`)) &&
		bytes.Contains(doc, []byte(`"Report"`)) && !bytes.Contains(doc, []byte(`"xarf_version"`))
}

// ConvertXARF3 converts an X-ARF v3 document to v4 as the X-ARF spec asks
// v4 parsers to: fields mapped, legacy_version "3" added. The spec has the
// converter generate a random report_id; this one derives it from the
// document's digest, so that a redelivery of the same v3 report is known
// as the same report. A ReportType not in the table is kept as the type
// with an empty category, which the v4 parser then refuses by name.
func ConvertXARF3(doc []byte) ([]byte, bool) {
	doc = bytes.TrimPrefix(doc, utf8BOM)
	if !isXARF3(doc) {
		return nil, false
	}
	var d xarf3Doc
	if json.Unmarshal(doc, &d) != nil {
		return nil, false
	}
	r := d.Report
	ct, ok := xarf3Types[strings.ToLower(strings.TrimSpace(r.ReportType))]
	if !ok {
		ct = [2]string{"", r.ReportType}
	}
	contact := firstNonEmpty(d.ReporterInfo.ReporterOrgEmail, d.ReporterInfo.ReporterContactEmail)
	reporter := map[string]any{"org": d.ReporterInfo.ReporterOrg, "contact": contact, "domain": d.ReporterInfo.ReporterOrgDomain, "type": "unknown"}
	v4 := map[string]any{
		"xarf_version": "4.2.0", "legacy_version": "3",
		"report_id": "v3-" + XARFDigest(doc)[:32], "timestamp": r.Date,
		"reporter": reporter, "sender": reporter,
		"source_identifier": firstNonEmpty(r.SourceIP, r.Source.IP, r.Source.URL),
		"category":          ct[0], "type": ct[1], "evidence_source": "unknown",
	}
	if port := firstNonEmpty(string(r.SourcePort), string(r.Source.Port)); port != "" {
		v4["source_port"] = json.RawMessage(port)
	}
	if isWebURL(r.Source.URL) {
		v4["url"] = r.Source.URL
	}
	for k, v := range r.AdditionalInfo {
		if s, ok := v.(string); ok && k == "TargetBrand" {
			v4["target_brand"] = s
		}
	}
	out, err := json.Marshal(v4)
	return out, err == nil
}
