package mailintake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/mail"

	"github.com/abusedesk/abusedesk/models"
)

// MaxDescriptionBytes bounds the description taken from a mail's text; the
// whole message stays available as evidence.
const MaxDescriptionBytes = 10000

// Parsed is what one mail says, ready for the Submitter.
type Parsed struct {
	// Report is the report request, with Source "email".
	Report models.ReportRequest
	// DedupKey identifies the report across deliveries: the X-ARF report id
	// scoped by its reporter ("xarf:<reporter>/<report_id>"), else the
	// Message-ID scoped by the From address ("msgid:<from>/<id>"), else a
	// digest of the sender, subject, date and body ("sha256:...").
	DedupKey string
	// Digest is the SHA-256 (hex) of the report's content: the canonical
	// X-ARF v4 document, or the sender, subject, date, Message-ID and body
	// of any other mail. With DedupKey it tells a redelivery of the same
	// report from another report that reuses its id.
	Digest string
	// From is the address in the From header; ReplyTo is the address the
	// mail asks replies to go to (Reply-To, else From). The listener never
	// replies there: see Server.
	From    string
	ReplyTo string
	// Subject, MessageID and Recipient describe the mail (the recipient is
	// the one whose address decided the category).
	Subject   string
	MessageID string
	Recipient string
	// Untrusted is set when the configured mail server's
	// Authentication-Results says the sender failed DMARC. Such a report is
	// kept, marked for the analyst (Report.Untrusted is set too).
	Untrusted bool
	// Authenticated is set when the first Authentication-Results header of
	// the configured mail server says the From domain passed DMARC and
	// none of its headers says it failed. Only such a sender gets a reply.
	Authenticated bool
	// Problems lists why the mail cannot become a report; when it is not
	// empty the mail must not be submitted.
	Problems []models.FieldError
	// Format is the format the mail was read as: "xarf4" (v3 documents
	// are converted to it), "xarf02", "arf", "acns", "csv" or "plain".
	Format string
	// CategoryBy says how Report.Category was chosen, for the analyst:
	// "xarf: content/phishing", "arf feedback-type: fraud", "acns: ...",
	// "recipient: phishing@...", "subject: ...", or "default: ..." when
	// nothing in the report named one.
	CategoryBy string
	// IPEvents are the events of a report about IP addresses (a scanner's
	// CSV rows, a P2P notice without URL, an X-ARF report about an IP),
	// one per row with its evidence. They never become URL cases.
	IPEvents []IPEvent
	// Unusable lists what the sender wrote as a reported URL but is not a
	// usable one (e.g. "http://*MUNGED*/"), by the text it wrote. The
	// other URLs still make the case.
	Unusable []Unusable
	// LeftOut lists links in the mail that are not reported URLs: on the
	// sender's own domain or boilerplate (schemas, key servers).
	LeftOut []Unusable

	autoSubmitted string // the Auto-Submitted header's keyword (RFC 3834)
	precedence    string // the Precedence header (bulk, list, junk), lower case
}

// Unusable is a text the sender wrote and why it was not taken as a
// reported URL.
type Unusable struct {
	Text   string
	Reason string
}

func (p *Parsed) addProblem(field, msg string) {
	p.Problems = append(p.Problems, models.FieldError{Field: field, Message: msg})
}

// ParseMessage reads one mail received for rcpt into a report, as
// ParseMessageContext does without a deadline of the caller's.
func ParseMessage(raw []byte, rcpt string, cfg Config) (Parsed, error) {
	return ParseMessageContext(context.Background(), raw, rcpt, cfg)
}

