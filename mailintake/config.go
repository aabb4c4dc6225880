// Package mailintake turns abuse reports that arrive by email into
// models.ReportRequest values, and runs the SMTP listener that receives them
// (docs/DESIGN.md step 1: reports by email and X-ARF over HTTP take the
// same path as the API's).
//
// It reads a mail by what it is (dispatch.go), trying in this order:
//
//   - X-ARF v4: a JSON document (xarf_version 4.x) sent as an
//     application/json attachment or as a part of a multipart/report; an
//     X-ARF v3 document found the same way is converted to v4 (xarf3.go);
//   - X-ARF 0.2: a mail with the header "X-ARF: YES" whose second part is a
//     YAML document (Reported-From, Category, Report-Type, Source, ...);
//   - ARF (RFC 5965): multipart/report; report-type=feedback-report with a
//     message/feedback-report part;
//   - ACNS: the anti-piracy notice XML (<Infringement>) in the text or an
//     XML part (acns.go);
//   - CSV reports of IP events (Shadowserver-style, inline or zipped);
//   - plain mail: the URLs written in the text (or HTML) of the message,
//     without the sender's own and boilerplate links (boilerplate.go), and
//     the category of the address it was sent to or of its subject's words.
//
// A report about IP addresses (CSV rows, P2P notices, X-ARF reports about
// an IP, plain lists of offending IPs) becomes IPEvents, never URLs.
//
// Parsing is pure (ParseMessage, ParseXARF); validation beyond what the
// formats themselves require, deduplication, evidence storage and the
// workflow start belong to the Submitter that the caller provides, so that
// every channel takes the same path as POST /v1/reports.
package mailintake

import (
	"strings"
	"time"

	"github.com/abusedesk/abusedesk/models"
)

// DefaultMaxBytes is the largest message accepted when Config.MaxBytes is
// zero. The whole message is kept as evidence, so this also bounds the
// evidence one mail can store.
const DefaultMaxBytes int64 = 10 << 20

// Source values that this package sets on ReportRequest.Source.
const (
	SourceEmail = "email"
	SourceXARF  = "xarf"
)

// Format names reported in Parsed.Format.
const (
	FormatXARF4  = "xarf4"
	FormatXARF02 = "xarf02"
	FormatARF    = "arf"
	FormatPlain  = "plain"
)

// Config configures the email intake.
type Config struct {
	// AuthservID is the authserv-id that the mail server in front of
	// abusedesk writes into its Authentication-Results headers. Only those
	// headers are believed (any other could have been written by the
	// sender); empty means no header is believed, no report is marked
	// untrusted and no mail is answered (only a sender that passed DMARC
	// here gets a reply). The server in front must remove incoming headers
	// that claim its authserv-id (RFC 8601 section 5).
	AuthservID string
	// MaxBytes is the largest message accepted, in bytes; 0 means
	// DefaultMaxBytes. Larger messages are refused during DATA with
	// 552 5.3.4.
	MaxBytes int64
	// CategoryByAddress maps a recipient to the category of the reports
	// sent to it ("phishing@abuse.example" or just the local part
	// "phishing"). It decides the category of plain mail and refines a
	// format's "other"; a recipient it does not name gives "other".
	CategoryByAddress map[string]models.Category
	// Addresses lists the recipients the listener accepts mail for; any
	// other is refused with 550 5.1.1. Empty accepts every recipient.
	Addresses []string
	// Hostname is the name the listener greets with and writes in the
	// Received header it adds; empty means "localhost".
	Hostname string
	// PerClientBurst mails at once, refilled at PerClientBurst per
	// PerClientPer, are taken from one client IP (an IPv6 /64); more get
	// 450 4.7.1 at MAIL FROM. Zero: no limit.
	PerClientBurst int
	PerClientPer   time.Duration
}

func (c Config) maxBytes() int64 {
	if c.MaxBytes > 0 {
		return c.MaxBytes
	}
	return DefaultMaxBytes
}

func (c Config) hostname() string {
	if c.Hostname != "" {
		return c.Hostname
	}
	return "localhost"
}

// Accepts reports whether the listener takes mail for the recipient addr
// (compared without case). It exists so that the server's RCPT check and
// the caller's configuration checks agree.
func (c Config) Accepts(addr string) bool {
	if len(c.Addresses) == 0 {
		return true
	}
	addr = normalizeAddr(addr)
	for _, a := range c.Addresses {
		if normalizeAddr(a) == addr {
			return true
		}
	}
	return false
}

// CategoryFor returns the category configured for the recipient rcpt, by
// full address first and then by local part, and whether there was one.
func (c Config) CategoryFor(rcpt string) (models.Category, bool) {
	rcpt = normalizeAddr(rcpt)
	if rcpt == "" {
		return "", false
	}
	lookup := func(key string) (models.Category, bool) {
		for k, v := range c.CategoryByAddress {
			if normalizeAddr(k) == key {
				return v, true
			}
		}
		return "", false
	}
	if cat, ok := lookup(rcpt); ok {
		return cat, true
	}
	if at := strings.LastIndexByte(rcpt, '@'); at > 0 {
		return lookup(rcpt[:at])
	}
	return "", false
}

// normalizeAddr lower-cases an address and strips angle brackets and
// spaces, so "<Abuse@Example.net>" and "abuse@example.net" compare equal.
func normalizeAddr(a string) string {
	a = strings.TrimSpace(a)
	a = strings.TrimPrefix(a, "<")
	a = strings.TrimSuffix(a, ">")
	return strings.ToLower(strings.TrimSpace(a))
}
