package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The keys of the audit parts: the history export that outlives Temporal's
// retention and the optional submitter of statements of reasons to the EU
// DSA Transparency Database. They are appended to Keys so that Load accepts
// them in a file and README lists them; LoadAudit reads them.
func init() {
	Keys = append(Keys,
		Key{"history_export_interval", "1m", "how often closed cases' workflow histories are copied into the database (table history_exports), so GET /v1/cases/{id}/history still answers after Temporal's retention deleted the run; 0 turns the exporter off"},
		Key{"dsa_submit_url", "", "base URL of the EU DSA Transparency Database API (statements go to {url}/api/v1/statements); empty: statements of reasons are kept and served, never submitted"},
		Key{"dsa_submit_token", "", "Bearer token of the DSA Transparency Database API (required with dsa_submit_url)"},
		Key{"dsa_submit_interval", "5m", "how often pending statements of reasons are submitted (in batches of at most 100)"},
	)
}

// Audit is the configuration of the history export and the statement
// submitter: the keys this file adds to Keys.
type Audit struct {
	// HistoryExportInterval is the exporter's polling period; 0 is off.
	HistoryExportInterval time.Duration
	// DSASubmitURL is the Transparency Database base URL; empty is off.
	DSASubmitURL string
	// DSASubmitToken is the Transparency Database API token.
	DSASubmitToken string
	// DSASubmitInterval is the submitter's polling period.
	DSASubmitInterval time.Duration
}

// auditKeys are the names LoadAudit reads.
var auditKeys = []string{"history_export_interval", "dsa_submit_url", "dsa_submit_token", "dsa_submit_interval"}

// LoadAudit reads the audit keys from the same sources as Load: defaults,
// then file (or ./abusedesk.yaml when file is empty and it exists), then
// ABUSEDESK_* variables. Invalid values are errors naming the key.
func LoadAudit(file string) (Audit, error) {
	v, err := source(file, auditKeys)
	if err != nil {
		return Audit{}, err
	}
	var a Audit
	var errs []string
	dur := func(key string, zeroOK bool) time.Duration {
		s := strings.TrimSpace(v.GetString(key))
		if zeroOK && (s == "0" || s == "") {
			return 0
		}
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 || (d == 0 && !zeroOK) {
			errs = append(errs, fmt.Sprintf("%s (ABUSEDESK_%s): %q is not a positive duration like 1m", key, strings.ToUpper(key), s))
		}
		return d
	}
	a.HistoryExportInterval = dur("history_export_interval", true)
	a.DSASubmitInterval = dur("dsa_submit_interval", false)
	a.DSASubmitURL = strings.TrimRight(strings.TrimSpace(v.GetString("dsa_submit_url")), "/")
	a.DSASubmitToken = strings.TrimSpace(v.GetString("dsa_submit_token"))
	if a.DSASubmitURL != "" {
		u, err := url.Parse(a.DSASubmitURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Sprintf("dsa_submit_url (ABUSEDESK_DSA_SUBMIT_URL): %q is not an http(s) URL", a.DSASubmitURL))
		}
		if a.DSASubmitToken == "" {
			errs = append(errs, "dsa_submit_token (ABUSEDESK_DSA_SUBMIT_TOKEN): required when dsa_submit_url is set")
		}
	}
	if len(errs) > 0 {
		return Audit{}, fmt.Errorf("invalid configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return a, nil
}
