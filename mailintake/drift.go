package mailintake

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/abusedesk/abusedesk/models"
)

// Format drift (issue 14): a sender's parser breaks silently when the
// sender changes its layout. The listener tells a DriftRecorder the outcome
// of every report mail it answered or turned into a case, with the sender
// (its authenticated domain), the format it was read as and a fingerprint
// of its structure; DriftReason says, from that one mail, whether a sender
// whose mails used to make cases has stopped doing so.

// Outcomes of one report mail, as the drift record counts them.
const (
	OutcomeCase     = "case"      // a case was made
	OutcomeIPReport = "ip_report" // a report about IP addresses with rows
	OutcomeRefused  = "refused"   // refused, though something was reported
	OutcomeEmpty    = "empty"     // no URL and no IP row: parsed to nothing
)

// Bounds of what a MailOutcome carries into the record.
const (
	MaxSenderKey   = 120
	MaxProblemText = 300
	MaxLayoutText  = 300
	// RecentMails is how many outcomes of a sender and format the rolling
	// record keeps (one letter each, see Letter).
	RecentMails = 20
	// MaxFingerprints is how many layouts of a sender and format are
	// remembered as known.
	MaxFingerprints = 8
)

// unauthenticatedPrefix marks a sender key that no authentication result
// vouches for: the From domain is then only what the mail claims.
const unauthenticatedPrefix = "unauthenticated:"

// MailOutcome is what one report mail came to.
type MailOutcome struct {
	// Sender is the authenticated domain: the From domain when it passed
	// DMARC, else the d= of a passing DKIM signature (registrable domain),
	// else "unauthenticated:<From domain>". At most MaxSenderKey bytes.
	Sender string
	// Format is Parsed.Format.
	Format  string
	Outcome string
	CaseID  string
	URLs    int
	IPRows  int
	// Problem is the first problems' text (at most MaxProblemText bytes).
	Problem string
	// Layout describes the mail's structure (MIME part types, the X-ARF
	// document's top-level keys, the CSV header, the ARF fields, the ACNS
	// elements); Fingerprint is a short digest of it.
	Layout      string
	Fingerprint string
	At          time.Time
}

// DriftRecorder keeps the per-sender record of outcomes. RecordMail must
// not fail the mail: it logs its own errors.
type DriftRecorder interface {
	RecordMail(ctx context.Context, o MailOutcome)
}

// Letter is the outcome's letter in a record's recent outcomes.
func (o MailOutcome) Letter() byte {
	switch o.Outcome {
	case OutcomeCase:
		return 'c'
	case OutcomeIPReport:
		return 'i'
	case OutcomeEmpty:
		return 'e'
	}
	return 'r'
}

// Good reports whether the outcome is one a working parser gives.
func (o MailOutcome) Good() bool { return o.Outcome == OutcomeCase || o.Outcome == OutcomeIPReport }

// noteMail tells the DriftRecorder, if any, what the mail came to.
func (s *Server) noteMail(ctx context.Context, p Parsed, raw []byte, caseID string, problems []models.FieldError) {
	if s.Drift == nil {
		return
	}
	o := describeMail(ctx, p, raw, s.cfg.AuthservID, caseID, problems)
	o.At = time.Now().UTC()
	s.Drift.RecordMail(ctx, o)
}

// describeMail builds the outcome of a parsed mail. It reads the MIME tree
// again (within the same limits): Parsed keeps no structure.
func describeMail(ctx context.Context, p Parsed, raw []byte, authservID, caseID string, problems []models.FieldError) MailOutcome {
	t, _ := readMIME(ctx, raw)
	o := MailOutcome{Format: p.Format, CaseID: caseID, URLs: len(p.Report.URLs), IPRows: len(p.IPEvents)}
	o.Sender = senderKey(p, t.header.Values("Authentication-Results"), authservID)
	o.Outcome, o.Problem = classifyOutcome(p, caseID, problems)
	o.Layout = truncateText(layoutOf(t, p.Format), MaxLayoutText)
	o.Fingerprint = fingerprint(o.Layout)
	return o
}

// classifyOutcome classifies a mail by what it made and, when it made nothing,
// by whether anything was reported at all.
func classifyOutcome(p Parsed, caseID string, problems []models.FieldError) (outcome, problem string) {
	if caseID != "" {
		return OutcomeCase, ""
	}
	if len(p.IPEvents) > 0 && len(problems) > 0 && problems[0].Field == IPReportField {
		return OutcomeIPReport, ""
	}
	var b []string
	for _, e := range problems {
		b = append(b, e.Field+": "+e.Message)
	}
	problem = truncateText(strings.Join(b, "; "), MaxProblemText)
	if len(p.Report.URLs) == 0 && len(p.IPEvents) == 0 {
		return OutcomeEmpty, problem
	}
	return OutcomeRefused, problem
}

