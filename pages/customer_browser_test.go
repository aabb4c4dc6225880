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

// caseMitigationsJSON is GET /v1/cases/{id}/mitigations, as far as the
// tests read it.
type caseMitigationsJSON struct {
	Mitigations []struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		EntityID   string `json:"entity_id"`
		Status     string `json:"status"`
		AccountID  string `json:"account_id"`
		ReviewDone string `json:"review_decision"`
		Appeal     *struct {
			Reason    string `json:"reason"`
			Statement string `json:"statement"`
		} `json:"appeal"`
	} `json:"mitigations"`
}

// issueCustomerKey has the admin issue an account key (POST
// /v1/admin/api-keys) and returns it.
func issueCustomerKey(t *testing.T, env *testenv.Env, name, account string) string {
	t.Helper()
	var k struct {
		Key string `json:"key"`
	}
	require.Equal(t, http.StatusCreated, env.Do("POST", "/v1/admin/api-keys", testenv.AdminKey,
		map[string]any{"name": name, "role": "customer", "account": account}, &k))
	require.NotEmpty(t, k.Key)
	return k.Key
}

// portalSignIn signs a customer in through the portal's sign-in page.
func portalSignIn(b *browser, key string) {
	b.t.Helper()
	b.open("/portal")
	require.Contains(b.t, b.location(), "/portal/login")
	b.fill("#account_key", key)
	require.EqualValues(b.t, http.StatusOK, b.submit("form[action='/portal/login'] button"))
}

