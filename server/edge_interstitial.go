package server

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/models"
)

// interstitialPage is the warning an edge node shows instead of content
// behind a phishing_interstitial or misleading_interstitial. A phishing
// warning has no way on; a misleading one has a continue link that serves
// the content (docs/DESIGN.md "Mitigations", the edge).
var interstitialPage = template.Must(template.New("interstitial").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title></head>
<body><main id="interstitial" data-type="{{.Type}}">
<h1>{{.Title}}</h1>
<p>{{.Text}}</p>
<p>Address: <code>{{.URL}}</code></p>
{{if .Continue}}<p><a id="continue" href="{{.Continue}}">I understand the risk, continue to the page</a></p>
{{else}}<p id="no-continue">This page is not shown: there is no way on from here.</p>
{{end}}<p><a href="{{.Statement}}" rel="blocked-by">Why is this page restricted?</a></p>
</main></body></html>
`))

type interstitialData struct {
	Type                                  models.MitigationType
	Title, Text, URL, Continue, Statement string
}

// interstitial answers 200 with the warning page (the content itself is
// not served; the X-Abusedesk-Mitigation header names the type for
// machines).
func interstitial(c echo.Context, t models.MitigationType, contentURL, continueURL, statement string) error {
	d := interstitialData{Type: t, URL: contentURL, Continue: continueURL, Statement: statement,
		Title: "Warning: this page may mislead you",
		Text:  "This page has been reported and found to be misleading. Check who runs it before you trust it or enter anything."}
	if t == models.MitigationPhishingInterstitial {
		d.Title = "Warning: suspected phishing"
		d.Text = "This page has been reported and found to be phishing: it imitates another site to steal passwords, payment details or other personal information."
		d.Continue = ""
	}
	var b bytes.Buffer
	if err := interstitialPage.Execute(&b, d); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, b.Bytes())
}
