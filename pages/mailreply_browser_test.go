package pages_test

import (
	"bytes"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/temporalserver"
)

// TestBrowserMailReplyAccepted: the operator answers the notice by mail,
// with markup in the text; the analyst's case page shows the reply as text
// with a button to record its "removed", and the case closes only after
// the analyst clicks it.
func TestBrowserMailReplyAccepted(t *testing.T) {
	b := newBrowser(t, "analyst")
	addr, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_INTAKE_SMTP_ADDR": addr, "ABUSEDESK_INTAKE_ADDRESSES": "abuse@abusedesk.test",
	}})
	b.base = env.URL
	c := env.File(map[string]any{"category": "phishing", "urls": []string{"https://pages.example/login"}, "description": "phish",
		"reporter": map[string]any{"name": "Rita", "email": "rita@reporter.example"}, "forward_to_operator": true})
	env.WaitCase(c.CaseID, 30*time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "awaiting_analyst" })
	require.Equal(t, http.StatusOK, env.Do("POST", "/v1/cases/"+c.CaseID+"/decisions", testenv.AnalystKey,
		map[string]any{"verdict": "violates", "clause": "other_illegal", "reason": "phishing"}, nil))
	operatorLink(t, env)
	var msgID string
	for _, m := range env.Sink.To(operator) {
		if m.NoticeID != "" {
			pm, err := mail.ReadMessage(bytes.NewReader(m.Raw))
			require.NoError(t, err)
			msgID = pm.Header.Get("Message-Id")
		}
	}
	require.NotEmpty(t, msgID)
	env.WaitCase(c.CaseID, 30*time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "awaiting_operator" })

	msg := strings.Join([]string{"From: " + operator, "To: abuse@abusedesk.test", "Subject: Re: notice " + xss,
		"Message-ID: <page-reply@pages.example>", "In-Reply-To: " + msgID, "Content-Type: text/plain; charset=utf-8", "",
		"We have removed the page. " + xss, ""}, "\r\n")
	sendSMTP(t, addr, operator, "abuse@abusedesk.test", []byte(msg))

	signIn(b, testenv.AnalystKey)
	require.EqualValues(t, http.StatusOK, b.open("/console/cases/"+c.CaseID))
	require.Contains(t, b.text("#mail-reply-1"), "We have removed the page. "+xss)
	require.Equal(t, "awaiting_operator", b.text("#case-status"))
	require.EqualValues(t, http.StatusOK, b.submit("form[action$='/mail-replies/1/accept'] button"))
	require.Contains(t, b.text("#decision-done"), "removed")
	cs := env.WaitCase(c.CaseID, 30*time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "closed" })
	require.Equal(t, "content_removed", cs.Outcome)
	b.open("/console/cases/" + c.CaseID)
	require.Contains(t, b.text("#mail-reply-1"), "by analyst-alice")
}

// sendSMTP delivers one message to the email intake.
func sendSMTP(t *testing.T, addr, from, rcpt string, msg []byte) {
	t.Helper()
	c, err := smtp.Dial(addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SendMail(from, []string{rcpt}, bytes.NewReader(msg)))
	require.NoError(t, c.Quit())
}
