package mailintake

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// Bounce is a delivery status notification (RFC 3464) about one of the
// desk's own notices.
type Bounce struct {
	// NoticeID is the notice the DSN is about ("" when nothing names one).
	NoticeID string
	// MatchedBy says how: "verp" (the envelope recipient), "header" (the
	// returned X-Abusedesk-Notice) or "message-id" (the returned
	// Message-ID).
	MatchedBy    string
	ReportingMTA string
	Recipients   []DSNRecipient
}

// DSNRecipient is one per-recipient block of a DSN.
type DSNRecipient struct {
	FinalRecipient string
	Action         string // failed, delayed, delivered, relayed, expanded (lower case)
	Status         string // e.g. 5.1.1
	DiagnosticCode string
}

// Failed is the first recipient whose delivery failed: only Action failed
// is a bounce (delayed, relayed and delivered are not).
func (b Bounce) Failed() (DSNRecipient, bool) {
	for _, r := range b.Recipients {
		if r.Action == "failed" {
			return r, true
		}
	}
	return DSNRecipient{}, false
}

// BounceHandler takes the DSNs that arrive at the intake. It is called
// for every DSN that names a notice (failed or not) and returns an error
// only for a failure worth retrying (the sending server is then told to
// try again later).
type BounceHandler interface {
	HandleBounce(ctx context.Context, b Bounce) error
}

// DSN parsing limits: the parts of the report looked at, and the blocks of
// one delivery-status part.
const (
	maxDSNParts  = 16
	maxDSNBlocks = 100
	maxNoticeID  = 80
)

// ParseDSN reads raw as a delivery status notification: a multipart/report
// with report-type=delivery-status (or, as some servers send it, any
// multipart with a message/delivery-status part). ok is false for any
// other mail. The notice is found in the returned headers
// (X-Abusedesk-Notice, else a Message-ID <id@abusedesk>).
func ParseDSN(raw []byte) (b Bounce, ok bool) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Bounce{}, false
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") || params["boundary"] == "" {
		return Bounce{}, false
	}
	report := mt == "multipart/report" && strings.EqualFold(params["report-type"], "delivery-status")
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for i := 0; i < maxDSNParts; i++ {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		body := decodePart(p, p.Header.Get("Content-Transfer-Encoding"))
		switch pt {
		case "message/delivery-status", "message/global-delivery-status":
			ok = true
			b.ReportingMTA, b.Recipients = parseStatusFields(body)
		case "text/rfc822-headers", "message/rfc822", "message/global", "message/global-headers":
			if b.NoticeID == "" {
				b.NoticeID, b.MatchedBy = returnedNotice(body)
			}
		}
	}
	if !ok && !report {
		return Bounce{}, false
	}
	if len(b.Recipients) == 0 {
		// Gmail and Exim name the failed addresses in this header too; a
		// report without per-recipient fields is a failure for them.
		for _, a := range strings.Split(msg.Header.Get("X-Failed-Recipients"), ",") {
			if a = strings.TrimSpace(a); a != "" {
				b.Recipients = append(b.Recipients, DSNRecipient{FinalRecipient: a, Action: "failed",
					DiagnosticCode: "X-Failed-Recipients: " + a})
			}
		}
	}
	return b, true
}

// decodePart reads a part's body (bounded by the message size) undoing a
// base64 or quoted-printable transfer encoding.
func decodePart(r io.Reader, cte string) []byte {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &newlineStripper{r: r})
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	}
	body, _ := io.ReadAll(r)
	return body
}

// newlineStripper drops CR and LF so that line-wrapped base64 decodes.
type newlineStripper struct{ r io.Reader }

func (n *newlineStripper) Read(p []byte) (int, error) {
	for {
		c, err := n.r.Read(p)
		j := 0
		for _, ch := range p[:c] {
			if ch != '\r' && ch != '\n' {
				p[j] = ch
				j++
			}
		}
		if j > 0 || err != nil || c == 0 {
			return j, err
		}
	}
}

