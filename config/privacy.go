package config

import (
	"fmt"
	"strings"
	"time"
)

// The keys of the privacy and email-intake parts. They are appended to Keys
// so that Load accepts them in a file, README lists them, and LoadPrivacy
// reads them with the same precedence as Load (defaults, file, then
// ABUSEDESK_* variables).
func init() {
	Keys = append(Keys,
		Key{"purge_after", "4320h", "personal data of a closed case (reporter contact, description, notice bodies and addresses, operator and reporter replies, raw evidence) is erased this long after the case closed, unless the case is under a legal hold (180 days)"},
		Key{"intake_addresses", "", "comma-separated recipients the email intake accepts (others get 550); empty accepts every recipient. A local part that names a category (phishing@..., copyright@...) sets the category of plain mail sent to it"},
		Key{"intake_authserv_id", "", "authserv-id of the mail server in front of the email intake; only its Authentication-Results are believed (dmarc=fail marks a report untrusted). Empty believes none"},
		Key{"intake_max_bytes", 10 << 20, "largest email the intake accepts (552 5.3.4 above); the whole message is kept as evidence"},
	)
}

// Privacy is the configuration of the personal-data purge and the email
// intake: the keys this file adds to Keys.
type Privacy struct {
	// PurgeAfter is how long after a case closes its personal data is kept.
	PurgeAfter time.Duration
	// IntakeAddresses are the recipients the email intake accepts; empty
	// accepts every recipient.
	IntakeAddresses []string
	// IntakeAuthservID is the authserv-id whose Authentication-Results
	// headers the email intake believes.
	IntakeAuthservID string
	// IntakeMaxBytes is the largest message the email intake accepts.
	IntakeMaxBytes int64
}

// LoadPrivacy reads the privacy and email-intake keys from the same sources
// as Load: defaults, then file (or ./abusedesk.yaml when file is empty and it
// exists), then ABUSEDESK_* variables. Invalid values are errors naming the
// key.
func LoadPrivacy(file string) (Privacy, error) {
	v, err := source(file, []string{"purge_after", "intake_addresses", "intake_authserv_id", "intake_max_bytes"})
	if err != nil {
		return Privacy{}, err
	}
	var p Privacy
	var errs []string
	s := v.GetString("purge_after")
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		errs = append(errs, fmt.Sprintf("purge_after (ABUSEDESK_PURGE_AFTER): %q is not a positive duration like 4320h", s))
	}
	p.PurgeAfter = d
	for _, a := range strings.Split(v.GetString("intake_addresses"), ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if !strings.Contains(a, "@") {
			errs = append(errs, fmt.Sprintf("intake_addresses (ABUSEDESK_INTAKE_ADDRESSES): %q is not an email address", a))
			continue
		}
		p.IntakeAddresses = append(p.IntakeAddresses, a)
	}
	p.IntakeAuthservID = strings.TrimSpace(v.GetString("intake_authserv_id"))
	p.IntakeMaxBytes = v.GetInt64("intake_max_bytes")
	if p.IntakeMaxBytes < 1024 {
		errs = append(errs, fmt.Sprintf("intake_max_bytes (ABUSEDESK_INTAKE_MAX_BYTES): %q must be a number of bytes, at least 1024", v.GetString("intake_max_bytes")))
	}
	if len(errs) > 0 {
		return Privacy{}, fmt.Errorf("invalid configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return p, nil
}
