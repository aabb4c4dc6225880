package pages_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
)

// TestBrowserAnalystDecision (issue 15, analyst): the queue's filter labels
// stay on one line; a violates decision without a clause is refused beside
// the clause field; phishing has its own clause; right after "Send
// decision" the page shows the state the decision led to (no reload), with
// no decision form; the timeline names the operator's timers.
func TestBrowserAnalystDecision(t *testing.T) {
	an := newBrowser(t, "analyst")
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_OPERATOR_REMINDER_AFTER": "1h"}})
	an.base = env.URL
	c := env.File(map[string]any{"category": "phishing", "urls": []string{"https://pages.example/login"}, "description": "A fake bank login.",
		"reporter": map[string]any{"name": "Rita", "email": "rita@reporter.example"}, "forward_to_operator": true})
	env.WaitCase(c.CaseID, 30*time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "awaiting_analyst" })

	signIn(an, testenv.AnalystKey)
	// Every filter label is one line: as tall as the shortest one.
	require.Equal(t, "1", an.eval(`String(new Set(Array.from(document.querySelectorAll("form.filters label")).map(l => l.getBoundingClientRect().height)).size)`),
		"a filter label wraps")
	require.Equal(t, "1", an.eval(`String(new Set(Array.from(document.querySelectorAll("form.filters .field > :last-child")).map(e => Math.round(e.getBoundingClientRect().bottom))).size)`),
		"the filter controls line up")

	require.EqualValues(t, http.StatusOK, an.open("/console/cases/"+c.CaseID))
	require.Equal(t, "", an.value("#clause"), "no clause is chosen for the analyst")
	require.Equal(t, "true", an.eval(`String(document.getElementById("clause").required)`))
	an.do(chromedp.SetValue(chromedp.ID("verdict"), "violates"))
	an.fill("#reason", "Credential phishing page.")
	require.EqualValues(t, http.StatusUnprocessableEntity, an.submit("form[action$='/decide'] button"))
	require.Contains(t, an.text("#clause-error"), "Choose the terms clause")

	require.Contains(t, an.text("#clause"), "phishing_fraud: phishing, scams and fraud")
	an.do(chromedp.SetValue(chromedp.ID("verdict"), "violates"), chromedp.SetValue(chromedp.ID("clause"), "phishing_fraud"))
	require.EqualValues(t, http.StatusOK, an.submit("form[action$='/decide'] button"))
	require.Contains(t, an.text("#decision-done"), "violates")
	require.Contains(t, an.text("#case-status"), "awaiting_operator", "the page shows the state after the decision")
	require.Contains(t, an.text("#deadline"), "operator_response")
	require.Contains(t, an.text("#no-decision"), "No decision is asked of an analyst now")
	require.Equal(t, "0", an.eval(`String(document.querySelectorAll("form[action$='/decide']").length)`))
	require.Contains(t, an.text("main"), "violates (phishing_fraud)")

	// The timer is set once the workflow task that recorded the status
	// completes: look until it shows.
	var page string
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		require.EqualValues(t, http.StatusOK, an.open("/console/cases/"+c.CaseID+"/timeline"))
		if page = an.text("main"); strings.Contains(page, "Timer set") {
			break
		}
	}
	require.Contains(t, page, "Timer set: the operator's reminder, 1h")
	require.NotRegexp(t, `Timer \d`, page)
	an.shot("console-case-decided")
}
