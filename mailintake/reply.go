package mailintake

import (
	"bytes"
	"context"
	"log/slog"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Replies to notices by mail (issue 20). An operator or host who answers a
// notice by replying to it has the reply attached to the notice's case
// instead of becoming a new report. The listener recognises a reply by the
// notice's Message-ID (<notice id>@..., see activities.SMTPMailer.Send) in
// its In-Reply-To or References header, or by the X-Abusedesk-Notice header
// of the notice, kept in the reply's header or quoted back in its text. It
// hands the candidate to the ReplyHandler, which decides whether the sender
// may attach it (only the notice's recipient, or a sender that passed DMARC
// for the recipient's domain); a mail the handler does not take goes on as
// an ordinary mail.

// MaxReplyTextBytes bounds the text of a reply that is kept with the case;
// the rest is cut, saying so.
const MaxReplyTextBytes = 64 << 10

// maxReplyCandidates bounds how many notice ids one mail may name.
const maxReplyCandidates = 10

// NoticeReply is a mail that names one or more of our notices.
type NoticeReply struct {
	// NoticeIDs are the notices the mail names, most specific first:
	// In-Reply-To, then References (newest first), then X-Abusedesk-Notice.
	NoticeIDs []string
	// EnvelopeFrom is the SMTP MAIL FROM; From is the From header's address.
	EnvelopeFrom, From string
	// Authenticated: the From domain passed DMARC at the configured
	// authserv-id (Parsed.Authenticated). Untrusted: it failed DMARC.
	Authenticated, Untrusted bool
	// AutoSubmitted: the mail says it was sent by a robot (RFC 3834); it
	// may be attached but never suggests an answer.
	AutoSubmitted bool
	Subject       string
	// Text is the first text body (or the HTML body as text), at most
	// MaxReplyTextBytes.
	Text string
	// DedupKey identifies the mail across deliveries (Parsed.DedupKey).
	DedupKey string
}

// ReplyHandler attaches a reply to its notice's case. It returns handled
// false when no named notice exists or the sender may not attach to it;
// the mail is then processed as an ordinary mail. An error makes the
// sending server retry (451).
type ReplyHandler interface {
	HandleReply(ctx context.Context, r NoticeReply) (handled bool, err error)
}

var (
	noticeIDPattern   = regexp.MustCompile(`^n_[A-Za-z0-9_-]{1,64}$`)
	msgIDPattern      = regexp.MustCompile(`<([^<>@\s]+)@[^<>\s]+>`)
	quotedNoticeLabel = regexp.MustCompile(`(?im)^[>\s]*x-abusedesk-notice:[ \t]*(n_[A-Za-z0-9_-]{1,64})\b`)
	anyNoticeLabel    = regexp.MustCompile(`(?i)x-abusedesk-notice:`)
)

// ReadReply finds the notices a parsed mail names. It reads only the
// header unless the mail names a notice, and then reads the text within
// the listener's MIME limits; ok is false for a mail that names none.
func ReadReply(ctx context.Context, p Parsed, envFrom string, raw []byte) (NoticeReply, bool) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return NoticeReply{}, false
	}
	ids := noticeIDs(msg.Header)
	if len(ids) == 0 && !anyNoticeLabel.Match(raw) {
		return NoticeReply{}, false
	}
	t, err := readMIME(ctx, raw)
	if err != nil {
		return NoticeReply{}, false
	}
	text := t.firstText()
	for _, m := range quotedNoticeLabel.FindAllStringSubmatch(t.texts("text/plain", false), maxReplyCandidates) {
		ids = appendID(ids, m[1])
	}
	if len(ids) == 0 {
		return NoticeReply{}, false
	}
	return NoticeReply{NoticeIDs: ids, EnvelopeFrom: normalizeAddr(envFrom), From: normalizeAddr(p.From),
		Authenticated: p.Authenticated, Untrusted: p.Untrusted, AutoSubmitted: p.autoSubmitted != "" && p.autoSubmitted != "no",
		Subject: cutText(strings.TrimSpace(p.Subject), 998), Text: cutText(strings.TrimSpace(text), MaxReplyTextBytes),
		DedupKey: p.DedupKey}, true
}

// noticeIDs lists the notice ids of the In-Reply-To, References and
// X-Abusedesk-Notice fields, without repeats.
func noticeIDs(h mail.Header) []string {
	var ids []string
	for _, m := range msgIDPattern.FindAllStringSubmatch(h.Get("In-Reply-To"), maxReplyCandidates) {
		ids = appendID(ids, m[1])
	}
	refs := msgIDPattern.FindAllStringSubmatch(h.Get("References"), -1)
	for i := len(refs) - 1; i >= 0 && len(ids) < maxReplyCandidates; i-- {
		ids = appendID(ids, refs[i][1])
	}
	for _, v := range h["X-Abusedesk-Notice"] {
		ids = appendID(ids, strings.TrimSpace(v))
	}
	return ids
}

// appendID adds id when it has the form of a notice id and is new, up to
// maxReplyCandidates.
func appendID(ids []string, id string) []string {
	if !noticeIDPattern.MatchString(id) || len(ids) >= maxReplyCandidates {
		return ids
	}
	for _, have := range ids {
		if have == id {
			return ids
		}
	}
	return append(ids, id)
}

// cutText cuts s to at most n bytes on a rune boundary, saying so.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const note = "\n[cut: the rest of the reply was not kept]"
	cut := n - len(note)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + note
}

// attachReply hands a mail that names a notice to s.Replies; done is true
// when the handler attached it. A handler's failure is answered 451 so that
// the sending server retries.
func (s *Server) attachReply(ctx context.Context, log *slog.Logger, p Parsed, envFrom string, raw []byte) (bool, error) {
	if s.Replies == nil {
		return false, nil
	}
	r, ok := ReadReply(ctx, p, envFrom, raw)
	if !ok {
		return false, nil
	}
	handled, err := s.Replies.HandleReply(ctx, r)
	if err != nil {
		log.Error("email intake could not attach a reply to a notice", "error", redact(err.Error()))
		return false, errTryLater
	}
	if handled {
		log.Info("email intake attached a reply to a notice", "notices_named", len(r.NoticeIDs), "authenticated", r.Authenticated)
	} else {
		log.Info("email intake took a reply naming a notice as an ordinary mail", "notices_named", len(r.NoticeIDs))
	}
	return handled, nil
}