// ParseMessageContext reads one mail received for rcpt into a report,
// within ParseTimeout and the MIME limits (MaxMIMEDepth, MaxMIMEParts). It
// returns an error only when the message header cannot be read at all, or
// a *LimitError when the message is over a limit (then the Parsed carries
// that problem and no sender address); every other reason the mail cannot
// become a report is in Parsed.Problems.
func ParseMessageContext(ctx context.Context, raw []byte, rcpt string, cfg Config) (Parsed, error) {
	p := Parsed{Recipient: rcpt, Format: FormatPlain}
	p.Report.Source = SourceEmail
	if int64(len(raw)) > cfg.maxBytes() {
		p.addProblem("message", fmt.Sprintf("the message is larger than the %d bytes accepted", cfg.maxBytes()))
		return p, nil
	}
	ctx, cancel := context.WithTimeout(ctx, ParseTimeout)
	defer cancel()
	t, err := readMIME(ctx, raw)
	var le *LimitError
	if errors.As(err, &le) {
		p.addProblem("message", le.Error())
		return p, le
	}
	if err != nil {
		p.addProblem("message", "not a readable email message: "+err.Error())
		return p, err
	}
	h := mail.Header{Header: t.header}
	var fromName string
	if from, _ := h.AddressList("From"); len(from) > 0 {
		p.From, fromName = from[0].Address, from[0].Name
	}
	p.ReplyTo = p.From
	if rt, _ := h.AddressList("Reply-To"); len(rt) > 0 && rt[0].Address != "" {
		p.ReplyTo = rt[0].Address
	}
	p.Subject, _ = h.Subject()
	p.MessageID, _ = h.MessageID()
	keyword, _, _ := strings.Cut(t.header.Get("Auto-Submitted"), ";")
	p.autoSubmitted = strings.ToLower(strings.TrimSpace(keyword))
	p.precedence = strings.ToLower(strings.TrimSpace(t.header.Get("Precedence")))
	p.Untrusted = dmarcFailed(t.header.Values("Authentication-Results"), cfg.AuthservID)
	p.Authenticated = dmarcPassed(t.header.Values("Authentication-Results"), cfg.AuthservID)
	p.Report.Reporter = models.Reporter{Name: fromName, Email: p.From}

	parseBody(t, &p, urlFilter{own: senderDomains(p.From, t.header.Values("DKIM-Signature"))})
	finishURLs(&p)
	chooseCategory(&p, rcpt, cfg)
	p.Report.Description = truncate(p.Report.Description, MaxDescriptionBytes)
	p.Report.Untrusted = p.Untrusted
	if p.DedupKey == "" {
		p.DedupKey = messageKey(p, h, raw)
	}
	if p.Digest == "" {
		p.Digest = messageDigest(p, h, raw)
	}
	if len(p.Problems) > 0 && t.err != nil {
		p.addProblem("message", "the MIME structure of the message is damaged: "+t.err.Error())
	}
	return p, nil
}

// xarf4Doc finds an X-ARF v4 document: a JSON part (application/json,
// *+json, or a *.json file) that carries xarf_version, or any part of a
// multipart/report whose body is such a JSON object. An X-ARF v3 document
// is found the same way (ParseXARF converts it), and a byte-order mark
// before the JSON is dropped.
func xarf4Doc(t mimeTree) ([]byte, bool) {
	for _, p := range t.parts {
		if p.nested {
			continue
		}
		jsonish := p.mediaType == "application/json" || strings.HasSuffix(p.mediaType, "+json") ||
			strings.HasSuffix(strings.ToLower(p.filename), ".json")
		body := bytes.TrimPrefix(p.body, utf8BOM)
		inReport := p.parent == "multipart/report" && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))
		if (jsonish || inReport) && (bytes.Contains(body, []byte(`"xarf_version"`)) || isXARF3(body)) {
			return body, true
		}
	}
	return nil, false
}

// messageKey is the deduplication key of a mail that carries no X-ARF
// report id: its Message-ID scoped by its From address (a Message-ID alone
// could be reused by someone else to suppress a report), or a digest of
// what a redelivery keeps unchanged when there is no Message-ID.
func messageKey(p Parsed, h mail.Header, raw []byte) string {
	from := normalizeAddr(p.From)
	if id := strings.TrimSpace(p.MessageID); id != "" {
		return "msgid:" + from + "/" + id
	}
	body := raw
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		body = raw[i:]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		body = raw[i:]
	}
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n%s\n%s\n", from, p.Subject, h.Get("Date"))
	sum.Write(body)
	return "sha256:" + hex.EncodeToString(sum.Sum(nil))
}

// parseAddress returns the address in s ("Name <a@b>" or "a@b"), or "".
func parseAddress(s string) string {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	return a.Address
}

var (
	tagPattern    = regexp.MustCompile(`(?s)<(script|style)\b.*?</(script|style)>|<[^>]*>`)
	blankLines    = regexp.MustCompile(`\n\s*\n\s*`)
	spacesPattern = regexp.MustCompile(`[ \t]+`)
)

// htmlToText reduces an HTML body to readable text for a description.
func htmlToText(s string) string {
	s = tagPattern.ReplaceAllString(s, "\n")
	s = html.UnescapeString(s)
	s = spacesPattern.ReplaceAllString(s, " ")
	return strings.TrimSpace(blankLines.ReplaceAllString(s, "\n\n"))
}

// truncate cuts s to at most n bytes on a rune boundary, saying so.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const note = "\n[truncated; the full message is kept as evidence]"
	cut := n - len(note)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + note
}
