package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
)

func report(category string, urls []string, forward bool) map[string]any {
	r := map[string]any{
		"category": category, "urls": urls, "description": "evidence: <b>look</b>",
		"reporter": map[string]any{"name": "Rita Reporter", "email": "rita@reporter.example"}, "forward_to_operator": forward,
	}
	if category == "copyright" {
		r["copyright"] = map[string]any{"work": "My Song", "good_faith": true, "accurate_under_penalty": true, "signature": "/Rita/"}
	}
	return r
}

func closed(c testenv.CaseJSON) bool { return c.Status == "closed" }

func countTo(msgs []smtpsink.Message, rcpt string) int {
	n := 0
	for _, m := range msgs {
		for _, t := range m.To {
			if strings.EqualFold(t, rcpt) {
				n++
			}
		}
	}
	return n
}

func TestCDNForwardingOverSMTP(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})

	// Phishing, reporter agrees to forwarding: operator, host (with origin IP), reporter.
	a := env.File(report("phishing", []string{"https://shop.example/login"}, true))
	c := env.WaitCase(a.CaseID, 30*time.Second, closed)
	require.Equal(t, "forwarded", c.Outcome)
	require.Equal(t, "cdn", c.Service)
	require.Equal(t, "shop.example", c.Domain)

	// Phishing, reporter opts out: no operator notice.
	b := env.File(report("phishing", []string{"https://blog.example/x"}, false))
	env.WaitCase(b.CaseID, 30*time.Second, closed)

	// Copyright with forward=true (always forwarded).
	cp := env.File(report("copyright", []string{"https://shop.example/song.mp3"}, true))
	env.WaitCase(cp.CaseID, 30*time.Second, closed)

	// Not our customer.
	n := env.File(report("malware", []string{"https://elsewhere.example/bad.exe"}, true))
	nc := env.WaitCase(n.CaseID, 30*time.Second, closed)
	require.Equal(t, "not_our_customer", nc.Outcome)

	require.True(t, env.Sink.WaitFor(10*time.Second, func(m []smtpsink.Message) bool { return len(m) >= 13 }))
	time.Sleep(500 * time.Millisecond)
	msgs := env.Sink.Messages()
	require.Len(t, msgs, 13, "4 receipts + 3 + 2 + 3 + 1 notices")
	require.Zero(t, env.Sink.Duplicates())
	require.Equal(t, 2, countTo(msgs, "webmaster@shop.example"), "phishing + copyright operator notices")
	require.Equal(t, 0, countTo(msgs, "webmaster@blog.example"))
	require.Equal(t, 3, countTo(msgs, "abuse@hosting.example")+countTo(msgs, "abuse@docscloud.example"))
	require.Equal(t, 8, countTo(msgs, "rita@reporter.example"), "a receipt and a reply per case")
	for _, m := range msgs {
		hasIP := strings.Contains(m.Body, "203.0.113.10") || strings.Contains(m.Body, "198.51.100.20")
		isHost := strings.HasPrefix(m.To[0], "abuse@")
		require.Equal(t, isHost, hasIP, "origin IP only in the hosting provider's notice: %s", m.To[0])
	}
}
