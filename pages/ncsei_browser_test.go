package pages_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
)

// openNCSEIForm starts abusedesk and a reporter's browser on the report
// form's ncsei category, chosen on the first page.
func openNCSEIForm(t *testing.T) (*browser, *testenv.Env) {
	b := newBrowser(t, "reporter")
	env := testenv.Start(t, testenv.Options{})
	b.base = env.URL
	require.EqualValues(t, http.StatusOK, b.open("/"))
	require.Contains(t, b.text("label[for=category-ncsei]"), "only for intimate images published without consent")
	b.do(chromedp.Click(chromedp.ID("category-ncsei")))
	require.EqualValues(t, http.StatusOK, b.submit("main form button[type=submit]"))
	require.Contains(t, b.location(), "category=ncsei")
	require.Contains(t, b.text("#ncsei legend"), "TAKE IT DOWN Act")
	return b, env
}

// TestBrowserNCSEIRequest: a removal request for an intimate image filed
// through the form (no JavaScript needed) becomes an ncsei case, sent on
// to the operator without the reporter's name (send-anon).
func TestBrowserNCSEIRequest(t *testing.T) {
	b, env := openNCSEIForm(t)
	b.fill("#urls", "https://pages.example/private/photo.jpg")
	b.fill("#description", "A photo of me published by a former partner.")
	b.do(chromedp.Click(chromedp.ID("good_faith_not_consensual")))
	b.fill("#signature", "Jane Roe")
	b.fill("#email", "jane@reporter.example")
	require.EqualValues(t, http.StatusOK, b.submit("main form button[type=submit]"))
	caseID := b.text("#case-id")
	require.NotEmpty(t, caseID)

	c := env.WaitCase(caseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Category != "" })
	require.Equal(t, "ncsei", c.Category)
	var full map[string]any
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases/"+caseID, testenv.AnalystKey, nil, &full))
	require.Equal(t, "send-anon", full["owner_notification"], "the depicted person's identity is withheld by default")
	require.Equal(t, "send-anon", full["host_notification"])
}

// TestBrowserNCSEIRequestWithoutSignature: without the signature the form
// comes back with the error beside the field and every other value kept.
func TestBrowserNCSEIRequestWithoutSignature(t *testing.T) {
	b, _ := openNCSEIForm(t)
	b.fill("#urls", "https://pages.example/private/photo.jpg")
	b.fill("#description", "A photo of me published by a former partner.")
	b.do(chromedp.Click(chromedp.ID("good_faith_not_consensual")))
	b.fill("#email", "jane@reporter.example")
	b.fill("#name", "Jane Roe")
	require.EqualValues(t, http.StatusUnprocessableEntity, b.submit("main form button[type=submit]"))

	require.Contains(t, b.text("#signature-error"), "signature")
	require.Contains(t, b.text("#error-summary"), "TAKE IT DOWN Act, element A")
	require.Equal(t, "https://pages.example/private/photo.jpg", b.value("#urls"))
	require.Equal(t, "A photo of me published by a former partner.", b.value("#description"))
	require.Equal(t, "jane@reporter.example", b.value("#email"))
	require.Equal(t, "Jane Roe", b.value("#name"))
	require.Equal(t, "true", b.eval(`String(document.getElementById("good_faith_not_consensual").checked)`))
	require.Empty(t, b.value("#signature"))
	require.Equal(t, "0", b.eval(`String(document.querySelectorAll("#good_faith_not_consensual-error").length)`))
	b.phone("report-ncsei-phone")
	b.shot("report-ncsei-errors")

	// Then signed, it goes through.
	b.fill("#signature", "Jane Roe")
	require.EqualValues(t, http.StatusOK, b.submit("main form button[type=submit]"))
	require.NotEmpty(t, b.text("#case-id"))
}
