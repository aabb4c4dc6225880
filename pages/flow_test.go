package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
)

const operator = "owner@pages.example"

// operatorLink waits for a notice to the operator that carries a response
// link and returns the link's path.
func operatorLink(t *testing.T, env *testenv.Env) string {
	t.Helper()
	var link string
	ok := env.Sink.WaitFor(30*time.Second, func([]smtpsink.Message) bool {
		for _, m := range env.Sink.To(operator) {
			if id, tok, found := testenv.ResponseLink(m.Body); found {
				link = "/respond/" + id + "?token=" + url.QueryEscape(tok)
				return true
			}
		}
		return false
	})
	require.True(t, ok, "no notice with a response link reached %s", operator)
	return link
}

// signIn signs in to the console with an API key.
func signIn(b *browser, key string) {
	b.t.Helper()
	b.open("/console")
	require.Contains(b.t, b.location(), "/console/login")
	b.fill("#api_key", key)
	require.EqualValues(b.t, http.StatusOK, b.submit("form[action='/console/login'] button"))
}

// TestBrowserReportDecideRespond walks a hosted-content case through every
// page: the reporter files it through the form and answers the analyst's
// question on the status page, the analyst decides it from the console,
// the operator answers through the emailed link, the reporter sees the
// outcome and the auditor reads the timeline.
func TestBrowserReportDecideRespond(t *testing.T) {
	b := newBrowser(t, "reporter")
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_OPERATOR_REMINDER_AFTER": "2s"}})
	b.base = env.URL
	an, op, au := b.person("analyst"), b.person("operator"), b.person("auditor")

	// Category first, chosen with the keyboard.
	require.EqualValues(t, http.StatusOK, b.open("/"))
	b.shot("report-category")
	b.do(chromedp.Focus(chromedp.ID("category-phishing")), chromedp.KeyEvent(" "), chromedp.KeyEvent(kb.Tab))
	resp, err := chromedp.RunResponse(b.timeout(30*time.Second), chromedp.KeyEvent(kb.Enter))
	require.NoError(t, err)
	require.EqualValues(t, http.StatusOK, resp.Status)
	require.Contains(t, b.location(), "category=phishing")
	require.Contains(t, b.text("main"), "Do not forward my report to the website operator")

	// Server-side validation beside each field; the form keeps its values.
	b.fill("#urls", "ftp://nope\nhttps://pages.example/x")
	b.fill("#email", "not-an-email")
	require.EqualValues(t, http.StatusUnprocessableEntity, b.submit("main form button[type=submit]"))
	require.Contains(t, b.text("#urls-error"), "Line 1:")
	require.Contains(t, b.text("#description-error"), "required")
	require.Contains(t, b.text("#email-error"), "not an email address")
	require.Equal(t, "ftp://nope\nhttps://pages.example/x", b.value("#urls"))
	require.Equal(t, "not-an-email", b.value("#email"))
	b.phone("report-form-phone")
	b.shot("report-form-errors")

	b.fill("#urls", "https://pages.example/x")
	b.fill("#description", "A fake bank login page.")
	b.fill("#name", "Rita Reporter")
	b.fill("#email", "rita@reporter.example")
	require.EqualValues(t, http.StatusOK, b.submit("main form button[type=submit]"))
	caseID := b.text("#case-id")
	statusURL := b.text("#status-link")
	require.True(t, strings.HasPrefix(statusURL, env.URL+"/status/"+caseID+"?token="), statusURL)
	b.shot("report-received")
	env.WaitCase(caseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_analyst" })

	require.EqualValues(t, http.StatusOK, b.open(statusURL))
	require.Contains(t, b.text("#case-status"), "An analyst is reviewing")
	require.NotContains(t, b.text("main"), operator, "the reporter never sees the operator")
	b.shot("reporter-status")

	// The analyst signs in; the session cookie is HttpOnly and SameSite.
	an.open("/console")
	an.shot("console-login")
	signIn(an, testenv.AnalystKey)
	var session *network.Cookie
	for _, c := range an.cookies() {
		if c.Name == "abusedesk_session" {
			session = c
		}
	}
	require.NotNil(t, session)
	require.True(t, session.HTTPOnly)
	require.Equal(t, network.CookieSameSiteLax, session.SameSite)
	require.False(t, session.Secure, "plain HTTP here; Secure is set over TLS")

	an.do(chromedp.SetValue(chromedp.ID("category"), "phishing"), chromedp.SetValue(chromedp.ID("status"), "awaiting_analyst"))
	require.EqualValues(t, http.StatusOK, an.submit("form.filters button"))
	require.Contains(t, an.text("#cases"), caseID)
	an.shot("console-queue")
	require.EqualValues(t, http.StatusOK, an.submit("#cases a[href='/console/cases/"+caseID+"']"))
	page := an.text("main")
	for _, want := range []string{"A fake bank login page.", "Pages Customer", operator, "pages-site-1", "rita@reporter.example"} {
		require.Contains(t, page, want)
	}

	// need_info: the reporter answers on the status page.
	an.do(chromedp.SetValue(chromedp.ID("verdict"), "need_info"))
	an.fill("#question", "Which page asks for the password?")
	an.fill("#reason", "need the exact page")
	require.EqualValues(t, http.StatusOK, an.submit("form[action$='/decide'] button"))
	require.Contains(t, an.text("#decision-done"), "need_info")
	env.WaitCase(caseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_reporter" })
	b.open(statusURL)
	require.Contains(t, b.text("#question-text"), "Which page asks for the password?")
	require.EqualValues(t, http.StatusUnprocessableEntity, b.submit("form[action$='/answer'] button"))
	require.Contains(t, b.text("#answer-error"), "required")
	b.fill("#answer", "The /x page, second form.")
	require.EqualValues(t, http.StatusOK, b.submit("form[action$='/answer'] button"))
	require.Contains(t, b.text("main"), "we received your answer")
	env.WaitCase(caseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_analyst" })

	// A decision the workflow's validator refuses is shown in words.
	an.open("/console/cases/" + caseID)
	an.do(chromedp.SetValue(chromedp.ID("verdict"), "uphold"))
	an.fill("#reason", "early")
	require.EqualValues(t, http.StatusConflict, an.submit("form[action$='/decide'] button"))
	require.Contains(t, an.text("#refusal"), "The case refused this decision: case is awaiting_analyst")
	an.shot("console-decision-refused")
	an.do(chromedp.SetValue(chromedp.ID("verdict"), "violates"), chromedp.SetValue(chromedp.ID("clause"), "malware"))
	an.fill("#reason", "Credential phishing page.")
	require.EqualValues(t, http.StatusOK, an.submit("form[action$='/decide'] button"))
	require.Contains(t, an.text("#decision-done"), "violates")
	env.WaitCase(caseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_operator" })
	an.open("/console/cases/" + caseID)
	require.Contains(t, an.text("#deadline"), "operator_response")
	an.shot("console-case")

	// The operator answers through the emailed link, after the reminder
	// timer fired.
	link := operatorLink(t, env)
	require.True(t, env.Sink.WaitFor(30*time.Second, func([]smtpsink.Message) bool { return len(env.Sink.To(operator)) >= 2 }),
		"the 2s reminder timer sends a reminder")
	require.EqualValues(t, http.StatusOK, op.open(link))
	require.Contains(t, op.text("main"), "https://pages.example/x")
	require.Contains(t, op.text("#notice-body"), "STATEMENT OF REASONS")
	op.shot("operator-response")
	op.do(chromedp.Click(chromedp.ID("response-removed")))
	require.EqualValues(t, http.StatusOK, op.submit("form[action^='/respond/'] button"))
	require.Contains(t, op.text("#replied"), "removed")
	closed := env.WaitCase(caseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "closed" })
	require.Equal(t, "content_removed", closed.Outcome)

	// The reporter sees the outcome.
	b.open(statusURL)
	require.Contains(t, b.text("#case-outcome"), "Content removed")
	require.Contains(t, b.text("main"), "Decision on your report")
	b.phone("reporter-status-phone")
	b.shot("reporter-status-closed")

	// The auditor reads the timeline and downloads the raw history.
	signIn(au, testenv.AuditorKey)
	require.Contains(t, au.text("#cases"), caseID)
	require.EqualValues(t, http.StatusForbidden, au.open("/console/cases/"+caseID), "the case page is the analyst's")
	require.EqualValues(t, http.StatusOK, au.open("/console/cases/"+caseID+"/timeline"))
	tl := au.text("main")
	for _, want := range []string{"Case opened", "Decision: need_info", "analyst analyst-alice", "Reporter answered",
		"Decision: violates", "fired", "Operator answered: removed", "Case closed", "content_removed"} {
		require.Contains(t, tl, want)
	}
	au.shot("audit-timeline")
	events := au.eval(`fetch(document.getElementById("download").href).then(r => r.json()).then(h => String(h.events.length))`)
	require.NotEqual(t, "0", events)
	apiEvents := au.eval(`fetch("/v1/cases/` + caseID + `/history?download=1").then(r => r.json()).then(h => String(h.events.length))`)
	require.Equal(t, events, apiEvents, "the session cookie reads the auditor's API too")

	// Signing out ends the session, also for a copy of its cookie.
	an.submit("form[action='/console/logout'] button")
	require.Contains(t, an.text("main"), "You are signed out")
	req, err := http.NewRequest(http.MethodGet, env.URL+"/console", nil)
	require.NoError(t, err)
	req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
	res, err := noRedirect.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Contains(t, res.Header.Get("Location"), "/console/login")
}

// noRedirect shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
