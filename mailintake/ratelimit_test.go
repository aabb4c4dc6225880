package mailintake

import (
	"fmt"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// TestSMTPIntakeLimitsOneClient: a client that floods the intake gets a
// temporary 450 4.7.1 at MAIL FROM once its allowance is spent (a real MTA
// keeps the mail and retries later), and the mails it sent within the
// allowance were all taken. Before the limit, every mail was taken.
func TestSMTPIntakeLimitsOneClient(t *testing.T) {
	cfg := serverConfig
	cfg.PerClientBurst, cfg.PerClientPer = 3, time.Hour
	srv, sub, _ := startServer(t, cfg)
	rcpt := []string{"abuse@abusedesk.test"}
	var refused int
	for i := range 6 {
		msg := fmt.Sprintf("From: Bob <bob@reporter.example>\r\nTo: abuse@abusedesk.test\r\nSubject: phishing\r\n"+
			"Message-ID: <flood-%d@reporter.example>\r\n\r\nA fake login page: https://shop.example/flood/%d\r\n", i, i)
		err := send(t, srv.Addr(), "bob@reporter.example", rcpt, []byte(msg))
		if i < 3 {
			require.NoError(t, err, "mail %d is within the allowance", i)
			continue
		}
		requireSMTPError(t, err, 450, smtp.EnhancedCode{4, 7, 1})
		require.Contains(t, err.Error(), "intake_mail_rate_per_client")
		refused++
	}
	require.Equal(t, 3, refused)
	calls, _, _ := sub.snapshot()
	require.Len(t, calls, 3, "only the mails within the allowance were processed")
}

// TestClientKey groups an IPv6 client by its /64 and an IPv4 one by its
// address.
func TestClientKey(t *testing.T) {
	require.Equal(t, "192.0.2.1", clientKey("192.0.2.1:2525"))
	require.Equal(t, "2001:db8:1:2::/64", clientKey("[2001:db8:1:2:aa::1]:25"))
	require.Equal(t, clientKey("[2001:db8:1:2::7]:25"), clientKey("[2001:db8:1:2:ffff::9]:26"))
	require.Equal(t, "192.0.2.1", clientKey("[::ffff:192.0.2.1]:25"))
}