// TestBrowserCustomerPortal (issue 17; docs/DESIGN.md "Mitigations"): a
// violates decision on hosted phishing disables the page (the Mitigation
// workflow records it); the customer signs in to the portal with the
// account key an admin issued, finds the report by its filters, opens it
// (summary, the mitigation in words with its effective date, the mail
// sent with its delivery state), appeals the mitigation and sees it in
// review; a second account's customer gets 404 for the report; the
// analyst reads the appeal's reason and statement on the case page next
// to the review form and in the API, and lifts it; the customer sees it
// lifted. The statement's markup stays text (checkPage).
func TestBrowserCustomerPortal(t *testing.T) {
	cu := newBrowser(t, "customer")
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_OPERATOR_REMINDER_AFTER": "1h"}})
	cu.base = env.URL
	pagesKey, shopKey := issueCustomerKey(t, env, "pages-customer", "acct-hosted"), issueCustomerKey(t, env, "shop-customer", "acct-cdn")

	c := env.File(map[string]any{"category": "phishing", "urls": []string{"https://pages.example/login"}, "description": "A fake bank login.",
		"reporter": map[string]any{"name": "Rita", "email": "rita@reporter.example"}, "forward_to_operator": true})
	env.WaitCase(c.CaseID, 30*time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "awaiting_analyst" })
	require.Equal(t, http.StatusOK, env.Do("POST", "/v1/cases/"+c.CaseID+"/decisions", testenv.AnalystKey,
		map[string]any{"verdict": "violates", "clause": "phishing_fraud", "reason": "Credential phishing page."}, nil))
	env.WaitCase(c.CaseID, 30*time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "awaiting_operator" })
	var ms caseMitigationsJSON
	require.Eventually(t, func() bool {
		ms = caseMitigationsJSON{}
		return env.Do("GET", "/v1/cases/"+c.CaseID+"/mitigations", testenv.AnalystKey, nil, &ms) == http.StatusOK &&
			len(ms.Mitigations) == 1 && ms.Mitigations[0].Status == "active"
	}, 30*time.Second, 100*time.Millisecond, "the violation's mitigation is recorded and active")
	mid := ms.Mitigations[0].ID

	// The customer signs in and finds the report by its filters.
	portalSignIn(cu, pagesKey)
	require.Equal(t, env.URL+"/portal", cu.location())
	require.Contains(t, cu.text("header.site"), "acct-hosted")
	row := "#reports tr[data-report='" + c.CaseID + "']"
	require.Contains(t, cu.text(row), "pages.example")
	require.Contains(t, cu.text(row), "Phishing")
	cu.do(chromedp.SetValue(chromedp.ID("type"), "PHISH"), chromedp.SetValue(chromedp.ID("mitigation_status"), "active"))
	cu.fill("#domain", "pages.example")
	require.EqualValues(t, http.StatusOK, cu.submit("#filter-apply"))
	require.Contains(t, cu.location(), "mitigation_status=active")
	require.Equal(t, "1", cu.eval(`String(document.querySelectorAll("#reports tr[data-report]").length)`))
	cu.shot("portal-reports")
	cu.do(chromedp.SetValue(chromedp.ID("type"), "DMCA"))
	require.EqualValues(t, http.StatusOK, cu.submit("#filter-apply"))
	require.Equal(t, "0", cu.eval(`String(document.querySelectorAll("#reports tr[data-report]").length)`))
	require.Contains(t, cu.text("#reports"), "No report matches")
	require.EqualValues(t, http.StatusUnprocessableEntity, cu.open("/portal?created_after=yesterday"))
	require.Contains(t, cu.text("#error-summary"), "YYYY-MM-DD")

	// One report: the summary, the mitigation in words, the mail.
	require.EqualValues(t, http.StatusOK, cu.open("/portal"))
	require.EqualValues(t, http.StatusOK, cu.submit(row+" a"))
	require.Contains(t, cu.location(), "/portal/reports/"+c.CaseID)
	require.Equal(t, "1", cu.text("#summary li[data-tile=active] strong"))
	require.Equal(t, "1", cu.text("#summary li[data-tile=accepted_url_count] strong"))
	card := "#mitigation-" + mid
	require.Contains(t, cu.text(card), "Access disabled")
	require.Contains(t, cu.text(card), "Covers the page https://pages.example/login")
	require.Contains(t, cu.text(card), "Active")
	require.Regexp(t, `Effective \d{4}-\d\d-\d\d \d\d:\d\d UTC`, cu.text(card+" .effective"))
	require.Contains(t, cu.text("#emails"), "owner@pages.example")
	require.Contains(t, cu.text("#emails"), "(you)")
	require.NotEmpty(t, cu.eval(`document.querySelector("#emails .delivery").dataset.state`))
	require.Contains(t, cu.text("#report-urls"), "https://pages.example/login")
	cu.shot("portal-report")

	// The appeal: nothing ticked is refused beside the fields; then filed.
	require.EqualValues(t, http.StatusUnprocessableEntity, cu.submit("#appeal-submit"))
	require.Contains(t, cu.text("#error-summary"), "Tick the mitigations you appeal.")
	require.Contains(t, cu.text("#error-summary"), "Choose why you appeal.")
	statement := "This is our customer's own bank, the login page is theirs. " + xss
	cu.do(chromedp.Click(chromedp.CSS(card+" input[name=mitigation_id]")), chromedp.Click(chromedp.ID("reason-misclassified")))
	cu.fill("#statement", statement)
	cu.shot("portal-appeal-form")
	require.EqualValues(t, http.StatusOK, cu.submit("#appeal-submit"))
	require.Contains(t, cu.text("#appeal-done"), "appeal of 1 mitigation is filed")
	require.Equal(t, "in_review", cu.eval(`document.querySelector("`+card+`").dataset.status`))
	require.Contains(t, cu.text(card), "In review")
	require.Contains(t, cu.text(card), "The report is wrong")
	require.Equal(t, statement, cu.eval(`document.querySelector("`+card+` .mit-appeal pre").textContent`))
	require.Equal(t, "0", cu.eval(`String(document.querySelectorAll("`+card+` input[name=mitigation_id]").length)`), "no second appeal")
	require.Equal(t, "1", cu.text("#summary li[data-tile=in_review] strong"))
	cu.shot("portal-report-in-review")
	cu.phone("portal-report-phone")

	// The abuse contact.
	require.EqualValues(t, http.StatusOK, cu.open("/portal/contact"))
	cu.fill("#email", "not an address")
	require.EqualValues(t, http.StatusUnprocessableEntity, cu.submit("#contact-save"))
	require.NotEmpty(t, cu.text("#email-error"))
	cu.fill("#email", "abuse@pages.example")
	require.EqualValues(t, http.StatusOK, cu.submit("#contact-save"))
	require.Contains(t, cu.text("#contact-saved"), "Saved")
	require.Contains(t, cu.text("#contact-now"), "abuse@pages.example")
	cu.shot("portal-contact")

	// Another account's customer: the report is not there.
	other := cu.person("other-customer")
	portalSignIn(other, shopKey)
	require.NotContains(t, other.text("#reports"), c.CaseID)
	require.EqualValues(t, http.StatusNotFound, other.open("/portal/reports/"+c.CaseID))
	require.Contains(t, other.text("#portal-error"), "no such report")
	require.EqualValues(t, http.StatusNotFound, other.open("/portal/reports/no-such-report"))

	// Staff keys do not open the portal, and a customer key not the console.
	an := cu.person("analyst")
	signIn(an, testenv.AnalystKey)
	require.EqualValues(t, http.StatusForbidden, an.open("/portal"))
	require.EqualValues(t, http.StatusForbidden, cu.open("/console"))

	// The analyst finds the appeal in the list of appeals to review and
	// reads it next to the form that answers it.
	require.EqualValues(t, http.StatusOK, an.open("/console/appeals"))
	require.Contains(t, an.text("#appeals tr[data-mitigation='"+mid+"']"), "misclassified")
	an.shot("console-appeals")
	require.EqualValues(t, http.StatusOK, an.submit("#appeals tr[data-mitigation='"+mid+"'] a"))
	require.Contains(t, an.location(), "/console/cases/"+c.CaseID)
	sec := "#mitigations-section " + card
	require.Contains(t, an.text(sec+" .appeal-reason"), "misclassified")
	require.Equal(t, statement, an.eval(`document.querySelector("`+sec+` pre.appeal-statement").textContent`))
	require.Equal(t, "true", an.eval(`String(!!(document.querySelector("`+sec+` pre.appeal-statement").compareDocumentPosition(
		document.querySelector("`+sec+` form.review-form")) & Node.DOCUMENT_POSITION_FOLLOWING))`), "the statement comes before the form")
	require.Contains(t, an.text(sec+" form.review-form"), "Uphold")
	require.Contains(t, an.text(sec+" form.review-form"), "Lift")
	an.shot("console-case-appeal")
	got := an.eval(`fetch("/v1/cases/` + c.CaseID + `/mitigations").then(r => r.json()).then(j => JSON.stringify(
		j.mitigations.map(m => [m.status, m.appeal && m.appeal.reason, m.appeal && m.appeal.statement])))`)
	require.JSONEq(t, `[["in_review","misclassified",`+jsonString(t, statement)+`]]`, got)

	require.EqualValues(t, http.StatusOK, an.open("/console/cases/"+c.CaseID+"/timeline"))
	tl := an.text("main")
	require.Contains(t, tl, "Customer appealed mitigation "+mid)
	require.Contains(t, tl, "“"+statement+"”", "the appeal's statement in the timeline, as text")
	require.Contains(t, tl, "Mitigation "+mid+" recorded: content_disabled")
	require.EqualValues(t, http.StatusOK, an.open("/console/cases/"+c.CaseID))

	// A review without a decision is refused beside its form; then lifted.
	require.EqualValues(t, http.StatusUnprocessableEntity, an.submit(sec+" form.review-form button"))
	require.Contains(t, an.text("#review-refusal"), "Choose uphold or lift")
	an.do(chromedp.Click(chromedp.ID("review-" + mid + "-lift")))
	an.fill("#review-note-"+mid, "The page is the customer's own bank's.")
	require.EqualValues(t, http.StatusOK, an.submit(sec+" form.review-form button"))
	require.Contains(t, an.text("#review-done"), "lift")
	require.Equal(t, "removed", an.eval(`document.querySelector("`+sec+`").dataset.status`))
	require.Contains(t, an.text(sec), "review: lift")
	require.Contains(t, an.text(sec+" .appeal-statement"), "own bank", "the appeal stays on the case after the review")

	// The customer sees it lifted.
	require.EqualValues(t, http.StatusOK, cu.open("/portal/reports/"+c.CaseID))
	require.Contains(t, cu.text(card), "Lifted")
	require.True(t, strings.Contains(cu.text("#summary li[data-tile=active] strong"), "0"))

	// Signing out ends the session.
	require.EqualValues(t, http.StatusOK, cu.submit("form[action='/portal/logout'] button"))
	require.Contains(t, cu.location(), "/portal/login?out=1")
	cu.open("/portal")
	require.Contains(t, cu.location(), "/portal/login")
}

