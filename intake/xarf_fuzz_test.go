package intake_test

import (
	"net/url"
	"testing"

	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/internal/jsondoc"
	"github.com/abusedesk/abusedesk/mailintake"
)

// FuzzXARF parses and validates X-ARF v4 documents as POST
// /v1/reports/xarf and the mail intake do. It never panics; a document
// that names a key twice in one object is never accepted; every refusal
// names a field; every accepted URL reads back as itself; the document's
// digest does not depend on its spelling.
func FuzzXARF(f *testing.F) {
	f.Add([]byte(`{"xarf_version":"4.0.0","report_id":"r1","reporter":{"org":"O","contact":"c@o.example"},"category":"content","type":"phishing","url":"https://shop.example/x","description":"d"}`))
	f.Add([]byte(`{"xarf_version":"4.0.0","report_id":"r1","reporter":{"contact":"c@o.example","CONTACT":"d@o.example"},"category":"content","type":"phishing","url":"https://[2001:DB8::1]/x"}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		r, problems := mailintake.ParseXARF(doc)
		_ = mailintake.XARFDedupKey(doc)
		if d := mailintake.XARFDigest(doc); d != mailintake.XARFDigest(jsondoc.Canonical(doc)) {
			t.Fatalf("the digest depends on the spelling: %q", doc)
		}
		urls, more := intake.Validate(&r)
		problems = append(problems, more...)
		if len(problems) > 0 {
			for _, p := range problems {
				if p.Field == "" || p.Message == "" {
					t.Fatalf("a problem without field or message: %+v", problems)
				}
			}
			return
		}
		if jsondoc.HasFoldedDuplicate(doc) {
			t.Fatalf("accepted a document that names a key twice: %q", doc)
		}
		for _, n := range urls {
			u, err := url.Parse(n.URL)
			if err != nil || u.String() != n.URL {
				t.Fatalf("accepted URL %q does not read back as itself (%v)", n.URL, err)
			}
		}
	})
}