// parseStatusFields reads the per-message block and the per-recipient
// blocks of a delivery-status body (RFC 3464 section 2.1).
func parseStatusFields(body []byte) (mta string, rcpts []DSNRecipient) {
	tr := textproto.NewReader(bufio.NewReader(bytes.NewReader(body)))
	for i := 0; i < maxDSNBlocks; i++ {
		h, err := tr.ReadMIMEHeader()
		switch {
		case h.Get("Reporting-Mta") != "" && mta == "":
			mta = typedValue(h.Get("Reporting-Mta"))
		case h.Get("Action") != "" || h.Get("Final-Recipient") != "":
			rcpts = append(rcpts, DSNRecipient{
				FinalRecipient: typedValue(h.Get("Final-Recipient")),
				Action:         strings.ToLower(strings.TrimSpace(h.Get("Action"))),
				Status:         strings.TrimSpace(h.Get("Status")),
				DiagnosticCode: strings.Join(strings.Fields(h.Get("Diagnostic-Code")), " "),
			})
		}
		if err != nil {
			break
		}
	}
	return mta, rcpts
}

// typedValue is the value of a "type; value" field (rfc822; a@b).
func typedValue(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		v = rest
	}
	return strings.TrimSpace(v)
}

// returnedNotice finds the notice id in the returned message's headers.
func returnedNotice(body []byte) (id, by string) {
	if !bytes.Contains(body, []byte("\n\n")) && !bytes.Contains(body, []byte("\r\n\r\n")) {
		body = append(body, "\r\n\r\n"...) // text/rfc822-headers may lack the blank line
	}
	m, err := mail.ReadMessage(bytes.NewReader(body))
	if err != nil {
		return "", ""
	}
	if v := strings.TrimSpace(m.Header.Get("X-Abusedesk-Notice")); validNoticeID(v) {
		return v, "header"
	}
	mid := strings.Trim(strings.TrimSpace(m.Header.Get("Message-Id")), "<>")
	if local, dom, ok := strings.Cut(mid, "@"); ok && strings.EqualFold(dom, "abusedesk") && validNoticeID(local) {
		return local, "message-id"
	}
	return "", ""
}

// validNoticeID accepts what a notice id can be: letters, digits, _ and -.
func validNoticeID(id string) bool {
	if id == "" || len(id) > maxNoticeID {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// VERPNoticeID is the notice id of a VERP bounce address
// <local>+<id>@domain, and whether rcpt is one.
func VERPNoticeID(rcpt, local string) (string, bool) {
	if local == "" {
		return "", false
	}
	addr := normalizeAddr(rcpt)
	lp, _, ok := strings.Cut(addr, "@")
	if !ok {
		return "", false
	}
	id, ok := strings.CutPrefix(lp, strings.ToLower(local)+"+")
	if !ok || !validNoticeID(id) {
		return "", false
	}
	return id, true
}

// isBounceAddress says whether the intake takes mail for rcpt as a bounce
// address (only with a BounceHandler).
func (s *Server) isBounceAddress(rcpt string) bool {
	_, ok := VERPNoticeID(rcpt, s.BounceLocalPart)
	return ok && s.Bounces != nil
}

// handleDSN takes a DSN, or any mail to a bounce address, before the
// report parsers: such a mail never becomes a case and is never answered.
// handled is false for every other mail.
func (s *Server) handleDSN(ctx context.Context, rcpt string, raw []byte) (handled bool, err error) {
	if s.Bounces == nil {
		return false, nil
	}
	verpID, verp := VERPNoticeID(rcpt, s.BounceLocalPart)
	b, isDSN := ParseDSN(raw)
	switch {
	case !isDSN && !verp:
		return false, nil
	case !isDSN:
		s.log.Info("email intake dropped a mail to a bounce address that is no DSN", "size", len(raw))
		return true, nil
	case verp:
		b.NoticeID, b.MatchedBy = verpID, "verp"
	}
	if b.NoticeID == "" {
		s.log.Info("email intake dropped a DSN that names no notice", "recipients", len(b.Recipients))
		return true, nil
	}
	if err := s.Bounces.HandleBounce(ctx, b); err != nil {
		s.log.Error("email intake could not hand over a DSN", "error", redact(err.Error()), "matched_by", b.MatchedBy)
		return true, errTryLater
	}
	return true, nil
}
