package app

import (
	"context"
	"fmt"
	"log/slog"
	stdmail "net/mail"
	"net/url"
	"slices"
	"strings"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/models"
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
		Limit: &activities.MailLimit{DB: a.DB, PerHour: a.Cfg.Limits.ReporterMailPerHour}}
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

// ProblemReplier sends the email intake's one reply to a mail that could
// not become a report, through the notice relay (smtp_addr). The reply is
// marked "Auto-Submitted: auto-replied" (RFC 3834) so that other robots do
// not answer it.
type ProblemReplier struct {
	Addr, From, PublicURL string
	Log                   *slog.Logger
	// Limit caps the replies to one address, with the notices to
	// reporters (nil: no cap).
	Limit *activities.MailLimit
}

var _ mailintake.Replier = (*ProblemReplier)(nil)

var _ mailintake.PartialReplier = (*ProblemReplier)(nil)

// ReplyProblems sends the reply. Without a relay configured the reply is
// logged and dropped: the listener must not make the sender retry for a
// reply that can never go out.
func (r *ProblemReplier) ReplyProblems(ctx context.Context, to, subject string, problems []models.FieldError) error {
	return r.send(ctx, to, subject, problemText(r.PublicURL, problems), len(problems))
}

// ReplyPartial tells the sender of a mail that made a case which of the
// reported items were not taken, by the text the sender wrote.
func (r *ProblemReplier) ReplyPartial(ctx context.Context, to, subject, caseID string, notTaken []models.FieldError) error {
	return r.send(ctx, to, subject, partialText(caseID, notTaken), len(notTaken))
}

// send sends one automatic reply, within the address's mail limit.
func (r *ProblemReplier) send(ctx context.Context, to, subject, text string, problems int) error {
	if r.Addr == "" {
		r.Log.Warn("email intake reply not sent: no smtp_addr", "problems", problems)
		return nil
	}
	if _, err := stdmail.ParseAddress(to); err != nil {
		// An address that cannot be written will never get a reply.
		r.Log.Info("email intake reply not sent: unusable address") // the error names the address: never logged
		return nil
	}
	if send, err := r.Limit.AdmitReply(ctx, to); err != nil || !send {
		if err == nil {
			r.Log.Info("email intake reply suppressed: reporter_mail_per_hour reached for the address", "problems", problems)
		}
		return err
	}
	m := &activities.SMTPMailer{Addr: r.Addr, From: r.From}
	return m.Send(ctx, activities.Message{To: to, Subject: subject, Text: text,
		Headers: map[string]string{"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}})
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
