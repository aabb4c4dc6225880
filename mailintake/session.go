package mailintake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/abusedesk/abusedesk/models"
)

// session is one SMTP connection's transaction state.
type session struct {
	srv    *Server
	conn   *smtp.Conn
	remote string
	from   string
	rcpts  []string
}

func (s *session) Reset()        { s.from, s.rcpts = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.srv.limit.allow(s.remote, time.Now()) {
		s.srv.log.Info("email intake deferred a client over its rate", "client", clientKey(s.remote))
		return errClientRateLimited
	}
	s.from = from
	return nil
}

// Rcpt refuses addresses the intake does not serve, so that mail for them
// bounces at the sender instead of vanishing here.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !s.srv.cfg.Accepts(to) && !s.srv.isBounceAddress(to) {
		s.srv.log.Info("email intake refused recipient", "rcpt_domain", addrDomain(to), "remote", s.remote)
		return errUnknownRecipient
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

// Data reads the message, parses it and either submits it or answers its
// problems. See Server for the replies given.
func (s *session) Data(r io.Reader) error {
	// Past MaxMessageBytes go-smtp's reader fails with smtp.ErrDataTooLarge,
	// returned as is so that the client sees 552 5.3.4.
	body, err := io.ReadAll(r)
	if err != nil {
		s.srv.log.Info("email intake refused message", "reason", redact(err.Error()), "remote", s.remote)
		return err
	}
	raw := append([]byte(s.receivedHeader()), body...)
	ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
	defer cancel()
	return s.srv.process(ctx, s.from, s.categoryRecipient(), raw)
}

// categoryRecipient picks the recipient that decides a plain mail's
// category: the first with a configured category, else the first.
func (s *session) categoryRecipient() string {
	for _, r := range s.rcpts {
		if _, ok := s.srv.cfg.CategoryFor(r); ok {
			return r
		}
	}
	if len(s.rcpts) > 0 {
		return s.rcpts[0]
	}
	return ""
}

// receivedHeader is the trace field every SMTP server adds (RFC 5321
// section 4.4); in the evidence it records where the mail came from.
func (s *session) receivedHeader() string {
	helo := ""
	if s.conn != nil {
		helo = s.conn.Hostname()
	}
	return fmt.Sprintf("Received: from %s (%s)\r\n\tby %s (abusedesk mailintake) with ESMTP;\r\n\t%s\r\n",
		sanitize(helo), sanitize(s.remote), s.srv.cfg.hostname(), time.Now().UTC().Format(time.RFC1123Z))
}

// sanitize keeps a client-supplied value from breaking the header it is
// written into.
func sanitize(v string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '(' || r == ')' {
			return -1
		}
		return r
	}, v)
}

// process turns one received message into a case or into one reply. A
// message over a parsing limit is refused with 554 5.6.0 naming the limit.
// The log names the message by sizes, counts, domains and a digest of its
// deduplication key, never by an address or its subject.
func (s *Server) process(ctx context.Context, envFrom, rcpt string, raw []byte) error {
	if handled, err := s.handleDSN(ctx, rcpt, raw); handled { // a DSN never becomes a case (dsn.go)
		return err
	}
	p, perr := ParseMessageContext(ctx, raw, rcpt, s.cfg)
	log := s.log.With("format", p.Format, "key_id", keyID(p.DedupKey), "size", len(raw),
		"sender_domain", addrDomain(envFrom))
	var le *LimitError
	if errors.As(perr, &le) {
		log.Info("email intake refused message over a limit", "limit", le.Limit, "max", le.Max)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message refused: " + le.Error()}
	}
	if perr != nil {
		log.Info("email intake could not read message", "error", redact(perr.Error()))
	}
	if done, err := s.attachReply(ctx, log, p, envFrom, raw); done || err != nil {
		return err
	}
	if ns, ok := s.sub.(NetworkSubmitter); ok && p.isIPReport() && len(p.IPEvents) > 0 {
		return s.processNetwork(ctx, log, ns, p, envFrom, raw) // network.go
	}
	problems := p.Problems
	if len(problems) == 0 {
		caseID, duplicate, subProblems, err := s.submit(ctx, p, raw)
		if err != nil {
			log.Error("email intake could not submit report", "error", redact(err.Error()))
			return errTryLater
		}
		if len(subProblems) == 0 {
			by, _, _ := strings.Cut(p.CategoryBy, ":") // the kind only: the log names no address
			log.Info("email intake accepted report", "case_id", caseID, "category", string(p.Report.Category),
				"category_by", by, "not_taken", len(p.Unusable), "untrusted", p.Untrusted, "duplicate", duplicate)
			if duplicate {
				s.answerDuplicate(ctx, log, p, envFrom, caseID)
			} else {
				s.answerPartial(ctx, log, p, envFrom, caseID)
			}
			s.noteMail(ctx, p, raw, caseID, nil)
			return nil
		}
		problems = subProblems
	} else if v, ok := s.sub.(Validator); ok && !p.isIPReport() {
		problems = MergeProblems(problems, v.ValidateReport(p.Report))
	}
	if err := s.answer(ctx, log, p, envFrom, problems); err != nil {
		return err // the sender retries: not counted yet
	}
	s.noteMail(ctx, p, raw, "", problems)
	return nil
}

