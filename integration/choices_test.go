package integration

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
)

// The reporter of every choices case, and the strings that identify them.
var (
	choiceReporter = map[string]any{"name": "Rita Reporter", "email": "rita.r@brand.example",
		"organization": "Brand Protection Inc", "title": "Head of Abuse"}
	identifying = []string{"Rita", "rita.r@brand.example", "rita.r", "Brand Protection", "Head of Abuse"}
)

const (
	operator = "webmaster@shop.example"
	host     = "abuse@hosting.example"
)

// choiceReport is a phishing report at shop.example (CDN; operator
// webmaster@shop.example, host abuse@hosting.example) whose description
// names the reporter too, as people sign their reports.
func choiceReport(path string, extra map[string]any) map[string]any {
	r := map[string]any{"category": "phishing", "urls": []string{"https://shop.example/" + path},
		"description": "A fake login page. Found by Rita Reporter (rita.r@brand.example), Head of Abuse, Brand Protection Inc.",
		"reporter":    choiceReporter}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

// requireAnonymous: a message carries none of the reporter's identifying
// fields, in its text, its HTML, its subject or its raw form, and says the
// reporter asked to stay anonymous.
func requireAnonymous(t *testing.T, m smtpsink.Message) {
	t.Helper()
	raw := withoutSignature(t, m.Raw)
	for _, s := range identifying {
		for part, text := range map[string]string{"text": m.Body, "html": m.HTML, "subject": m.Subject, "raw": raw} {
			require.NotContains(t, strings.ToLower(text), strings.ToLower(s), "%s of the mail to %v names the reporter", part, m.To)
		}
	}
	require.Contains(t, m.Body, "asked to stay anonymous")
	require.Contains(t, m.Body, "A fake login page.", "the complaint itself is passed on")
}

// withoutSignature is a raw message without its DKIM-Signature header: the
// signature is random base64 in which a short name turns up by chance
// (CI once found "rita" in "...sgritam2..."); every other header and the
// encoded body stay.
func withoutSignature(t *testing.T, raw []byte) string {
	t.Helper()
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	h, err := r.ReadMIMEHeader()
	require.NoError(t, err)
	require.NotEmpty(t, h.Get("Dkim-Signature"), "notices are signed")
	h.Del("Dkim-Signature")
	body, err := io.ReadAll(r.R)
	require.NoError(t, err)
	var b strings.Builder
	for k, vs := range h {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	b.Write(body)
	return b.String()
}

// requireNamed: a message carries the reporter's contact.
func requireNamed(t *testing.T, m smtpsink.Message) {
	t.Helper()
	for _, s := range []string{"Rita Reporter", "rita.r@brand.example", "Brand Protection Inc", "Head of Abuse"} {
		require.Contains(t, m.Body, s, "the mail to %v", m.To)
	}
	require.NotContains(t, m.Body, "asked to stay anonymous")
}

// TestReporterChoicesOverSMTP (README "The reporter's choices"): for each
// choice, what each recipient of a CDN forward received through the SMTP
// server on loopback: send passes the reporter's contact, send-anon none
// of the reporter's name, email, organisation or title, none nothing at
// all; ncsei goes to both send-anon by default; the form of the
// reference's shape takes the same choices. The case shows the choice.
func TestReporterChoicesOverSMTP(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	sendBoth := env.File(choiceReport("a", map[string]any{"owner_notification": "send", "host_notification": "send"}))
	anonOwner := env.File(choiceReport("b", map[string]any{"owner_notification": "send-anon", "forward_to_operator": true}))
	noOwnerAnonHost := env.File(choiceReport("c", map[string]any{"owner_notification": "none", "host_notification": "send-anon"}))
	legacyOptOut := env.File(choiceReport("d", map[string]any{"forward_to_operator": false}))
	ncsei := env.File(choiceReport("e", map[string]any{"category": "ncsei",
		"ncsei": map[string]any{"signature": "Rita Reporter", "good_faith_not_consensual": true}}))
	var form struct {
		Success bool   `json:"success"`
		Result  string `json:"result"`
	}
	code := env.Do("POST", "/client/v4/accounts/acct-1/abuse-reports/abuse_threat", "", map[string]any{
		"act": "abuse_threat", "email": "rita.r@brand.example", "email2": "rita.r@brand.example", "name": "Rita Reporter",
		"company": "Brand Protection Inc", "title": "Head of Abuse", "urls": "https://shop.example/f",
		"justification": "A fake login page. Signed, Rita Reporter", "owner_notification": "send-anon", "host_notification": "send-anon"}, &form)
	require.Equal(t, http.StatusOK, code)
	require.True(t, form.Success)

	for _, id := range []string{sendBoth.CaseID, anonOwner.CaseID, noOwnerAnonHost.CaseID, legacyOptOut.CaseID, ncsei.CaseID, form.Result} {
		env.WaitCase(id, caseWait, closed)
	}
	// send / send: both named.
	requireNamed(t, waitMail(t, env, operator, sendBoth.CaseID, 1)[0])
	requireNamed(t, waitMail(t, env, host, sendBoth.CaseID, 1)[0])
	// send-anon to the operator, host by default send.
	requireAnonymous(t, waitMail(t, env, operator, anonOwner.CaseID, 1)[0])
	requireNamed(t, waitMail(t, env, host, anonOwner.CaseID, 1)[0])
	// none to the operator, send-anon to the host.
	requireAnonymous(t, waitMail(t, env, host, noOwnerAnonHost.CaseID, 1)[0])
	// ncsei: both send-anon by default.
	requireAnonymous(t, waitMail(t, env, operator, ncsei.CaseID, 1)[0])
	requireAnonymous(t, waitMail(t, env, host, ncsei.CaseID, 1)[0])
	// The reference's form, send-anon to both.
	requireAnonymous(t, waitMail(t, env, operator, form.Result, 1)[0])
	requireAnonymous(t, waitMail(t, env, host, form.Result, 1)[0])
	// forward_to_operator false: the host is told, the operator not.
	waitMail(t, env, host, legacyOptOut.CaseID, 1)

	// Every notice is out (receipt and reply per case, and the forwards):
	// none went to an operator the reporter chose none for.
	time.Sleep(time.Second)
	require.Empty(t, mailFor(env, operator, noOwnerAnonHost.CaseID))
	require.Empty(t, mailFor(env, operator, legacyOptOut.CaseID))
	require.Zero(t, env.Sink.Duplicates())
	// The reporter is told as ever, with their own name.
	for _, m := range mailFor(env, "rita.r@brand.example", anonOwner.CaseID) {
		require.NotContains(t, m.Body, "[withheld]")
	}

	// The case shows the choice.
	var c map[string]any
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases/"+noOwnerAnonHost.CaseID, testenv.AnalystKey, nil, &c))
	require.Equal(t, "none", c["owner_notification"])
	require.Equal(t, "send-anon", c["host_notification"])
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases/"+legacyOptOut.CaseID, testenv.AnalystKey, nil, &c))
	require.Equal(t, "none", c["owner_notification"])
	require.Equal(t, "send", c["host_notification"])
}
