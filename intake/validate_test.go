package intake

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

func valid() models.ReportRequest {
	return models.ReportRequest{Category: models.CategoryPhishing, URLs: []string{"https://shop.example/login"},
		Description: "fake login", Reporter: models.Reporter{Name: "R", Email: "r@r.example"}}
}

func fields(errs []models.FieldError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

func TestValidate(t *testing.T) {
	no := false
	for _, tc := range []struct {
		name   string
		mutate func(r *models.ReportRequest)
		want   []string
	}{
		{"valid", func(r *models.ReportRequest) {}, nil},
		{"unknown category", func(r *models.ReportRequest) { r.Category = "spam" }, []string{"category"}},
		{"missing category", func(r *models.ReportRequest) { r.Category = "" }, []string{"category"}},
		{"no URL", func(r *models.ReportRequest) { r.URLs = nil }, []string{"urls"}},
		{"malformed URL", func(r *models.ReportRequest) { r.URLs = []string{"https://shop.example/ok", "http://[::1"} }, []string{"urls[1]"}},
		{"not http", func(r *models.ReportRequest) { r.URLs = []string{"ftp://shop.example/x"} }, []string{"urls[0]"}},
		{"URL without a host", func(r *models.ReportRequest) { r.URLs = []string{"https:///path"} }, []string{"urls[0]"}},
		{"missing reporter email", func(r *models.ReportRequest) { r.Reporter.Email = "" }, []string{"reporter.email"}},
		{"bad reporter email", func(r *models.ReportRequest) { r.Reporter.Email = "not-an-address" }, []string{"reporter.email"}},
		{"missing description", func(r *models.ReportRequest) { r.Description = " " }, []string{"description"}},
		{"copyright missing every element", func(r *models.ReportRequest) {
			r.Category = models.CategoryCopyright
			r.Reporter.Name = ""
		}, []string{"copyright", "reporter.name"}},
		{"copyright statements false", func(r *models.ReportRequest) {
			r.Category = models.CategoryCopyright
			r.Copyright = &models.CopyrightClaim{}
		}, []string{"copyright.accurate_under_penalty", "copyright.good_faith", "copyright.signature", "copyright.work"}},
		{"copyright cannot opt out", func(r *models.ReportRequest) {
			r.Category = models.CategoryCopyright
			r.ForwardToOperator = &no
			r.Copyright = &models.CopyrightClaim{Work: "w", GoodFaith: true, AccurateUnderPenalty: true, Signature: "s"}
		}, []string{"forward_to_operator"}},
		{"csam may be anonymous", func(r *models.ReportRequest) {
			r.Category = models.CategoryCSAM
			r.Reporter = models.Reporter{}
		}, nil},
		{"everything wrong at once", func(r *models.ReportRequest) {
			*r = models.ReportRequest{Category: "nope", URLs: []string{"bad"}}
		}, []string{"category", "description", "reporter.email", "urls[0]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := valid()
			tc.mutate(&r)
			_, errs := Validate(&r)
			require.Equal(t, tc.want, fields(errs), "%v", errs)
			for _, e := range errs {
				require.NotEmpty(t, e.Message)
			}
		})
	}
}

func TestValidateNormalisesIDNAndDeduplicates(t *testing.T) {
	r := valid()
	r.URLs = []string{"https://Bücher.example/a?b=1", "https://xn--bcher-kva.example/a?b=1", "https://shop.example:8443/x"}
	urls, errs := Validate(&r)
	require.Empty(t, errs)
	require.Equal(t, []NormalizedURL{
		{URL: "https://xn--bcher-kva.example/a?b=1", Host: "xn--bcher-kva.example"},
		{URL: "https://shop.example:8443/x", Host: "shop.example"},
	}, urls)
}

func TestValidateURLLimit(t *testing.T) {
	r := valid()
	r.URLs = make([]string, MaxURLs+1)
	for i := range r.URLs {
		r.URLs[i] = "https://shop.example/" + strings.Repeat("a", 3)
	}
	_, errs := Validate(&r)
	require.Equal(t, []string{"urls"}, fields(errs))
}
