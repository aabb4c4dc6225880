package app

import (
	"context"
	"fmt"
	"log/slog"
	stdmail "net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// The email intake (docs/DESIGN.md step 1: reports also arrive by email;
// they take the same path as POST /v1/reports): the SMTP listener, its
// replies to mail that cannot become a report, and the replies to notices
// and bounces it hands on.

// startEmailIntake runs the SMTP listener when intake_smtp_addr is set, in
// the processes that serve the front ends (not a worker-only one). A port that
// cannot be bound fails the start with the key's name.
func (a *App) startEmailIntake() error {
	if a.Cfg.IntakeSMTPAddr == "" {
		return nil
	}
	p, err := config.LoadPrivacy(a.Cfg.File)
	if err != nil {
		return err
	}
	cfg := EmailIntakeConfig(a.Cfg, p)
	rep := &ProblemReplier{Addr: a.Cfg.SMTPAddr, From: a.Cfg.SMTPFrom, PublicURL: a.Cfg.PublicURL, Log: a.Log,
		Limit: &activities.MailLimit{DB: a.DB, PerHour: a.Cfg.Limits.ReporterMailPerHour}, DB: a.DB}
	if err := mailintake.RegisterMetrics(prometheus.DefaultRegisterer); err != nil {
		return err
	}
	srv := mailintake.NewServer(a.Cfg.IntakeSMTPAddr, cfg, a.Intake, rep, a.Log)
	srv.Replies = a.Desk
	srv.Drift = a.senders
	a.wireBounces(srv)
	if err := srv.Listen(); err != nil {
		return fmt.Errorf("intake_smtp_addr %s: %w", a.Cfg.IntakeSMTPAddr, err)
	}
	go func() {
		if err := srv.ListenAndServe(); err != nil {
			a.Log.Error("email intake stopped", "err", err)
		}
	}()
	a.AddStop(func() { _ = srv.Close() })
	return nil
}

// EmailIntakeConfig is the listener's configuration: the accepted
// addresses, the authserv-id and size limit from configuration, a category
// for every accepted address whose local part names one
// (phishing@abuse.example takes phishing reports), and the host name of
// public_url as the name it greets with.
func EmailIntakeConfig(cfg *config.Config, p config.Privacy) mailintake.Config {
	c := mailintake.Config{AuthservID: p.IntakeAuthservID, MaxBytes: p.IntakeMaxBytes,
		Addresses: p.IntakeAddresses, CategoryByAddress: map[string]models.Category{},
		PerClientBurst: cfg.Limits.IntakeMailPerClient.Burst, PerClientPer: cfg.Limits.IntakeMailPerClient.Per}
	for _, addr := range p.IntakeAddresses {
		local, _, _ := strings.Cut(strings.ToLower(addr), "@")
		if cat := models.Category(local); cat.Valid() {
			c.CategoryByAddress[addr] = cat
		}
	}
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Hostname() != "" {
		c.Hostname = u.Hostname()
	}
	// Operators answer notices by replying to their From address
	// (smtp_from): when the intake lists its addresses, it takes that one
	// too, so a reply reaches the case instead of a 550.
	if from, err := stdmail.ParseAddress(cfg.SMTPFrom); err == nil && len(c.Addresses) > 0 && !slices.ContainsFunc(c.Addresses,
		func(a string) bool { return strings.EqualFold(a, from.Address) }) {
		c.Addresses = append(slices.Clone(c.Addresses), from.Address)
	}
	return c
}

// ProblemReplier sends the email intake's replies (a refusal, a partial
// acceptance, an answer about IP addresses, a duplicate's earlier case)
// through the notice relay (smtp_addr). Every reply is first kept in the
// intake replies outbox (store.IntakeReply) with its outcome, also when no
// relay is configured (issue 14, "No silence": a reply is never only a log
// line). The reply is marked "Auto-Submitted: auto-replied" (RFC 3834) so
// that other robots do not answer it.
type ProblemReplier struct {
	Addr, From, PublicURL string
	Log                   *slog.Logger
	// Limit caps the replies to one address, with the notices to
	// reporters (nil: no cap).
	Limit *activities.MailLimit
	// DB keeps the replies (nil: not kept; tests of the text only).
	DB *gorm.DB
}

var (
	_ mailintake.Replier          = (*ProblemReplier)(nil)
	_ mailintake.PartialReplier   = (*ProblemReplier)(nil)
	_ mailintake.DuplicateReplier = (*ProblemReplier)(nil)
)

// ReplyProblems sends the reply. Without a relay configured the reply is
// kept as not sent: the listener must not make the sender retry for a
// reply that can never go out.
func (r *ProblemReplier) ReplyProblems(ctx context.Context, to, subject string, problems []models.FieldError) error {
	kind := store.IntakeReplyRefusal
	if len(problems) > 0 && problems[0].Field == mailintake.IPReportField {
		kind = store.IntakeReplyIPReport
	}
	return r.send(ctx, store.IntakeReply{To: to, Subject: subject, Body: problemText(r.PublicURL, problems), Kind: kind})
}

// ReplyPartial tells the sender of a mail that made a case which of the
// reported items were not taken, by the text the sender wrote.
func (r *ProblemReplier) ReplyPartial(ctx context.Context, to, subject, caseID string, notTaken []models.FieldError) error {
	return r.send(ctx, store.IntakeReply{To: to, Subject: subject, Body: partialText(caseID, notTaken), CaseID: caseID,
		Kind: store.IntakeReplyPartial})
}

// ReplyDuplicate tells an authenticated sender that its mail repeated the
// report of caseID: the case's id only, never its reporter token (issue
// 13).
func (r *ProblemReplier) ReplyDuplicate(ctx context.Context, to, subject, caseID string) error {
	return r.send(ctx, store.IntakeReply{To: to, Subject: subject, Body: duplicateText(caseID), CaseID: caseID,
		Kind: store.IntakeReplyDuplicate})
}

// Reasons a kept reply was not sent.
const (
	notSentNoRelay = "not sent: no smtp_addr configured"
	notSentAddress = "not sent: the address cannot be written in a mail header"
	notSentLimit   = "not sent: reporter_mail_per_hour reached for the address"
)

// send keeps one automatic reply and sends it, within the address's mail
// limit, recording the outcome on the kept row. A reply that cannot be
// kept is an error (the sender's server retries), as is a relay's failure.
func (r *ProblemReplier) send(ctx context.Context, reply store.IntakeReply) error {
	if r.DB != nil {
		if err := store.SaveIntakeReply(ctx, r.DB, &reply); err != nil {
			return fmt.Errorf("keep intake reply: %w", err)
		}
	}
	errText, err := r.deliver(ctx, reply)
	if r.DB != nil {
		var sentAt *time.Time
		if errText == "" {
			now := time.Now().UTC()
			sentAt = &now
		}
		if merr := store.MarkIntakeReply(ctx, r.DB, reply.ID, sentAt, errText); merr != nil {
			r.Log.Error("email intake reply outcome not recorded", "kind", reply.Kind, "err", merr)
		}
	}
	return err
}

// deliver sends a reply through the relay; it returns why it was not sent
// ("" when sent) and the relay's error, if any.
func (r *ProblemReplier) deliver(ctx context.Context, reply store.IntakeReply) (string, error) {
	if r.Addr == "" {
		r.Log.Warn("email intake reply kept, not sent: no smtp_addr", "kind", reply.Kind)
		return notSentNoRelay, nil
	}
	if _, err := stdmail.ParseAddress(reply.To); err != nil {
		// An address that cannot be written will never get a reply.
		r.Log.Info("email intake reply not sent: unusable address") // the error names the address: never logged
		return notSentAddress, nil
	}
	if send, err := r.Limit.AdmitReply(ctx, reply.To); err != nil || !send {
		if err != nil {
			return "not sent: " + err.Error(), err
		}
		r.Log.Info("email intake reply suppressed: reporter_mail_per_hour reached for the address", "kind", reply.Kind)
		return notSentLimit, nil
	}
	m := &activities.SMTPMailer{Addr: r.Addr, From: r.From}
	err := m.Send(ctx, activities.Message{To: reply.To, Subject: reply.Subject, Text: reply.Body,
		Headers: map[string]string{"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}})
	if err != nil {
		return "not sent: " + err.Error(), err
	}
	return "", nil
}

// duplicateText is the body of the reply to a mail that repeated an
// earlier report.
func duplicateText(caseID string) string {
	return fmt.Sprintf("Your message to the abuse desk repeats a report received before, abuse report %s.\n"+
		"It was added to that case; no new case was made. Please refer to %s in any further message about it.\n\n"+
		"This is an automatic reply.\n", caseID, caseID)
}

// partialText is the body of the reply to a mail that made a case of part
// of what it reported.
func partialText(caseID string, notTaken []models.FieldError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Your message to the abuse desk was accepted as abuse report %s, made of the items that could be read.\n", caseID)
	b.WriteString("These were not taken, as you wrote them:\n\n")
	writeProblems(&b, notTaken)
	b.WriteString("\nTo report them too, send them again as full URLs (https://...) in a new message.\n\nThis is an automatic reply.\n")
	return b.String()
}

// writeProblems lists problems, one a line.
func writeProblems(b *strings.Builder, problems []models.FieldError) {
	for _, p := range problems {
		if p.Field != "" {
			fmt.Fprintf(b, "  - %s: %s\n", p.Field, p.Message)
		} else {
			fmt.Fprintf(b, "  - %s\n", p.Message)
		}
	}
}

// problemText is the reply's body: every problem, then how to send a
// report that can be accepted.
func problemText(publicURL string, problems []models.FieldError) string {
	var b strings.Builder
	b.WriteString("Your message to the abuse desk could not be accepted as an abuse report, and nothing of it was kept:\n\n")
	writeProblems(&b, problems)
	b.WriteString("\nTo report abuse, send a mail that names the full URLs of the content (https://...) and says why it is abusive,\n")
	b.WriteString("or attach one X-ARF v4 report (application/json), or use the report form")
	if publicURL != "" {
		fmt.Fprintf(&b, " at %s/", publicURL)
	}
	b.WriteString(".\n\nThis is an automatic reply.\n")
	return b.String()
}
