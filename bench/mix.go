// Package bench is abusedesk's load driver: N concurrent reporters file a
// realistic mix of reports over HTTP against the demo customer records,
// while the driver watches Temporal for each case's close and measures, on
// the same Temporal server in the same run, the rate at which that server
// starts and completes an empty workflow, so the desk's own rate is read as
// a ratio of what the engine can do on this machine. `abusedesk bench` runs
// it; the fault tests (faults/) use it as their load.
package bench

import (
	"fmt"
	"strings"
)

// Kind is what the desk does with a report, by the customer records.
type Kind string

// Kinds of report in a mix.
const (
	KindCDN     Kind = "cdn"      // pass-through domain: forwarded, closed
	KindNotOurs Kind = "not_ours" // no customer's domain: closed not_our_customer
	KindHosted  Kind = "hosted"   // content we host: waits for an analyst
)

// Expect is the state a case of a template reaches without anyone acting
// on it, and the notices it sends on the way.
type Expect struct {
	Status  string `json:"status"`
	Outcome string `json:"outcome,omitempty"`
	// Notices counts the notices sent, the reporter's receipt included.
	Notices int `json:"notices"`
}

// Template is one kind of report in a mix.
type Template struct {
	Name     string
	Kind     Kind
	Category string
	// Host is the reported URL's host; the path is unique per report.
	Host    string
	Forward bool
	Weight  int
	Expect  Expect
}

// Expected states of the demo customer records (demo/customers.yaml).
var (
	// CDN: receipt, operator forward (when allowed), host forward, reply.
	cdnForwarded   = Expect{Status: "closed", Outcome: "forwarded", Notices: 4}
	cdnNoOperator  = Expect{Status: "closed", Outcome: "forwarded", Notices: 3}
	notOurCustomer = Expect{Status: "closed", Outcome: "not_our_customer", Notices: 2}
	awaitAnalyst   = Expect{Status: "awaiting_analyst", Notices: 1}
)

// Mixes by name. "realistic" is what an abuse desk of a CDN sees: mostly
// phishing, malware and copyright about pass-through sites, some reports
// about domains that are not ours, a few about hosted pages.
var Mixes = map[string][]Template{
	"realistic": {
		{"cdn-phishing-shop", KindCDN, "phishing", "shop.example", true, 25, cdnForwarded},
		{"cdn-phishing-blog-no-operator", KindCDN, "phishing", "blog.example", false, 10, cdnNoOperator},
		{"cdn-malware-shop", KindCDN, "malware", "shop.example", true, 10, cdnForwarded},
		{"cdn-malware-blog-no-operator", KindCDN, "malware", "blog.example", false, 5, cdnNoOperator},
		{"cdn-copyright-shop", KindCDN, "copyright", "shop.example", true, 15, cdnForwarded},
		{"cdn-copyright-blog", KindCDN, "copyright", "blog.example", true, 15, cdnForwarded},
		{"not-ours-phishing", KindNotOurs, "phishing", "elsewhere.example", true, 10, notOurCustomer},
		{"not-ours-malware", KindNotOurs, "malware", "unknown-cdn.example", true, 5, notOurCustomer},
		{"hosted-phishing-pages", KindHosted, "phishing", "pages.example", true, 5, awaitAnalyst},
	},
	"cdn": {
		{"cdn-phishing-shop", KindCDN, "phishing", "shop.example", true, 50, cdnForwarded},
		{"cdn-copyright-blog", KindCDN, "copyright", "blog.example", true, 50, cdnForwarded},
	},
	"hosted": {
		{"hosted-malware-pages", KindHosted, "malware", "pages.example", true, 100, awaitAnalyst},
	},
}

// MixNames lists the mixes for flag help.
func MixNames() string {
	return "realistic, cdn, hosted"
}

// Report is one report of a run: its template and the request body.
type Report struct {
	Index    int
	Template Template
	Body     map[string]any
}

// pick returns the template of report i: a deterministic interleaving by
// weight (every window of 100 reports has each template's share), so a
// short run and a killed run still carry the whole mix.
func pick(mix []Template, i int) Template {
	total := 0
	for _, t := range mix {
		total += t.Weight
	}
	// Spread with a stride coprime to the total so kinds interleave.
	slot := (i * 37) % total
	for _, t := range mix {
		if slot < t.Weight {
			return t
		}
		slot -= t.Weight
	}
	return mix[len(mix)-1]
}

// NewReport builds report i of run of the mix.
func NewReport(mix []Template, run string, i int) Report {
	t := pick(mix, i)
	url := fmt.Sprintf("https://%s/%s/%s-%d", t.Host, pathFor(t.Category), run, i)
	body := map[string]any{
		"category":            t.Category,
		"urls":                []string{url},
		"description":         fmt.Sprintf("%s at %s (load driver run %s, report %d)", strings.ReplaceAll(t.Category, "_", " "), url, run, i),
		"reporter":            map[string]any{"name": "Bench Reporter", "email": "bench-reporter@reporter.example", "organization": "Load Test Ltd"},
		"forward_to_operator": t.Forward,
	}
	if t.Category == "copyright" {
		body["copyright"] = map[string]any{"work": "Song No. " + fmt.Sprint(i%97), "good_faith": true,
			"accurate_under_penalty": true, "signature": "/Bench Reporter/"}
	}
	return Report{Index: i, Template: t, Body: body}
}

func pathFor(category string) string {
	switch category {
	case "phishing":
		return "login"
	case "malware":
		return "download"
	case "copyright":
		return "media"
	}
	return "page"
}