// answer sends the one reply for a message that cannot become a report,
// to the authenticated envelope sender only (see replyTarget). A message
// that may not be answered is dropped after logging why: nothing of it is
// kept, and its sender, if a person, will not learn the reason.
func (s *Server) answer(ctx context.Context, log *slog.Logger, p Parsed, envFrom string, problems []models.FieldError) error {
	to, skip := replyTarget(p, envFrom)
	switch {
	case skip != "":
		withhold(log, refusalKind(p), skip, "problems", len(problems))
		return nil
	case p.DedupKey != "" && s.replied.has(p.DedupKey):
		log.Info("email intake already answered this message", "problems", len(problems))
		return nil
	}
	subject := replySubject(p.Subject, "Your abuse report could not be accepted")
	if err := s.rep.ReplyProblems(ctx, to, subject, problems); err != nil {
		log.Error("email intake could not reply", "error", redact(err.Error()))
		return errTryLater
	}
	if p.DedupKey != "" {
		s.replied.add(p.DedupKey)
	}
	log.Info("email intake answered unusable message", "problems", len(problems))
	return nil
}

// answerPartial tells the sender of a mail that made a case which of its
// reported items were not taken, when the Replier can say so. A failure is
// logged only: the case exists, and a retry by the sending server would
// not make it again.
func (s *Server) answerPartial(ctx context.Context, log *slog.Logger, p Parsed, envFrom, caseID string) {
	pr, ok := s.rep.(PartialReplier)
	if len(p.Unusable) == 0 || !ok {
		return
	}
	to, skip := replyTarget(p, envFrom)
	if skip != "" {
		withhold(log, ReplyKindPartial, skip, "not_taken", len(p.Unusable))
		return
	}
	var notTaken []models.FieldError
	for _, u := range p.Unusable {
		notTaken = append(notTaken, models.FieldError{Field: "urls", Message: fmt.Sprintf("%s was not taken: %s", quoteShort(u.Text), u.Reason)})
	}
	subject := "Re: " + strings.TrimSpace(p.Subject)
	if err := pr.ReplyPartial(ctx, to, subject, caseID, notTaken); err != nil {
		log.Error("email intake could not send the partial-acceptance reply", "error", redact(err.Error()))
	}
}

// refusalKind is the kind of the one reply to a mail that made no case.
func refusalKind(p Parsed) string {
	if p.isIPReport() {
		return ReplyKindIPReport
	}
	return ReplyKindRefusal
}

// MergeProblems adds the validator's problems to a document's own, except
// those about a field the document's problems already explain.
func MergeProblems(own, more []models.FieldError) []models.FieldError {
	seen := map[string]bool{}
	for _, p := range own {
		seen[p.Field] = true
	}
	out := append([]models.FieldError(nil), own...)
	for _, p := range more {
		if !seen[p.Field] {
			out = append(out, p)
		}
	}
	return out
}
