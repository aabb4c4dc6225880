package pages_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
)

// TestBrowserAnalystReadsDispute (issue 17): the operator disputes a
// decision through the response page; the analyst who must uphold or
// reverse it reads the operator's statement on the case page, above the
// decision form, and in GET /v1/cases/{id} — the statement's markup as
// text, never run (checkPage fails on any injected script or image).
func TestBrowserAnalystReadsDispute(t *testing.T) {
	an := newBrowser(t, "analyst")
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_OPERATOR_REMINDER_AFTER": "1h"}})
	an.base = env.URL
	op := an.person("operator")
	c := env.File(map[string]any{"category": "phishing", "urls": []string{"https://pages.example/login"}, "description": "A fake bank login.",
		"reporter": map[string]any{"name": "Rita", "email": "rita@reporter.example"}, "forward_to_operator": true})
	env.WaitCase(c.CaseID, 30*time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "awaiting_analyst" })
	require.Equal(t, http.StatusOK, env.Do("POST", "/v1/cases/"+c.CaseID+"/decisions", testenv.AnalystKey,
		map[string]any{"verdict": "violates", "clause": "phishing_fraud", "reason": "Credential phishing page."}, nil))
	env.WaitCase(c.CaseID, 30*time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "awaiting_operator" })

	statement := "This is our customer's own bank, login page approved by them. " + xss
	require.EqualValues(t, http.StatusOK, op.open(operatorLink(t, env)))
	op.do(chromedp.Click(chromedp.ID("response-dispute")))
	op.fill("#statement", statement)
	require.EqualValues(t, http.StatusOK, op.submit("form[action^='/respond/'] button"))
	env.WaitCase(c.CaseID, 30*time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "disputed" })

	signIn(an, testenv.AnalystKey)
	require.EqualValues(t, http.StatusOK, an.open("/console/cases/"+c.CaseID))
	answers := an.text("#operator-answers-section")
	require.Contains(t, answers, "Dispute")
	require.Contains(t, answers, statement, "the analyst reads the operator's own words, markup as text")
	require.Contains(t, answers, "through the notice's response link")
	require.Equal(t, statement, an.eval(`document.querySelector("#operator-answers-section pre.statement").textContent`))
	require.Equal(t, "0", an.eval(`String(document.querySelectorAll("#operator-answers-section script, #operator-answers-section img").length)`))
	// The statement comes before the form that answers it.
	require.Equal(t, "true", an.eval(`String(!!(document.getElementById("operator-answers-section").compareDocumentPosition(
		document.querySelector("form[action$='/decide']")) & Node.DOCUMENT_POSITION_FOLLOWING))`))
	require.Contains(t, an.text("#verdict"), "uphold")
	an.shot("console-case-dispute")

	// The same answer in the case's JSON, read with the analyst's session.
	got := an.eval(`fetch("/v1/cases/` + c.CaseID + `").then(r => r.json()).then(c => JSON.stringify(
		c.notices.filter(n => n.operator_answer).map(n => [n.operator_answer.kind, n.operator_answer.via, n.operator_answer.statement, !!n.operator_answer.answered_at])))`)
	want := `[["dispute","notice_link",` + jsonString(t, statement) + `,true]]`
	require.JSONEq(t, want, got)

	an.do(chromedp.SetValue(chromedp.ID("verdict"), "uphold"))
	an.fill("#reason", "The login form collects another bank's credentials.")
	require.EqualValues(t, http.StatusOK, an.submit("form[action$='/decide'] button"))
	require.Contains(t, an.text("#decision-done"), "uphold")
	require.Contains(t, an.text("#operator-answers-section"), statement, "the answer stays on the case after the decision")

	// The auditor, who reads the timeline and not the case page, reads
	// the same statement there.
	au := an.person("auditor")
	signIn(au, testenv.AuditorKey)
	require.EqualValues(t, http.StatusOK, au.open("/console/cases/"+c.CaseID+"/timeline"))
	tl := au.text("main")
	require.Contains(t, tl, "Operator answered: dispute")
	require.Contains(t, tl, "notice_link: “"+statement+"”")
}

// jsonString is s as a JSON string literal.
func jsonString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	require.NoError(t, err)
	return string(b)
}
