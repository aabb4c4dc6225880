package pages_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
)

// xss is reporter-supplied text that would run if a page did not escape
// it; checkPage fails the test if window.__xss is ever set or an image or
// inline script appears.
const xss = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`

// TestBrowserXSSShownAsText files a copyright notice whose every text is
// markup and follows it through every page, down to the operator's DMCA
// counter-notice: the markup always shows as text and never runs.
func TestBrowserXSSShownAsText(t *testing.T) {
	b := newBrowser(t, "reporter")
	env := testenv.Start(t, testenv.Options{})
	b.base = env.URL
	an, op := b.person("analyst"), b.person("operator")

	// The form, refused for a missing signature, keeps the markup as text.
	require.EqualValues(t, http.StatusOK, b.open("/?category=copyright"))
	b.fill("#urls", "https://pages.example/song")
	b.fill("#description", "My song. "+xss)
	b.fill("#work", "Song "+xss)
	b.fill("#name", "Mallory "+xss)
	b.fill("#email", "mallory@reporter.example")
	b.fill("#organization", xss)
	b.do(chromedp.Click(chromedp.ID("good_faith")), chromedp.Click(chromedp.ID("accurate_under_penalty")))
	require.EqualValues(t, http.StatusUnprocessableEntity, b.submit("main form button[type=submit]"))
	require.Contains(t, b.text("#signature-error"), "signature")
	require.Equal(t, "My song. "+xss, b.value("#description"))
	require.Equal(t, xss, b.value("#organization"))
	b.fill("#signature", xss)
	require.EqualValues(t, http.StatusOK, b.submit("main form button[type=submit]"))
	caseID, statusURL := b.text("#case-id"), b.text("#status-link")
	env.WaitCase(caseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_analyst" })

	b.open(statusURL)
	require.Contains(t, b.text("#description"), xss)

	// The analyst's queue and case page; the decision's reason is markup too.
	signIn(an, testenv.AnalystKey)
	an.open("/console/cases/" + caseID)
	require.Contains(t, an.text("#description"), xss)
	require.Contains(t, an.text("#reporter"), "Mallory "+xss)
	require.Contains(t, an.text("#copyright"), "Song "+xss)
	an.do(chromedp.SetValue(chromedp.ID("verdict"), "violates"), chromedp.SetValue(chromedp.ID("clause"), "ip"))
	an.fill("#reason", "Infringing. "+xss)
	require.EqualValues(t, http.StatusOK, an.submit("form[action$='/decide'] button"))
	env.WaitCase(caseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_operator" })
	an.open("/console/cases/" + caseID + "/timeline")
	require.Contains(t, an.text("main"), "Infringing. "+xss)

	// The operator's page shows the notice as text and takes a DMCA
	// counter-notice only with its required statements.
	require.EqualValues(t, http.StatusOK, op.open(operatorLink(t, env)))
	require.Contains(t, op.text("#notice-body"), "Infringing. "+xss)
	op.do(chromedp.Click(chromedp.ID("response-counter_notice")))
	require.EqualValues(t, http.StatusUnprocessableEntity, op.submit("form[action^='/respond/'] button"))
	for _, f := range []string{"material_identified", "under_penalty_of_perjury", "consent_to_jurisdiction", "name", "address", "phone", "signature"} {
		require.NotEmpty(t, op.text("#"+f+"-error"), f)
	}
	op.shot("operator-counter-notice-errors")
	op.fill("#statement", xss)
	op.fill("#material_identified", "the song page "+xss)
	op.fill("#name", "Owen Operator "+xss)
	op.fill("#address", "1 Example Road")
	op.fill("#phone", "+1 555 0100")
	op.fill("#signature", "Owen "+xss)
	op.do(chromedp.Click(chromedp.ID("under_penalty_of_perjury")), chromedp.Click(chromedp.ID("consent_to_jurisdiction")))
	require.EqualValues(t, http.StatusOK, op.submit("form[action^='/respond/'] button"))
	require.Contains(t, op.text("#replied"), "you sent a DMCA counter-notice")
	env.WaitCase(caseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "counter_notice_wait" })

	// The complainant reads the counter-notice, as text.
	b.open(statusURL)
	require.Contains(t, b.text("main"), "Owen Operator "+xss)
	an.open("/console?status=all")
	require.Contains(t, an.text("#cases"), caseID)
}
