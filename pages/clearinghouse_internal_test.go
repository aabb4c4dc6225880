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

// TestCasePageShowsTheClearinghouseReport: a CSAM case's page says the
// clearinghouse report's id, state and filing time, or that it waits to
// be filed by hand.
func TestCasePageShowsTheClearinghouseReport(t *testing.T) {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	tm := template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/case.html"))
	render := func(ch *desk.ClearinghouseView) string {
		var b bytes.Buffer
		cs := desk.CaseView{CaseID: "Ccsam", Category: models.CategoryCSAM, Status: models.StatusClosed, Clearinghouse: ch}
		require.NoError(t, tm.ExecuteTemplate(&b, "layout.html", view{Title: "Case", Data: caseData{Case: cs}}))
		return b.String()
	}
	filed := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	out := render(&desk.ClearinghouseView{ReportID: "151515", State: models.ClearinghouseFinished, FiledAt: &filed,
		Note: "Filed with the clearinghouse; the reported material is preserved until 2027-03-02 (18 U.S.C. 2258A(h))."})
	require.Contains(t, out, `<span class="mono" id="clearinghouse-report-id">151515</span> · finished · filed 2026-03-02 10:00 UTC`)
	require.Contains(t, out, "preserved until 2027-03-02")
	require.NotContains(t, out, "clearinghouse-filed-form", "nothing to record once filed")

	out = render(&desk.ClearinghouseView{State: models.ClearinghousePrepared, ByHand: true, Note: "Prepared, not filed: no clearinghouse API is configured."})
	require.Contains(t, out, `data-state="prepared">report not filed · prepared`)
	require.Contains(t, out, "no clearinghouse API is configured")
	require.Contains(t, out, `action="/console/cases/Ccsam/clearinghouse-filed"`, "the analyst records the report filed by hand")

	require.NotContains(t, render(nil), `id="clearinghouse"`)
}
