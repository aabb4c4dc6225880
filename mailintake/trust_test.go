package mailintake

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// withHeader puts header lines on top of a message, as the mail server in
// front adds its Authentication-Results.
func withHeader(msg []byte, lines ...string) []byte {
	return append([]byte(strings.Join(lines, "\r\n")+"\r\n"), msg...)
}

// dmarcPass is our mail server's verdict that the From domain passed DMARC.
func dmarcPass(domain string) string {
	return fmt.Sprintf("Authentication-Results: %s; spf=pass smtp.mailfrom=%s; dkim=pass header.d=%s; dmarc=pass header.from=%s",
		authservID, domain, domain, domain)
}

func TestSMTPIntakeRepliesOnlyToAuthenticatedSenders(t *testing.T) {
	srv, sub, rep := startServer(t, serverConfig)
	rcpt := []string{"abuse@abusedesk.test"}
	victim := "Reply-To: someone@victim.example"

	// Twenty unauthenticated mails that ask for their reply to go to a
	// victim: nothing is sent, to the victim or anyone.
	for i := range 20 {
		msg := withHeader(emptyMail(fmt.Sprintf("stranger-%d@reporter.example", i)), victim)
		require.NoError(t, send(t, srv.Addr(), "bob@reporter.example", rcpt, msg))
	}
	require.Empty(t, rep.snapshot())

	skipped := []struct {
		name, envFrom string
		msg           []byte
	}{
		{"forged pass from another server", "bob@reporter.example",
			withHeader(emptyMail("s-1@x"), strings.Replace(dmarcPass("reporter.example"), authservID, "mx.evil.example", 1))},
		{"our server says fail", "bob@reporter.example",
			withHeader(emptyMail("s-2@x"), strings.Replace(dmarcPass("reporter.example"), "dmarc=pass", "dmarc=fail", 1))},
		{"a fail below the pass still counts", "bob@reporter.example",
			withHeader(emptyMail("s-3@x"), dmarcPass("reporter.example"), strings.Replace(dmarcPass("reporter.example"), "dmarc=pass", "dmarc=fail", 1))},
		{"envelope sender outside the authenticated domain", "someone@victim.example",
			withHeader(emptyMail("s-4@x"), dmarcPass("reporter.example"))},
		{"auto-submitted", "bob@reporter.example",
			withHeader(emptyMail("s-5@x"), dmarcPass("reporter.example"), "Auto-Submitted: auto-generated")},
		{"mailer-daemon", "MAILER-DAEMON@reporter.example",
			withHeader(emptyMail("s-6@x"), dmarcPass("reporter.example"))},
		{"postmaster", "postmaster@reporter.example",
			withHeader(emptyMail("s-7@x"), dmarcPass("reporter.example"))},
		{"null sender", "", withHeader(emptyMail("s-8@x"), dmarcPass("reporter.example"))},
	}
	for _, s := range skipped {
		require.NoError(t, send(t, srv.Addr(), s.envFrom, rcpt, s.msg), s.name)
		require.Empty(t, rep.snapshot(), s.name)
	}

	// An authenticated sender is answered at its envelope address, never at
	// Reply-To; "Auto-Submitted: no" is a person writing.
	ok := withHeader(emptyMail("ok-1@reporter.example"), dmarcPass("reporter.example"), victim, "Auto-Submitted: no")
	require.NoError(t, send(t, srv.Addr(), "bounces@mail.reporter.example", rcpt, ok))
	replies := rep.snapshot()
	require.Len(t, replies, 1)
	require.Equal(t, "bounces@mail.reporter.example", replies[0].to)
	calls, _, _ := sub.snapshot()
	require.Empty(t, calls)
}

// lockedBuffer is a log destination shared by the listener's connections.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestSMTPIntakeLogsNoPersonalData(t *testing.T) {
	var buf lockedBuffer
	sub := &fakeSubmitter{cases: map[string]string{}}
	rep := &fakeReplier{}
	srv := NewServer("127.0.0.1:0", serverConfig, sub, rep, slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	require.NoError(t, srv.Listen())
	go func() { _ = srv.ListenAndServe() }()
	defer srv.Close()
	rcpt := []string{"abuse@abusedesk.test"}

	require.NoError(t, send(t, srv.Addr(), "alice@reporter.example", rcpt, plainMail(rcpt[0], "log-1@reporter.example", phishingText)))
	require.NoError(t, send(t, srv.Addr(), "bob@reporter.example", rcpt, withHeader(emptyMail("log-2@reporter.example"), dmarcPass("reporter.example"))))
	require.NoError(t, send(t, srv.Addr(), "bob@reporter.example", rcpt, withHeader(emptyMail("log-3@reporter.example"), "Reply-To: someone@victim.example")))
	require.Error(t, send(t, srv.Addr(), "carol@reporter.example", []string{"nobody@abusedesk.test"}, emptyMail("log-4@reporter.example")))
	require.Error(t, send(t, srv.Addr(), "mallory@attacker.example", rcpt, nestedMail(MaxMIMEDepth+1, 0)))
	sub.mu.Lock()
	sub.err = errors.New("store unavailable for alice@reporter.example")
	sub.mu.Unlock()
	require.Error(t, send(t, srv.Addr(), "alice@reporter.example", rcpt, plainMail(rcpt[0], "log-5@reporter.example", phishingText)))
	require.Len(t, rep.snapshot(), 1)

	log := buf.String()
	for _, want := range []string{"accepted report", "answered unusable message", "reply skipped", "refused recipient", "over a limit", "could not submit"} {
		require.Contains(t, log, want, "the events are still logged")
	}
	require.NotContains(t, log, "@", "no address in the log:\n%s", log)
	require.NotContains(t, log, "PayPal", "no subject in the log")
	require.NotContains(t, log, "help", "no subject in the log")
}
