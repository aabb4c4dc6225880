package activities

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/wneessen/go-mail"
)

// Message is one outgoing notice email.
type Message struct {
	ID      string // the notice id; becomes the Message-ID
	CaseID  string // the case; becomes X-Abusedesk-Case
	To      string
	Subject string
	Text    string
	HTML    string // optional alternative
	// Headers are extra header fields (e.g. Auto-Submitted on replies).
	Headers map[string]string
}

// Mailer delivers notices.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// SMTPMailer delivers through an SMTP relay with github.com/wneessen/go-mail.
type SMTPMailer struct {
	Addr string // host:port
	From string
	// DKIM, when set, signs every message (see dkim.go).
	DKIM *DKIM
	// BounceLocalPart, when set, makes the envelope sender of every notice
	// the VERP address <BounceLocalPart>+<notice id>@<domain of From>, so
	// that a delivery status notification names the notice (see VERP).
	BounceLocalPart string
	// TLS: use STARTTLS when the relay offers it (opportunistic); loopback
	// relays in tests offer none.
}

// Send delivers one message. The Message-ID is derived from the notice id,
// so a receiver can tell a repeated delivery from a new notice.
func (s *SMTPMailer) Send(ctx context.Context, m Message) error {
	host, portStr, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("smtp_addr: %w", err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("smtp_addr port: %w", err)
	}
	msg := mail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return fmt.Errorf("smtp_from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("recipient %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	if m.ID != "" {
		msg.SetMessageIDWithValue(m.ID + "@abusedesk")
		msg.SetGenHeader("X-Abusedesk-Notice", m.ID)
		if v := VERP(s.BounceLocalPart, m.ID, s.From); v != "" {
			if err := msg.EnvelopeFrom(v); err != nil {
				return fmt.Errorf("bounce address: %w", err)
			}
		}
	} else {
		msg.SetMessageID()
	}
	msg.SetDate()
	if m.CaseID != "" {
		msg.SetGenHeader("X-Abusedesk-Case", m.CaseID)
	}
	// RFC 3834: no auto-responder answers a notice (replies set their own).
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	for k, v := range m.Headers {
		msg.SetGenHeader(mail.Header(k), v)
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	if s.DKIM != nil {
		return s.sendSigned(ctx, host, msg)
	}
	c, err := mail.NewClient(host, mail.WithPort(port), mail.WithTLSPolicy(mail.TLSOpportunistic),
		mail.WithHELO("abusedesk"))
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}
