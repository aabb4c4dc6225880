package mailintake

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/abusedesk/abusedesk/models"
)

// No silence (issue 14): a mail that repeats an earlier report (its
// Message-ID or X-ARF report_id with the same document, or a resend by the
// same authenticated sender) is attached to the earlier case, and its
// sender is told which case, if it is one the intake may answer at all
// (replyTarget: an authenticated sender, not a robot, not auto-submitted
// or bulk mail). The reply names the case only, never its reporter token
// (issue 13: a token is given only to the one who filed the report, and
// the HTTP answer is the only place for it). An unauthenticated duplicate
// is not answered: the case id of someone else's report is not told to a
// sender no one vouches for; it is logged and counted.

// DuplicateSubmitter may also be implemented by a Submitter: it submits as
// SubmitEmailReport does and also says whether the mail was a duplicate of
// an earlier submission (caseID is then the earlier case).
type DuplicateSubmitter interface {
	SubmitEmailReportOnce(ctx context.Context, p Parsed, raw []byte) (caseID string, duplicate bool, problems []models.FieldError, err error)
}

// DuplicateReplier may also be implemented by a Replier: it tells the
// sender of a duplicate mail the earlier case's id.
type DuplicateReplier interface {
	ReplyDuplicate(ctx context.Context, to, subject, caseID string) error
}

// Kinds of replies, as the withheld-replies metric names them.
const (
	ReplyKindRefusal   = "refusal"
	ReplyKindPartial   = "partial"
	ReplyKindDuplicate = "duplicate"
	ReplyKindIPReport  = "ip_report"
)

// repliesWithheld counts the replies the listener did not send because
// the mail may not be answered (replyTarget's reasons), so that a silent
// refusal or duplicate is at least visible as a number.
var repliesWithheld = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "abusedesk_intake_replies_withheld_total",
	Help: "Replies of the email intake not sent because the mail may not be answered, by kind and reason.",
}, []string{"kind", "reason"})

// RegisterMetrics registers the email intake's metrics with reg; metrics
// already registered are no error.
func RegisterMetrics(reg prometheus.Registerer) error {
	if err := reg.Register(repliesWithheld); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return err
		}
	}
	return nil
}

// withhold logs and counts a reply that is not sent.
func withhold(log *slog.Logger, kind, reason string, attrs ...any) {
	repliesWithheld.WithLabelValues(kind, reason).Inc()
	log.Info("email intake reply skipped", append([]any{"kind", kind, "reason", reason}, attrs...)...)
}

// submit hands the mail to the Submitter and says whether it repeated an
// earlier report.
func (s *Server) submit(ctx context.Context, p Parsed, raw []byte) (string, bool, []models.FieldError, error) {
	if ds, ok := s.sub.(DuplicateSubmitter); ok {
		return ds.SubmitEmailReportOnce(ctx, p, raw)
	}
	id, problems, err := s.sub.SubmitEmailReport(ctx, p, raw)
	return id, false, problems, err
}

// answerDuplicate tells an authenticated sender that its mail repeated the
// report of caseID. A failure is logged only: the case exists, and a retry
// by the sending server would only repeat the duplicate.
func (s *Server) answerDuplicate(ctx context.Context, log *slog.Logger, p Parsed, envFrom, caseID string) {
	log.Info("email intake attached a duplicate to its earlier case", "case_id", caseID, "authenticated", p.Authenticated)
	to, skip := replyTarget(p, envFrom)
	if skip != "" {
		withhold(log, ReplyKindDuplicate, skip, "case_id", caseID)
		return
	}
	dr, ok := s.rep.(DuplicateReplier)
	if !ok {
		withhold(log, ReplyKindDuplicate, "no duplicate replier", "case_id", caseID)
		return
	}
	if err := dr.ReplyDuplicate(ctx, to, replySubject(p.Subject, "Your abuse report was received before"), caseID); err != nil {
		log.Error("email intake could not send the duplicate reply", "error", redact(err.Error()))
	}
}

// replySubject is "Re: " and the mail's subject, or fallback for a mail
// without one.
func replySubject(subject, fallback string) string {
	subject = strings.TrimSpace(subject)
	switch {
	case subject == "":
		return fallback
	case strings.HasPrefix(strings.ToLower(subject), "re:"):
		return subject
	}
	return "Re: " + subject
}