// senderKey names the sender by what authenticates it (see MailOutcome).
func senderKey(p Parsed, authResults []string, authservID string) string {
	key := ""
	switch {
	case p.Authenticated:
		key = registrable(addrDomain(p.From))
	default:
		if d := dkimPassDomain(authResults, authservID); d != "" {
			key = registrable(d)
		}
	}
	if key == "" {
		key = unauthenticatedPrefix + firstNonEmpty(registrable(addrDomain(p.From)), "unknown")
	}
	return boundKey(key)
}

// dkimPassDomain returns the header.d of the first passing DKIM result in
// the configured server's Authentication-Results (RFC 8601), or "".
func dkimPassDomain(headers []string, authservID string) string {
	id := strings.ToLower(strings.TrimSpace(authservID))
	if id == "" {
		return ""
	}
	for _, h := range headers {
		parts := strings.Split(stripComments(h), ";")
		if f := strings.Fields(parts[0]); len(f) == 0 || strings.ToLower(strings.Trim(f[0], `"`)) != id {
			continue
		}
		for _, res := range parts[1:] {
			f := strings.Fields(res)
			if len(f) == 0 || !strings.EqualFold(f[0], "dkim=pass") {
				continue
			}
			for _, prop := range f[1:] {
				if k, v, ok := strings.Cut(prop, "="); ok && strings.EqualFold(k, "header.d") {
					return strings.ToLower(strings.Trim(v, `"`))
				}
			}
		}
	}
	return ""
}

// registrable returns the registrable domain (eTLD+1) of d, lower case, so
// that bounces.example.com and example.com are one sender.
func registrable(d string) string {
	d = strings.ToLower(strings.Trim(strings.TrimSpace(d), "."))
	if r, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		return r
	}
	return d
}

// boundKey keeps a sender key to the characters of a domain name and to
// MaxSenderKey bytes: it is a metric label and a page's text.
func boundKey(k string) string {
	k = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '-', r == ':', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, k)
	if len(k) > MaxSenderKey {
		k = k[:MaxSenderKey]
	}
	return k
}

// truncateText cuts s to at most n bytes on a rune boundary.
func truncateText(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut]
}

// SenderState is what DriftReason needs of a sender's record in one
// format: its recent outcomes (letters, oldest first) and known layouts.
type SenderState struct {
	Format       string
	Recent       string
	Fingerprints []string
}

// goodCount counts the cases and IP reports among recent outcomes.
func goodCount(recent string) int {
	return strings.Count(recent, "c") + strings.Count(recent, "i")
}

// structured formats have a layout worth watching; plain mail is written
// by people and tools alike and changes shape all the time.
func structured(format string) bool { return format != FormatPlain && format != "" }

// DriftReason says why mail o shows that its sender's format drifted, or
// "" when it does not. states are the sender's records in every format,
// before o. Only a sender whose recent mails made cases or IP reports can
// drift; then a single mail is enough: a refusal, a parse to nothing, a
// format the sender's working mail never came in, or a structured layout
// not seen before.
func DriftReason(o MailOutcome, states []SenderState) string {
	var working []string
	var own *SenderState
	for i, st := range states {
		if n := goodCount(st.Recent); n > 0 {
			working = append(working, fmt.Sprintf("%s: %d of the last %d", st.Format, n, len(st.Recent)))
		}
		if st.Format == o.Format {
			own = &states[i]
		}
	}
	if len(working) == 0 {
		return ""
	}
	was := "its mails made cases recently (" + strings.Join(working, ", ") + ")"
	switch {
	case !o.Good():
		what := "was refused"
		if o.Outcome == OutcomeEmpty {
			what = "parsed to no URL and no IP row"
		}
		return truncateText(fmt.Sprintf("%s; this %s mail %s: %s", was, o.Format, what, o.Problem), MaxProblemText)
	case own == nil || goodCount(own.Recent) == 0:
		return truncateText(fmt.Sprintf("%s; this mail came as %s, a format its working mail never used (layout %s)", was, o.Format, o.Layout), MaxProblemText)
	case structured(o.Format) && !containsString(own.Fingerprints, o.Fingerprint):
		return truncateText(fmt.Sprintf("new %s layout %s (still making cases): %s", o.Format, o.Fingerprint, o.Layout), MaxProblemText)
	}
	return ""
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
