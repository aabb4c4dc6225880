package links_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/links"
	"github.com/abusedesk/abusedesk/models"
)

// The reporter token is bound to its case and to the secret.
func TestReporterTokenPerCaseAndSecret(t *testing.T) {
	a := links.Links{Secret: []byte("one")}
	b := links.Links{Secret: []byte("two")}
	require.Equal(t, a.ReporterToken("c1"), a.ReporterToken("c1"))
	require.NotEqual(t, a.ReporterToken("c1"), a.ReporterToken("c2"))
	require.NotEqual(t, a.ReporterToken("c1"), b.ReporterToken("c1"))
	require.NotEqual(t, a.ReporterToken("c1"), a.NoticeToken("c1"), "a notice token never opens a status page")
}

// Body and HTML put live links where the stored notice has placeholders,
// also where html/template percent-encoded them inside an href.
func TestLiveLinksReplacePlaceholders(t *testing.T) {
	l := links.Links{PublicURL: "http://desk", Secret: []byte("s")}
	n := models.Notice{ID: "n1", CaseID: "c1",
		BodyText: "answer: " + links.ResponseLinkPlaceholder + "\nstatus: " + links.StatusLinkPlaceholder,
		BodyHTML: `<a href="%5b%5bresponse-link%5d%5d">` + links.ResponseLinkPlaceholder + `</a> <a href="%5b%5bstatus-link%5d%5d">x</a>`}
	respond := "http://desk/respond/n1?token=" + l.NoticeToken("n1")
	status := "http://desk/status/c1?token=" + l.ReporterToken("c1")
	require.Equal(t, respond, l.ResponseURL("n1"))
	require.Equal(t, "answer: "+respond+"\nstatus: "+status, l.Body(n))
	html := l.HTML(n)
	require.NotContains(t, html, "[[")
	require.NotContains(t, html, "%5b%5b")
	require.Equal(t, 2, strings.Count(html, respond))
	require.Contains(t, html, `href="`+status+`"`)
	// A notice without placeholders is unchanged.
	plain := models.Notice{ID: "n2", BodyText: "no links", BodyHTML: "<p>no links</p>"}
	require.Equal(t, "no links", l.Body(plain))
	require.Equal(t, "<p>no links</p>", l.HTML(plain))
}
