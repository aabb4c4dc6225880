package mailintake

import (
	"context"
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
	s.from = from
	return nil
}

// Rcpt refuses addresses the intake does not serve, so that mail for them
// bounces at the sender instead of vanishing here.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !s.srv.cfg.Accepts(to) {
		s.srv.log.Info("email intake refused recipient", "rcpt", to, "remote", s.remote)
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
		s.srv.log.Info("email intake refused message", "reason", err.Error(), "from", s.from, "remote", s.remote)
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

// process turns one received message into a case or into one reply.
func (s *Server) process(ctx context.Context, envFrom, rcpt string, raw []byte) error {
	p, perr := ParseMessage(raw, rcpt, s.cfg)
	log := s.log.With("format", p.Format, "dedup_key", p.DedupKey, "from", p.From, "rcpt", rcpt)
	if perr != nil {
		log.Info("email intake could not read message", "error", perr.Error())
	}
	problems := p.Problems
	if len(problems) == 0 {
		caseID, subProblems, err := s.sub.SubmitEmailReport(ctx, p, raw)
		if err != nil {
			log.Error("email intake could not submit report", "error", err.Error())
			return errTryLater
		}
		if len(subProblems) == 0 {
			log.Info("email intake accepted report", "case_id", caseID, "category", string(p.Report.Category), "untrusted", p.Untrusted)
			return nil
		}
		problems = subProblems
	} else if v, ok := s.sub.(Validator); ok {
		problems = MergeProblems(problems, v.ValidateReport(p.Report))
	}
	return s.answer(ctx, log, p, envFrom, problems)
}

// answer sends the one reply for a message that cannot become a report, to
// its Reply-To, From or envelope sender. Bounces (null envelope sender) and
// auto-replies are never answered, so that two robots cannot keep answering
// each other; they are dropped.
func (s *Server) answer(ctx context.Context, log *slog.Logger, p Parsed, envFrom string, problems []models.FieldError) error {
	to := p.ReplyTo
	if to == "" {
		to = envFrom
	}
	autoReply := isAutoReply(p)
	switch {
	case envFrom == "" || autoReply:
		log.Info("email intake dropped unusable bounce or auto-reply", "problems", len(problems))
		return nil
	case p.DedupKey != "" && s.replied.has(p.DedupKey):
		log.Info("email intake already answered this message", "problems", len(problems))
		return nil
	}
	subject := "Re: " + strings.TrimSpace(p.Subject)
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(p.Subject)), "re:") {
		subject = strings.TrimSpace(p.Subject)
	} else if strings.TrimSpace(p.Subject) == "" {
		subject = "Your abuse report could not be accepted"
	}
	if err := s.rep.ReplyProblems(ctx, to, subject, problems); err != nil {
		log.Error("email intake could not reply", "to", to, "error", err.Error())
		return errTryLater
	}
	if p.DedupKey != "" {
		s.replied.add(p.DedupKey)
	}
	log.Info("email intake answered unusable message", "to", to, "problems", len(problems))
	return nil
}

// isAutoReply reports whether the mail is itself an automatic reply
// (RFC 3834 Auto-Submitted: auto-replied). Automatically generated reports
// (auto-generated, as X-ARF tools send) are still answered.
func isAutoReply(p Parsed) bool {
	return p.autoSubmitted == "auto-replied"
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
