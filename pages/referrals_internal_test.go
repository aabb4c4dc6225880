package pages

import (
	"bytes"
	"html/template"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

func pageTemplate(t *testing.T, name string) *template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	return template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html"))
}

// TestReportFormEmergency: the form has the emergency checkbox, keeps it
// ticked when the form comes back, and files it with the report.
func TestReportFormEmergency(t *testing.T) {
	f := reportForm{Category: models.CategoryViolentThreat, URLs: "https://a.example/x", Description: "d", Emergency: true}
	require.True(t, f.request().Emergency)
	f.Emergency = false
	require.False(t, f.request().Emergency)

	var b bytes.Buffer
	p := &Pages{}
	d := p.reportData(reportForm{Category: models.CategoryViolentThreat, Emergency: true}, fieldErrors{})
	require.NoError(t, pageTemplate(t, "report").ExecuteTemplate(&b, "layout.html", view{Title: "Report", Data: d}))
	require.Contains(t, b.String(), `<input type="checkbox" id="emergency" name="emergency" value="yes" checked>`)
	require.Contains(t, b.String(), "Someone's life or safety is in immediate danger")
}

// TestCasePageShowsEmergencyAndReferrals: the case page shows the
// emergency badge and the case's referrals with their times, and the
// referral form with the configured member states only.
func TestCasePageShowsEmergencyAndReferrals(t *testing.T) {
	tm := pageTemplate(t, "case")
	at := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	sent := at.Add(time.Minute)
	render := func(cs desk.CaseView, states []string) string {
		var b bytes.Buffer
		require.NoError(t, tm.ExecuteTemplate(&b, "layout.html", view{Title: "Case", Data: caseData{Case: cs, ThreatStates: states}}))
		return b.String()
	}
	cs := desk.CaseView{CaseID: "C1", Category: models.CategoryViolentThreat, Status: models.StatusAwaitingAnalyst, Emergency: true,
		Referrals: []desk.ReferralView{{MemberState: "DE", Authority: "lka@polizei.example", By: "ana", RequestedAt: at, SentAt: &sent, Urgent: true}}}
	out := render(cs, []string{"DE", "FR"})
	require.Contains(t, out, `id="emergency-badge">Emergency</span>`)
	require.Contains(t, out, `<strong>DE</strong> · lka@polizei.example · requested 2026-12-06 08:00 UTC by ana · urgent · sent 2026-12-06 08:01 UTC`)
	require.Contains(t, out, `action="/console/cases/C1/referrals"`)
	require.Contains(t, out, `<option value="FR">FR</option>`)

	cs.Emergency, cs.Referrals = false, nil
	out = render(cs, nil)
	require.NotContains(t, out, "emergency-badge")
	require.NotContains(t, out, "referral-form")
	require.Contains(t, out, "No authority is configured")
}

// TestQueueShowsEmergencyBadge: an emergency case carries its badge in the
// queue.
func TestQueueShowsEmergencyBadge(t *testing.T) {
	var b bytes.Buffer
	d := queueData{Cases: []models.Case{{ID: "C1", Category: models.CategoryViolentThreat, Emergency: true, CreatedAt: time.Now()},
		{ID: "C2", Category: models.CategoryPhishing, CreatedAt: time.Now()}}}
	require.NoError(t, pageTemplate(t, "queue").ExecuteTemplate(&b, "layout.html", view{Title: "Queue", Data: d}))
	require.Contains(t, b.String(), `<tr class="emergency" data-case="C1">`)
	require.Contains(t, b.String(), `<span class="badge emergency"`)
	require.Contains(t, b.String(), `<tr data-case="C2">`)
}
