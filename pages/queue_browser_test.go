package pages_test

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
)

// TestBrowserQueueClaimAndBulk (issue 15, the console at volume): the top
// of the queue shows the counts per status and the oldest open case's age;
// the analyst claims a case from its row, filters "mine" and
// "unassigned", ticks two cases (after trying select-all) and decides them
// with one bulk decision, seeing each case's result.
func TestBrowserQueueClaimAndBulk(t *testing.T) {
	an := newBrowser(t, "analyst")
	env := testenv.Start(t, testenv.Options{})
	an.base = env.URL
	var ids []string
	for _, path := range []string{"bank-one", "bank-two", "bank-three"} {
		c := env.File(map[string]any{"category": "phishing", "urls": []string{"https://pages.example/" + path}, "description": "A fake login: " + path,
			"reporter": map[string]any{"name": "Rita", "email": "rita@reporter.example"}, "forward_to_operator": true})
		ids = append(ids, c.CaseID)
	}
	for _, id := range ids {
		env.WaitCase(id, 30*time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "awaiting_analyst" })
	}
	c1, c2, c3 := ids[0], ids[1], ids[2]

	signIn(an, testenv.AnalystKey)
	require.EqualValues(t, http.StatusOK, an.open("/console"))
	open, err := strconv.Atoi(an.text("#open-count"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, open, 3)
	require.Regexp(t, regexp.MustCompile(`^\d+m$|^\d+h \d+m$`), an.text("#oldest-age"))
	require.Contains(t, an.text("#queue-summary li[data-status='awaiting_analyst']"), "awaiting_analyst")

	// Claim c1 from its row; the queue comes back showing the assignee.
	require.EqualValues(t, http.StatusOK, an.submit("#cases button[formaction='/console/cases/"+c1+"/claim']"))
	require.Contains(t, an.text("#cases tr[data-case='"+c1+"'] .assignee"), "analyst-alice")
	require.Contains(t, an.text("#cases tr[data-case='"+c2+"'] .assignee"), "unassigned")

	// Filter "mine", then "unassigned".
	require.EqualValues(t, http.StatusOK, an.submit("#assignee-mine"))
	require.Contains(t, an.location(), "assignee=mine")
	require.Equal(t, "page", an.eval(`document.getElementById("assignee-mine").getAttribute("aria-current")`))
	// Filtering further keeps "mine".
	an.do(chromedp.SetValue(chromedp.ID("category"), "phishing"))
	require.EqualValues(t, http.StatusOK, an.submit("form.filters button"))
	require.Contains(t, an.location(), "assignee=mine")
	require.Equal(t, "1", an.eval(`String(document.querySelectorAll("#cases tbody tr[data-case]").length)`))
	require.Contains(t, an.text("#cases"), c1)
	an.shot("console-queue-mine")
	require.EqualValues(t, http.StatusOK, an.submit("#assignee-none"))
	require.NotContains(t, an.text("#cases"), c1)
	require.Contains(t, an.text("#cases"), c2)

	// The case page says who holds it.
	require.EqualValues(t, http.StatusOK, an.open("/console/cases/"+c1))
	require.Contains(t, an.text("#assignee-name"), "analyst-alice")
	require.Contains(t, an.text("#claim-button"), "Release")

	// Select-all ticks every row; then tick just c1 and c2.
	require.EqualValues(t, http.StatusOK, an.open("/console"))
	rows := an.eval(`String(document.querySelectorAll("#cases input[name=case_id]").length)`)
	an.do(chromedp.Click(chromedp.ID("select-all")))
	require.Equal(t, rows, an.eval(`String(document.querySelectorAll("#cases input[name=case_id]:checked").length)`))
	an.do(chromedp.Click(chromedp.ID("select-all")))
	require.Equal(t, "0", an.eval(`String(document.querySelectorAll("#cases input[name=case_id]:checked").length)`))
	for _, id := range []string{c1, c2} {
		an.do(chromedp.Click(chromedp.CSS("#cases input[name=case_id][value='" + id + "']")))
	}
	an.do(chromedp.SetValue(chromedp.ID("bulk-verdict"), "violates"), chromedp.SetValue(chromedp.ID("bulk-clause"), "phishing_fraud"))
	an.fill("#bulk-reason", "The same phishing kit on each host.")
	an.shot("console-queue-bulk")
	require.EqualValues(t, http.StatusOK, an.submit("#bulk-apply"))
	require.Contains(t, an.text("#bulk-summary"), "2 of 2 cases decided")
	for _, id := range []string{c1, c2} {
		row := an.text("#bulk-results tr[data-case='" + id + "']")
		require.Contains(t, row, "decided")
		require.NotContains(t, row, "not decided")
		require.Contains(t, row, "awaiting_operator", "the state after the decision")
	}
	require.NotContains(t, an.text("#bulk-results"), c3, "only the ticked cases are decided")
	an.shot("console-bulk-results")

	// Deciding the same two again: each case refuses on its own.
	require.EqualValues(t, http.StatusOK, an.open("/console?status=all"))
	for _, id := range []string{c1, c2} {
		an.do(chromedp.Click(chromedp.CSS("#cases input[name=case_id][value='" + id + "']")))
	}
	an.do(chromedp.SetValue(chromedp.ID("bulk-verdict"), "no_violation"))
	require.EqualValues(t, http.StatusUnprocessableEntity, an.submit("#bulk-apply"), "no reason")
	require.Contains(t, an.text("#error-summary"), "Give the reason")
	require.EqualValues(t, http.StatusOK, an.open("/console?status=all"))
	for _, id := range []string{c1, c2} {
		an.do(chromedp.Click(chromedp.CSS("#cases input[name=case_id][value='" + id + "']")))
	}
	an.do(chromedp.SetValue(chromedp.ID("bulk-verdict"), "no_violation"))
	an.fill("#bulk-reason", "Second thoughts.")
	require.EqualValues(t, http.StatusOK, an.submit("#bulk-apply"))
	require.Contains(t, an.text("#bulk-summary"), "0 of 2 cases decided")
	require.Contains(t, an.text("#bulk-results tr[data-case='"+c1+"']"), "not decided (409)")
	env.WaitCase(c3, time.Second, func(cs testenv.CaseJSON) bool { return cs.Status == "awaiting_analyst" })
}
