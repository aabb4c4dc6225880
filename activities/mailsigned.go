package activities

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// sendSigned renders the message, signs it with DKIM and delivers the
// signed bytes unchanged (go-mail would render it anew) with
// net/smtp: STARTTLS when the relay offers it, as the
// unsigned path does.
func (s *SMTPMailer) sendSigned(ctx context.Context, host string, msg *mail.Msg) error {
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	signed, err := s.DKIM.Sign(raw.Bytes())
	if err != nil {
		return err
	}
	from, err := msg.GetSender(false)
	if err != nil {
		return fmt.Errorf("smtp_from: %w", err)
	}
	rcpts, err := msg.GetRecipients()
	if err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else {
		_ = conn.SetDeadline(time.Now().Add(5 * time.Minute))
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello("abusedesk"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if err := c.Mail(bare(from)); err != nil {
		return err
	}
	for _, to := range rcpts {
		if err := c.Rcpt(bare(to)); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(signed); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// bare is an address without the angle brackets go-mail puts around it.
func bare(addr string) string {
	return strings.TrimSuffix(strings.TrimPrefix(addr, "<"), ">")
}
