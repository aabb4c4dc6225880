package server

import (
	"net/url"
	"testing"

	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/internal/jsondoc"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// FuzzReportJSON decodes and validates report bodies as POST /v1/reports
// does. It never panics; a body that names a key twice in one object (as
// encoding/json matches keys, ignoring case) is never accepted; every
// refusal names a field and says why; every accepted URL reads back as
// itself, with the host that intake matched.
func FuzzReportJSON(f *testing.F) {
	f.Add([]byte(`{"category":"phishing","urls":["https://shop.example/x"],"description":"d","reporter":{"name":"R","email":"r@reporter.example"}}`))
	f.Add([]byte(`{"category":"phishing","category":"csam","urls":["https://[2001:DB8::1]/x"],"description":"d","reporter":{"email":"r@reporter.example"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, problems, err := decodeReport(body)
		if err != nil {
			_, errs := statusOf(err)
			requireFields(t, errs)
			return
		}
		urls, more := intake.Validate(&r)
		problems = append(problems, more...)
		if len(problems) > 0 {
			requireFields(t, problems)
			return
		}
		if jsondoc.HasFoldedDuplicate(body) {
			t.Fatalf("accepted a body that names a key twice: %q", body)
		}
		for _, u := range urls {
			requireRoundTrip(t, u)
		}
	})
}

// requireFields requires every problem to name its field and say why.
func requireFields(t *testing.T, ps []models.FieldError) {
	t.Helper()
	if len(ps) == 0 {
		t.Fatal("a refusal without problems")
	}
	for _, p := range ps {
		if p.Field == "" || p.Message == "" {
			t.Fatalf("a problem without field or message: %+v", ps)
		}
	}
}

// requireRoundTrip requires a normalised URL to parse back to itself, with
// the host it was matched by.
func requireRoundTrip(t *testing.T, n intake.NormalizedURL) {
	t.Helper()
	u, err := url.Parse(n.URL)
	if err != nil {
		t.Fatalf("accepted URL %q does not parse: %v", n.URL, err)
	}
	if u.String() != n.URL {
		t.Fatalf("accepted URL %q reads back as %q", n.URL, u.String())
	}
	host, err := store.NormalizeHost(u.Hostname())
	if err != nil || host != n.Host {
		t.Fatalf("accepted URL %q has host %q, matched as %q (%v)", n.URL, u.Hostname(), n.Host, err)
	}
}
