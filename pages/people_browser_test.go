package pages_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
)

// TestBrowserReceiptLinkSummaryAndDispute walks what a reporter and an
// operator met: the form's error summary follows the fields' order, the
// receipt mail carries the same status link as the received page, and
// after a dispute the operator's page says the answer in words, the next
// step and the date by which an analyst decides (the case's deadline).
func TestBrowserReceiptLinkSummaryAndDispute(t *testing.T) {
	b := newBrowser(t, "reporter")
	env := testenv.Start(t, testenv.Options{})
	b.base = env.URL
	an, op := b.person("analyst"), b.person("operator")

	require.EqualValues(t, http.StatusOK, b.open("/?category=phishing"))
	b.fill("#urls", "ftp://nope")
	b.fill("#email", "not-an-email")
	require.EqualValues(t, http.StatusUnprocessableEntity, b.submit("main form button[type=submit]"))
	order := b.eval(`Array.from(document.querySelectorAll("#error-summary a")).map(a => a.getAttribute("href")).join(" ")`)
	require.Equal(t, "#urls #description #email", order, "the summary follows the form's fields")

	b.fill("#urls", "https://pages.example/x")
	b.fill("#description", "A fake bank login page.")
	b.fill("#email", "rita@reporter.example")
	require.EqualValues(t, http.StatusOK, b.submit("main form button[type=submit]"))
	caseID := b.text("#case-id")
	statusURL := b.text("#status-link")

	// The receipt carries the status link the received page showed.
	var receipt smtpsink.Message
	require.True(t, env.Sink.WaitFor(30*time.Second, func([]smtpsink.Message) bool {
		for _, m := range env.Sink.To("rita@reporter.example") {
			if strings.Contains(m.Subject, "We received your report") {
				receipt = m
				return true
			}
		}
		return false
	}), "no receipt")
	require.Contains(t, receipt.Body, statusURL)
	link := regexp.MustCompile(`https?://\S+/status/\S+`).FindString(receipt.Body)
	require.Equal(t, statusURL, link)
	require.EqualValues(t, http.StatusOK, b.open(link), "the receipt's link opens the status page")
	require.Contains(t, b.text("h1"), caseID)

	env.WaitCase(caseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_analyst" })
	signIn(an, testenv.AnalystKey)
	an.open("/console/cases/" + caseID)
	an.do(chromedp.SetValue(chromedp.ID("verdict"), "violates"), chromedp.SetValue(chromedp.ID("clause"), "malware"))
	an.fill("#reason", "Credential phishing page.")
	require.EqualValues(t, http.StatusOK, an.submit("form[action$='/decide'] button"))
	env.WaitCase(caseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_operator" })

	require.EqualValues(t, http.StatusOK, op.open(operatorLink(t, env)))
	require.Contains(t, op.text("#notice-body"), "tell us you removed the content or dispute the")
	op.do(chromedp.Click(chromedp.ID("response-dispute")))
	op.fill("#statement", "This is our own bank's login page.")
	require.EqualValues(t, http.StatusOK, op.submit("form[action^='/respond/'] button"))
	require.Contains(t, op.text("#replied"), "you dispute the decision")
	require.NotContains(t, op.text("#replied"), "answered dispute")
	require.Contains(t, op.text("#next-step"), "An analyst reviews your dispute")
	disputed := env.WaitCase(caseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "disputed" })
	require.NotNil(t, disputed.NextDeadline)
	op.open(op.location())
	require.Contains(t, op.text("#decide-by"), disputed.NextDeadline.UTC().Format("2006-01-02 15:04 UTC"))
	op.shot("operator-disputed")
}
