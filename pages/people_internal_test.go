package pages

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

func renderPage(t *testing.T, name string, data any) string {
	t.Helper()
	p := New(Deps{})
	var b bytes.Buffer
	require.NoError(t, p.tmpl[name].ExecuteTemplate(&b, "layout.html", view{Title: name, Data: data}))
	return b.String()
}

// TestReportSummaryFollowsFieldOrder: the error summary lists problems in
// the order of the form's fields, whatever order intake reports them in.
func TestReportSummaryFollowsFieldOrder(t *testing.T) {
	for _, tc := range []struct {
		name     string
		problems []string
		want     []string
	}{
		{"contact", []string{"description", "reporter.email", "urls[0]"}, []string{"urls", "description", "email"}},
		{"dmca", []string{"copyright.signature", "copyright.accurate_under_penalty", "copyright.good_faith", "copyright.work", "reporter.name"},
			[]string{"work", "good_faith", "accurate_under_penalty", "signature", "name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := reportForm{Category: models.CategoryCopyright, URLs: "bad"}
			f.request()
			var fe []models.FieldError
			for _, p := range tc.problems {
				fe = append(fe, models.FieldError{Field: p, Message: "problem with " + p})
			}
			var got []string
			for _, s := range orderedSummary(f.formErrors(fe)) {
				got = append(got, s.Field)
			}
			require.Equal(t, tc.want, got)
			page := renderPage(t, "report", (&Pages{}).reportData(f, f.formErrors(fe)))
			last := -1
			for _, field := range tc.want {
				i := strings.Index(page, `<li><a href="#`+field+`">`)
				require.Greater(t, i, last, "summary link to %s in form order", field)
				last = i
			}
		})
	}
}

// TestProgressFollowsCasePath: the status page shows only the stages of
// the case's path; a forwarded CDN case is never "under review".
func TestProgressFollowsCasePath(t *testing.T) {
	labels := func(s []step) (out []string, current string) {
		for _, x := range s {
			out = append(out, x.Label)
			if x.Current {
				current = x.Label
			}
		}
		return out, current
	}
	for _, tc := range []struct {
		status  models.Status
		outcome models.Outcome
		svc     models.Service
		want    []string
		current string
	}{
		{models.StatusClosed, models.OutcomeForwarded, models.ServiceCDN, []string{"Received", "Forwarded to the hosting provider", "Closed"}, "Closed"},
		{models.StatusForwarding, models.OutcomeNone, models.ServiceCDN, []string{"Received", "Forwarded to the hosting provider", "Closed"}, "Forwarded to the hosting provider"},
		{models.StatusReceived, models.OutcomeNone, models.ServiceCDN, []string{"Received", "Forwarded to the hosting provider", "Closed"}, "Received"},
		{models.StatusClosed, models.OutcomeNotOurCustomer, models.ServiceNone, []string{"Received", "Answered", "Closed"}, "Closed"},
		{models.StatusClosed, models.OutcomeNoViolation, models.ServiceHosting, []string{"Received", "Under review", "Closed"}, "Closed"},
		{models.StatusAwaitingOperator, models.OutcomeNone, models.ServiceHosting, []string{"Received", "Under review", "Action taken", "Closed"}, "Action taken"},
		{models.StatusClosed, models.OutcomeContentRemoved, models.ServiceHosting, []string{"Received", "Under review", "Action taken", "Closed"}, "Closed"},
	} {
		got, cur := labels(progress(tc.status, tc.outcome, tc.svc))
		require.Equal(t, tc.want, got, "%s/%s", tc.status, tc.outcome)
		require.Equal(t, tc.current, cur, "%s/%s", tc.status, tc.outcome)
	}
}

// TestRespondAfterDisputeSaysNextStepAndDate: after a dispute the page
// says the answer in words, what happens next and the decision date.
func TestRespondAfterDisputeSaysNextStepAndDate(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	due := at.Add(7 * 24 * time.Hour)
	d := respondData{View: desk.OperatorView{CaseID: "C1", Domain: "pages.example", Status: models.StatusDisputed},
		Replied: &models.OperatorReply{Response: "dispute", CreatedAt: at}, DecideBy: &due}
	t1 := answeredTexts["dispute"]
	d.AnswerText, d.NextStep = t1[0], t1[1]
	page := renderPage(t, "respond", d)
	require.Contains(t, page, "you told us <strong>you dispute the decision</strong>")
	require.NotContains(t, page, "<strong>dispute</strong>")
	require.Contains(t, page, `id="next-step"`)
	require.Contains(t, page, "An analyst reviews your dispute")
	require.Contains(t, page, `id="decide-by"`)
	require.Contains(t, page, when(due))
	for _, a := range []string{"removed", "dispute", "counter_notice", "corrected"} {
		require.NotEmpty(t, answeredTexts[a][0], a)
		require.NotEmpty(t, answeredTexts[a][1], a)
	}
}
