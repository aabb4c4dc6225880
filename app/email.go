package app

import (
	"context"
	"fmt"
	"log/slog"
	stdmail "net/mail"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/server"
)

// The intake channels besides POST /v1/reports (DESIGN.md step 1: reports
// also arrive by email and as X-ARF JSON over HTTP; they take the same
// path): the SMTP listener and POST /v1/reports/xarf.
func init() {
	OnRoutes(func(_ *App, e *echo.Echo, s *server.Server) {
		e.POST("/v1/reports/xarf", s.PostXARF)
	})
	OnStart(func(ctx context.Context, a *App) error { return a.startEmailIntake(ctx) })
}

// startEmailIntake runs the SMTP listener when intake_smtp_addr is set, in
// the processes that take reports (not a worker-only one). A port that
// cannot be bound fails the start with the key's name.
func (a *App) startEmailIntake(_ context.Context) error {
	if a.Cfg.IntakeSMTPAddr == "" || a.Role == RoleWorker {
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
	srv.Replies = a.replyHandler()
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

// ReplyProblems sends the reply. Without a relay configured the reply is
// logged and dropped: the listener must not make the sender retry for a
// reply that can never go out.
func (r *ProblemReplier) ReplyProblems(ctx context.Context, to, subject string, problems []models.FieldError) error {
	if r.Addr == "" {
		r.Log.Warn("email intake reply not sent: no smtp_addr", "problems", len(problems))
		return nil
	}
	if _, err := stdmail.ParseAddress(to); err != nil {
		// An address that cannot be written will never get a reply.
		r.Log.Info("email intake reply not sent: unusable address") // the error names the address: never logged
		return nil
	}
	if send, err := r.Limit.AdmitReply(ctx, to); err != nil || !send {
		if err == nil {
			r.Log.Info("email intake reply suppressed: reporter_mail_per_hour reached for the address", "problems", len(problems))
		}
		return err
	}
	m := &activities.SMTPMailer{Addr: r.Addr, From: r.From}
	return m.Send(ctx, activities.Message{To: to, Subject: subject, Text: problemText(r.PublicURL, problems),
		Headers: map[string]string{"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}})
}

// problemText is the reply's body: every problem, then how to send a
// report that can be accepted.
func problemText(publicURL string, problems []models.FieldError) string {
	var b strings.Builder
	b.WriteString("Your message to the abuse desk could not be accepted as an abuse report, and nothing of it was kept:\n\n")
	for _, p := range problems {
		if p.Field != "" {
			fmt.Fprintf(&b, "  - %s: %s\n", p.Field, p.Message)
		} else {
			fmt.Fprintf(&b, "  - %s\n", p.Message)
		}
	}
	b.WriteString("\nTo report abuse, send a mail that names the full URLs of the content (https://...) and says why it is abusive,\n")
	b.WriteString("or attach one X-ARF v4 report (application/json), or use the report form")
	if publicURL != "" {
		fmt.Fprintf(&b, " at %s/", publicURL)
	}
	b.WriteString(".\n\nThis is an automatic reply.\n")
	return b.String()
}
