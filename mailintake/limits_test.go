package mailintake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// nestedMail is a plain report whose text sits at the bottom of depth
// nested multipart/mixed containers (the top-level entity is the first), with
// pad bytes of filler after the URL.
func nestedMail(depth, pad int) []byte {
	var b bytes.Buffer
	b.WriteString("From: Mallory <mallory@attacker.example>\r\nTo: abuse@abusedesk.test\r\n")
	fmt.Fprintf(&b, "Subject: nested %d\r\nMessage-ID: <nested-%d-%d@attacker.example>\r\nMIME-Version: 1.0\r\n", depth, depth, pad)
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
	for i := 1; i < depth; i++ {
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i-1, i)
	}
	fmt.Fprintf(&b, "--b%d\r\nContent-Type: text/plain\r\n\r\nhttps://shop.example/nested-phish\r\n", depth-1)
	for pad > 0 {
		line := strings.Repeat("x", min(pad, 76))
		b.WriteString(line + "\r\n")
		pad -= len(line)
	}
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.Bytes()
}

// wideMail is a multipart/mixed mail with n text parts.
func wideMail(n int) []byte {
	parts := make([]mimePart, n)
	for i := range parts {
		parts[i] = mimePart{[]string{"Content-Type: text/plain"}, fmt.Sprintf("part %d https://shop.example/%d", i, i)}
	}
	return buildMail([]string{"From: Mallory <mallory@attacker.example>", "To: abuse@abusedesk.test",
		"Subject: wide", "Message-ID: <wide@attacker.example>", "MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="w"`}, multipartBody("w", parts...))
}

// requireLimitRefusal requires the 554 5.6.0 the listener gives a message
// over a parsing limit, naming the limit.
func requireLimitRefusal(t *testing.T, err error, limit string) {
	t.Helper()
	requireSMTPError(t, err, 554, smtp.EnhancedCode{5, 6, 0})
	var se *smtp.SMTPError
	require.True(t, errors.As(err, &se))
	require.Contains(t, se.Message, limit, "the refusal names the limit")
}

func TestSMTPIntakeRefusesDeepMIME(t *testing.T) {
	srv, sub, rep := startServer(t, serverConfig)
	rcpt := []string{"abuse@abusedesk.test"}

	// 50,000 levels in 3.5 MB: refused at once, not parsed for minutes and
	// then answered 451 (which makes the sending server try again).
	deep := nestedMail(50000, 0)
	require.Greater(t, len(deep), 3<<20)
	requireLimitRefusal(t, send(t, srv.Addr(), "mallory@attacker.example", rcpt, deep), LimitMIMEDepth)

	// The boundary: MaxMIMEDepth levels are read, one more is refused.
	require.NoError(t, send(t, srv.Addr(), "mallory@attacker.example", rcpt, nestedMail(MaxMIMEDepth, 0)))
	requireLimitRefusal(t, send(t, srv.Addr(), "mallory@attacker.example", rcpt, nestedMail(MaxMIMEDepth+1, 0)), LimitMIMEDepth)

	// Too many parts side by side.
	require.NoError(t, send(t, srv.Addr(), "mallory@attacker.example", rcpt, wideMail(MaxMIMEParts-1)))
	requireLimitRefusal(t, send(t, srv.Addr(), "mallory@attacker.example", rcpt, wideMail(MaxMIMEParts+1)), LimitMIMEParts)

	calls, _, _ := sub.snapshot()
	require.Len(t, calls, 2, "only the two messages within the limits are submitted")
	require.Equal(t, []string{"https://shop.example/nested-phish"}, calls[0].Report.URLs)
	require.Empty(t, rep.snapshot(), "a refusal is the answer: no reply mail")
}

func TestParseMessageLimits(t *testing.T) {
	_, err := ParseMessage(nestedMail(50000, 0), "abuse@abusedesk.test", testConfig)
	var le *LimitError
	require.ErrorAs(t, err, &le)
	require.Equal(t, LimitMIMEDepth, le.Limit)
	require.Equal(t, MaxMIMEDepth, le.Max)

	// Attached messages count towards the depth of the whole tree.
	inner := nestedMail(MaxMIMEDepth, 0)
	outer := buildMail([]string{"From: a@b.example", "Subject: fwd", "MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="o"`},
		multipartBody("o", mimePart{[]string{"Content-Type: message/rfc822"}, string(inner)}))
	_, err = ParseMessage(outer, "abuse@abusedesk.test", testConfig)
	require.ErrorAs(t, err, &le)
	require.Equal(t, LimitMIMEDepth, le.Limit)

	// An expired deadline stops the parser, named as the time limit.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ParseMessageContext(ctx, nestedMail(10, 1<<20), "abuse@abusedesk.test", testConfig)
	require.ErrorAs(t, err, &le)
	require.Equal(t, LimitParseTime, le.Limit)

	p, err := ParseMessage(nestedMail(MaxMIMEDepth, 1<<20), "abuse@abusedesk.test", testConfig)
	require.NoError(t, err)
	require.Empty(t, p.Problems)
	require.Equal(t, []string{"https://shop.example/nested-phish"}, p.Report.URLs)
}

// BenchmarkParseNested measures the parser on nested multiparts: refused
// ones (cost independent of the depth sent) and ones at the depth limit
// with a growing leaf (cost linear in the size: MB/s stays flat).
func BenchmarkParseNested(b *testing.B) {
	cases := []struct{ depth, pad int }{
		{100, 0}, {1000, 0}, {8000, 0}, {50000, 0},
		{MaxMIMEDepth, 64 << 10}, {MaxMIMEDepth, 1 << 20}, {MaxMIMEDepth, 8 << 20},
	}
	for _, c := range cases {
		msg := nestedMail(c.depth, c.pad)
		b.Run(fmt.Sprintf("depth=%d/bytes=%d", c.depth, len(msg)), func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				_, _ = ParseMessage(msg, "abuse@abusedesk.test", testConfig)
			}
		})
	}
}
