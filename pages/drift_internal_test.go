package pages

import (
	"bytes"
	"html/template"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/desk"
)

// TestDriftTemplateMarksDriftingSenders renders the senders page's
// template as pages.New parses it: a drifting sender is marked, with its
// reason, and the sender's text is escaped.
func TestDriftTemplateMarksDriftingSenders(t *testing.T) {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	tm := template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/drift.html"))
	at := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	d := sendersData{Drifting: 1, Senders: []desk.SenderView{
		{Sender: "brand-protect.example", Format: "plain", Mails: 1, Empty: 1, Recent: "e", Drifting: true, DriftAt: &at,
			DriftReason: "its mails made cases recently (xarf4: 3 of the last 3); this plain mail parsed to no URL and no IP row: urls: none",
			LastProblem: "urls: none <b>", LastProblemAt: &at},
		{Sender: "unauthenticated:x.example", Format: "arf", Mails: 2, Cases: 2, Recent: "cc", URLsPerMail: 1.5},
	}}
	var b bytes.Buffer
	require.NoError(t, tm.ExecuteTemplate(&b, "layout.html", view{Title: "Senders", Data: d}))
	out := b.String()
	require.Contains(t, out, `1 sender format drifting`)
	require.Contains(t, out, `<tr class="drifting csam">`)
	require.Contains(t, out, `brand-protect.example <span class="badge">DRIFTING</span>`)
	require.Contains(t, out, "this plain mail parsed to no URL and no IP row")
	require.Contains(t, out, "urls: none &lt;b&gt;")
	require.Contains(t, out, "<td data-label=\"URLs per mail\">1.5</td>")
	require.NotContains(t, out, "unauthenticated:x.example <span")
}
