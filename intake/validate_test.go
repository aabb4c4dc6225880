package intake

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/mailintake"
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
		{"copyright statements false on the form", func(r *models.ReportRequest) {
			r.Category = models.CategoryCopyright
			r.Source = SourceForm
			r.Copyright = &models.CopyrightClaim{}
		}, []string{"copyright.accurate_under_penalty", "copyright.good_faith", "copyright.signature", "copyright.work"}},
		// Issue 14: elsewhere the statements may be missing (an incomplete
		// complaint, CopyrightMissing); the work never may.
		{"copyright statements false by API", func(r *models.ReportRequest) {
			r.Category = models.CategoryCopyright
			r.Copyright = &models.CopyrightClaim{}
		}, []string{"copyright.work"}},
		{"copyright without statements by X-ARF", func(r *models.ReportRequest) {
			r.Category = models.CategoryCopyright
			r.Source = "xarf"
			r.Copyright = &models.CopyrightClaim{Work: "Song"}
		}, nil},
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

func TestCheckURLAndNamedProblems(t *testing.T) {
	u, why := CheckURL(" https://Bücher.example/a ")
	require.Empty(t, why)
	require.Equal(t, NormalizedURL{URL: "https://xn--bcher-kva.example/a", Host: "xn--bcher-kva.example"}, u)
	_, why = CheckURL("http://*MUNGED*/")
	require.NotEmpty(t, why)

	r := valid()
	r.URLs = []string{"https://a.example/x", "http://*MUNGED*/robots.txt", "https://b.example/y"}
	got, refused := usableURLs(r)
	require.Equal(t, []string{"https://a.example/x", "https://b.example/y"}, got.URLs, "the good URLs still make the case")
	require.Len(t, refused, 1)
	require.Equal(t, "urls", refused[0].Field)
	require.Contains(t, refused[0].Message, `"http://*MUNGED*/robots.txt" is not usable`)
	require.Contains(t, got.Description, "Not taken from the report:")

	r.URLs = []string{"https://a.example/x", "ftp://b.example/"}
	_, problems := Validate(&r)
	named := namedURLProblems(r, problems)
	require.Equal(t, "urls", named[0].Field)
	require.Contains(t, named[0].Message, `"ftp://b.example/"`, "named by the text the sender wrote, never urls[1]")
}

// TestRealCorpusOutcomes runs the real-mail corpus (mailintake/testdata/
// real) through the parser and this validation, as the email intake does,
// and checks the targets on the final outcome: every sample the
// parser makes a report of is valid here; the X-ARF copyright reports,
// which carry no 512(c)(3) statements, are accepted as incomplete
// complaints naming the missing elements (CopyrightMissing).
func TestRealCorpusOutcomes(t *testing.T) {
	paths, err := filepath.Glob("../mailintake/testdata/real/*/*")
	require.NoError(t, err)
	sort.Strings(paths)
	count := map[string]int{}
	for _, path := range paths {
		base := filepath.Base(path)
		if base == "SOURCE" || base == "expected.json" {
			continue
		}
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		if strings.HasSuffix(base, ".json") {
			raw = jsonAttachmentMail(raw)
		}
		p, err := mailintake.ParseMessage(raw, "abuse@provider.example", mailintake.Config{})
		require.NoError(t, err)
		switch {
		case len(p.IPEvents) > 0 && len(p.Problems) > 0 && p.Problems[0].Field == mailintake.IPReportField:
			count["ip report"]++
			continue
		case len(p.Problems) > 0:
			count["refused by the parser"]++
			continue
		}
		r, _ := usableURLs(p.Report)
		_, problems := Validate(&r)
		require.Empty(t, problems, path)
		if p.Report.Category == models.CategoryCopyright && strings.Contains(path, "xarf-spec-v4") {
			require.Equal(t, []string{"good_faith", "accurate_under_penalty", "signature"}, CopyrightMissing(&r), path)
			count["copyright accepted as an incomplete complaint"]++
			continue
		}
		count["case"]++
	}
	t.Logf("corpus outcomes: %v", count)
	// The outcome of the 159 samples; a new sample changes these numbers
	// on purpose (and its directory's expected.json in mailintake).
	require.Equal(t, map[string]int{"case": 40, "ip report": 99, "refused by the parser": 16,
		"copyright accepted as an incomplete complaint": 4}, count)
}

// jsonAttachmentMail sends an X-ARF document as a mail attachment.
func jsonAttachmentMail(doc []byte) []byte {
	return []byte("From: reports@sender.example\r\nTo: abuse@provider.example\r\nSubject: report\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n" +
		"--b\r\nContent-Type: application/json\r\nContent-Disposition: attachment; filename=\"report.json\"\r\n\r\n" +
		string(doc) + "\r\n--b--\r\n")
}
