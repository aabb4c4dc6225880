package integration

// Issue 13, mail intake: the intake must not mail strangers on a sender's
// say-so, and a hostile MIME tree must be refused at once.

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/temporalserver"
)

// startMailIntake runs the whole app with the email intake on a free port.
func startMailIntake(t *testing.T) (*testenv.Env, string) {
	t.Helper()
	addr, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{NoDemo: true, Env: map[string]string{
		"ABUSEDESK_INTAKE_SMTP_ADDR":   addr,
		"ABUSEDESK_INTAKE_ADDRESSES":   "abuse@abusedesk.test",
		"ABUSEDESK_INTAKE_AUTHSERV_ID": intakeAuthserv,
	}})
	return env, addr
}

func TestEmailIntakeRepliesToNoStranger(t *testing.T) {
	env, addr := startMailIntake(t)
	const victim = "someone@victim.example"
	for i := range 20 {
		msg := append([]byte("Reply-To: "+victim+"\r\n"), plainMail("Bob <bob@reporter.example>", "abuse@abusedesk.test",
			fmt.Sprintf("stranger-%d@reporter.example", i), "please check", "Something is wrong on your network.\n")...)
		require.NoError(t, sendMail(t, addr, "bob@reporter.example", "abuse@abusedesk.test", msg))
	}
	// An authenticated sender with the same problem is answered, at its
	// envelope address: the replies are synchronous, so once this one has
	// arrived any to the victim would have too.
	auth := append([]byte("Authentication-Results: "+intakeAuthserv+"; spf=pass smtp.mailfrom=reporter.example; dmarc=pass header.from=reporter.example\r\nReply-To: "+victim+"\r\n"),
		plainMail("Carol <carol@reporter.example>", "abuse@abusedesk.test", "auth-1@reporter.example", "please check", "Something is wrong.\n")...)
	require.NoError(t, sendMail(t, addr, "carol@reporter.example", "abuse@abusedesk.test", auth))
	require.True(t, env.Sink.WaitFor(caseWait, func([]smtpsink.Message) bool { return len(env.Sink.To("carol@reporter.example")) == 1 }))
	require.Empty(t, env.Sink.To(victim), "no mail to the address in Reply-To")
	require.Empty(t, env.Sink.To("bob@reporter.example"), "no reply to an unauthenticated sender")
	require.Len(t, env.Sink.Messages(), 1)
}

func TestEmailIntakeRefusesDeepMIME(t *testing.T) {
	env, addr := startMailIntake(t)
	var b bytes.Buffer
	b.WriteString("From: Mallory <mallory@attacker.example>\r\nTo: abuse@abusedesk.test\r\nSubject: nested\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
	const depth = 50000
	for i := 1; i < depth; i++ {
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i-1, i)
	}
	fmt.Fprintf(&b, "--b%d\r\nContent-Type: text/plain\r\n\r\nhttps://shop.example/deep\r\n", depth-1)
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	err := sendMail(t, addr, "mallory@attacker.example", "abuse@abusedesk.test", b.Bytes())
	var se *smtp.SMTPError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 554, se.Code, se.Message)
	require.Equal(t, smtp.EnhancedCode{5, 6, 0}, se.EnhancedCode)
	require.Contains(t, se.Message, mailintake.LimitMIMEDepth)
	require.Zero(t, caseCount(t, env))
}
