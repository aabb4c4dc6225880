package pages

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/console/cases/C1":      "/console/cases/C1",
		"/console?status=closed": "/console?status=closed",
		"//evil.example/console": "/console",
		"https://evil.example/":  "/console",
		"/console\\@evil":        "/console",
		"/consolex":              "/console",
		"":                       "/console",
	} {
		require.Equal(t, want, safeNext(in), in)
	}
}

func TestReportFormErrorsBesideFields(t *testing.T) {
	f := reportForm{Category: models.CategoryCopyright, URLs: "\nhttps://a.example/\n\nftp://b\n"}
	r := f.request()
	require.Equal(t, []string{"https://a.example/", "ftp://b"}, r.URLs)
	require.NotNil(t, r.Copyright)
	require.Nil(t, r.ForwardToOperator, "copyright is always forwarded: no choice sent")
	errs := f.formErrors([]models.FieldError{{Field: "urls[1]", Message: "bad"}, {Field: "reporter.email", Message: "required"},
		{Field: "copyright.signature", Message: "required"}, {Field: "forward_to_operator", Message: "no"}})
	require.Equal(t, fieldErrors{"urls": {"Line 4: bad"}, "email": {"required"}, "signature": {"required"}, "no_forward": {"no"}}, errs)

	phish := reportForm{Category: models.CategoryPhishing, NoForward: true}
	require.False(t, *phish.request().ForwardToOperator)
}

func TestNextContact(t *testing.T) {
	v := desk.ReporterView{Messages: []desk.ReporterNotice{{Body: "Thanks.\n\n" + followUpHead + "\nExample Hosting Co <abuse@hosting.example>\n"}}}
	contacts, _ := nextContact(v)
	require.Equal(t, []string{"Example Hosting Co <abuse@hosting.example>"}, contacts)
	_, next := nextContact(desk.ReporterView{Status: models.StatusClosed, Outcome: models.OutcomeNotOurCustomer})
	require.Contains(t, next, "hosting provider")
}
