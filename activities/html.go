package activities

import (
	"bytes"
	htmltemplate "html/template"
	"strings"

	"github.com/abusedesk/abusedesk/links"
)

var htmlTemplates = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/*.html.tmpl"))

type htmlLine struct {
	Text string
	Link string
}

// renderHTML renders the HTML alternative of a notice from its text body:
// every character escaped by html/template, URLs on their own made links.
func renderHTML(subject, text string) (string, error) {
	var paras [][]htmlLine
	for _, block := range strings.Split(strings.TrimSpace(text), "\n\n") {
		var p []htmlLine
		for _, l := range strings.Split(block, "\n") {
			t := strings.TrimSpace(l)
			if (strings.HasPrefix(t, "https://") || strings.HasPrefix(t, "http://") || t == links.ResponseLinkPlaceholder || t == links.StatusLinkPlaceholder) && !strings.ContainsAny(t, " \t") {
				p = append(p, htmlLine{Text: t, Link: t})
				continue
			}
			p = append(p, htmlLine{Text: l})
		}
		paras = append(paras, p)
	}
	var b bytes.Buffer
	err := htmlTemplates.ExecuteTemplate(&b, "notice.html", struct {
		Subject    string
		Paragraphs [][]htmlLine
	}{subject, paras})
	return b.String(), err
}