// TestBrowserAnalystReadsCounterNotice (issue 17): the operator's DMCA
// counter-notice, filed through the response page, is on the case page
// with its statements (material, perjury, jurisdiction, name, signature),
// in GET /v1/cases/{id} and in the timeline, its markup as text.
func TestBrowserAnalystReadsCounterNotice(t *testing.T) {
	an := newBrowser(t, "analyst")
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_OPERATOR_REMINDER_AFTER": "1h"}})
	an.base = env.URL
	op := an.person("operator")
	c := env.File(map[string]any{"category": "copyright", "urls": []string{"https://pages.example/song"}, "description": "My song, copied.",
		"reporter": map[string]any{"name": "Rita", "email": "rita@reporter.example"}, "forward_to_operator": true,
		"copyright": map[string]any{"work": "My Song", "good_faith": true, "accurate_under_penalty": true, "signature": "/Rita/"}})
	env.WaitCase(c.CaseID, 30*time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "awaiting_analyst" })
	require.Equal(t, http.StatusOK, env.Do("POST", "/v1/cases/"+c.CaseID+"/decisions", testenv.AnalystKey,
		map[string]any{"verdict": "violates", "clause": "ip", "reason": "A copy of the song."}, nil))
	env.WaitCase(c.CaseID, 30*time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "awaiting_operator" })

	statement := "The song is ours: we licensed it. " + xss
	require.EqualValues(t, http.StatusOK, op.open(operatorLink(t, env)))
	op.do(chromedp.Click(chromedp.ID("response-counter_notice")))
	op.fill("#statement", statement)
	op.fill("#material_identified", "the song page at https://pages.example/song")
	op.fill("#name", "Owen Operator")
	op.fill("#address", "1 Example Road")
	op.fill("#phone", "+1 555 0100")
	op.fill("#signature", "/Owen Operator/")
	op.do(chromedp.Click(chromedp.ID("under_penalty_of_perjury")), chromedp.Click(chromedp.ID("consent_to_jurisdiction")))
	require.EqualValues(t, http.StatusOK, op.submit("form[action^='/respond/'] button"))
	env.WaitCase(c.CaseID, 30*time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "counter_notice_wait" })

	signIn(an, testenv.AnalystKey)
	require.EqualValues(t, http.StatusOK, an.open("/console/cases/"+c.CaseID))
	sec := "#operator-answers-section article[data-kind='counter_notice']"
	require.Contains(t, an.text(sec+" .answer-kind"), "DMCA counter-notice")
	require.Equal(t, statement, an.eval(`document.querySelector("`+sec+` pre.statement").textContent`))
	cn := an.text(sec + " .counter-notice")
	for _, want := range []string{"the song page at https://pages.example/song", "stated", "given", "Owen Operator", "/Owen Operator/"} {
		require.Contains(t, cn, want)
	}
	an.shot("console-case-counter-notice")

	got := an.eval(`fetch("/v1/cases/` + c.CaseID + `").then(r => r.json()).then(c => JSON.stringify(
		c.notices.filter(n => n.operator_answer).map(n => [n.operator_answer.kind, n.operator_answer.statement,
			n.operator_answer.counter_notice.name, n.operator_answer.counter_notice.under_penalty_of_perjury])))`)
	require.JSONEq(t, `[["counter_notice",`+jsonString(t, statement)+`,"Owen Operator",true]]`, got)

	require.EqualValues(t, http.StatusOK, an.open("/console/cases/"+c.CaseID+"/timeline"))
	tl := an.text("main")
	require.Contains(t, tl, "Operator answered: counter_notice")
	require.Contains(t, tl, "“"+statement+"”")
}
