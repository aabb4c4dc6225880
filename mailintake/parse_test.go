package mailintake

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

var testConfig = Config{
	AuthservID: authservID,
	CategoryByAddress: map[string]models.Category{
		"phishing":                 models.CategoryPhishing,
		"Copyright@abusedesk.test": models.CategoryCopyright,
	},
}

func TestDMARCFailed(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    bool
	}{
		{"fail from our server", []string{"mx.abusedesk.test; spf=fail smtp.mailfrom=bank.example; dkim=none; dmarc=fail (p=reject dis=none) header.from=bank.example"}, true},
		{"authserv-id compares without case, with a version", []string{"MX.Abusedesk.Test 1; dmarc=FAIL header.from=bank.example"}, true},
		{"pass from our server", []string{"mx.abusedesk.test; dmarc=pass header.from=bank.example"}, false},
		{"fail from another server is not believed", []string{"mx.evil.example; dmarc=fail header.from=bank.example"}, false},
		{"a forged pass cannot hide our fail", []string{"mx.abusedesk.test; dmarc=pass", "mx.abusedesk.test; dmarc=fail"}, true},
		{"a comment cannot split the value", []string{"mx.abusedesk.test; dkim=pass (good; dmarc=fail) header.d=a.example; dmarc=pass"}, false},
		{"none", []string{"mx.abusedesk.test; none"}, false},
		{"no header", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, dmarcFailed(tt.headers, authservID))
		})
	}
	require.False(t, dmarcFailed([]string{"mx.abusedesk.test; dmarc=fail"}, ""), "no authserv-id configured: nothing believed")
}

func TestExtractURLs(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"see https://a.example/x.", []string{"https://a.example/x"}},
		{"(at https://a.example/x) and again https://a.example/x, and http://b.example/?q=1&r=2!", []string{"https://a.example/x", "http://b.example/?q=1&r=2"}},
		{"defanged hxxps://evil[.]example/login and hxxp://evil(.)example/", []string{"https://evil.example/login", "http://evil.example/"}},
		{`<a href="https://c.example/p?a=1&amp;b=2">click</a>`, []string{"https://c.example/p?a=1&amp;b=2"}},
		{"ftp://x.example/ and mailto:a@b.example and https:// only", nil},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, ExtractURLs(tt.text), tt.text)
	}
	require.Equal(t, []string{"https://c.example/p?a=1&b=2"}, extractHTMLURLs(`<a href="https://c.example/p?a=1&amp;b=2">x</a>`))
}

func TestConfigRecipients(t *testing.T) {
	cfg := Config{Addresses: []string{"abuse@abusedesk.test", "Phishing@abusedesk.test"}, CategoryByAddress: testConfig.CategoryByAddress}
	require.True(t, cfg.Accepts("<ABUSE@abusedesk.test>"))
	require.True(t, cfg.Accepts("phishing@abusedesk.test"))
	require.False(t, cfg.Accepts("postmaster@abusedesk.test"))
	require.True(t, Config{}.Accepts("anyone@anywhere.example"))

	cat, ok := cfg.CategoryFor("phishing@other.test")
	require.True(t, ok, "a local part matches at any domain")
	require.Equal(t, models.CategoryPhishing, cat)
	cat, ok = cfg.CategoryFor("copyright@abusedesk.test")
	require.True(t, ok)
	require.Equal(t, models.CategoryCopyright, cat)
	_, ok = cfg.CategoryFor("copyright@other.test")
	require.False(t, ok, "a full address matches only itself")
}

func TestParseMessageFormats(t *testing.T) {
	t.Run("X-ARF v4 as a text/plain part of a multipart/report", func(t *testing.T) {
		p, err := ParseMessage(xarf4ReportMail(xarf4Phishing(), "text/plain; charset=utf-8"), "abuse@abusedesk.test", testConfig)
		require.NoError(t, err)
		require.Empty(t, p.Problems)
		require.Equal(t, FormatXARF4, p.Format)
		require.Equal(t, models.CategoryPhishing, p.Report.Category)
		require.Equal(t, SourceEmail, p.Report.Source)
	})
	t.Run("X-ARF v4 refused category names why", func(t *testing.T) {
		doc := xarf4JSON("connection", "ddos", map[string]any{"source_identifier": nil})
		p, err := ParseMessage(xarf4AttachmentMail("ddos@x", doc), "abuse@abusedesk.test", testConfig)
		require.NoError(t, err)
		require.Equal(t, FormatXARF4, p.Format)
		require.Len(t, p.Problems, 1)
		require.Contains(t, p.Problems[0].Message, `X-ARF category "connection" is not handled by abusedesk`)
	})
	// Issue 14: a report about an IP address is an IP event, answered as
	// such, not a refusal of its category or of its Source as a URL.
	t.Run("X-ARF v4 about an IP address is an IP report", func(t *testing.T) {
		p, err := ParseMessage(xarf4AttachmentMail("ddos@x", xarf4JSON("connection", "ddos", nil)), "abuse@abusedesk.test", testConfig)
		require.NoError(t, err)
		require.Equal(t, FormatXARF4, p.Format)
		require.Equal(t, []IPEvent{{IP: "203.0.113.45", Time: "2025-01-11T15:15:24Z", Kind: "connection/ddos",
			Evidence: "X-ARF report 3f1c1a9e-2b7d-4c1e-9a61-0d5a8b7e6f10: connection/ddos from Brand Protection Service"}}, p.IPEvents)
		require.Len(t, p.Problems, 1)
		require.Equal(t, IPReportField, p.Problems[0].Field)
		require.Contains(t, p.Problems[0].Message, "reports about IP addresses: 1 row received (203.0.113.45)")
		require.Empty(t, p.Report.URLs)
	})
	t.Run("X-ARF 0.2 about an IP address is an IP report", func(t *testing.T) {
		p, err := ParseMessage(xarf02Mail("login-attack", "ip-address", "192.0.2.7"), "abuse@abusedesk.test", testConfig)
		require.NoError(t, err)
		require.Equal(t, FormatXARF02, p.Format)
		require.Len(t, p.Problems, 1)
		require.Equal(t, IPReportField, p.Problems[0].Field)
		require.Contains(t, p.Problems[0].Message, "1 row received (192.0.2.7)")
		require.Len(t, p.IPEvents, 1)
	})
	t.Run("X-ARF 0.2 with a %YAML 1.2 directive", func(t *testing.T) {
		raw := []byte(strings.Replace(string(xarf02Mail("phishing", "uri", xarf02URL)), "---\r\nReported-From", "%YAML 1.2\r\n---\r\nReported-From", 1))
		require.Contains(t, string(raw), "%YAML 1.2")
		p, err := ParseMessage(raw, "abuse@abusedesk.test", testConfig)
		require.NoError(t, err)
		require.Empty(t, p.Problems)
		require.Equal(t, []string{xarf02URL}, p.Report.URLs)
	})
	t.Run("ARF without Reported-URI takes the original message's links", func(t *testing.T) {
		p, err := ParseMessage(arfMail("abuse", false), "phishing@abusedesk.test", testConfig)
		require.NoError(t, err)
		require.Empty(t, p.Problems)
		require.Equal(t, FormatARF, p.Format)
		require.Equal(t, []string{"http://prize.cdn-customer.example/claim?id=42"}, p.Report.URLs)
		require.Equal(t, models.CategoryPhishing, p.Report.Category, "abuse is 'other', refined by the recipient")
	})
	t.Run("ARF auth-failure is refused", func(t *testing.T) {
		p, err := ParseMessage(arfMail("auth-failure", true), "abuse@abusedesk.test", testConfig)
		require.NoError(t, err)
		require.Len(t, p.Problems, 1)
		require.Equal(t, "category", p.Problems[0].Field)
	})
	t.Run("plain HTML-only mail, no Message-ID", func(t *testing.T) {
		raw := buildMail([]string{"From: carol@reporter.example", "To: abuse@abusedesk.test", "Subject: bad site", "Content-Type: text/html; charset=iso-8859-1"},
			`<p>Caf`+"\xe9"+` <a href="https://bad.cdn-customer.example/a?x=1&amp;y=2">here</a></p>`)
		p, err := ParseMessage(raw, "abuse@abusedesk.test", testConfig)
		require.NoError(t, err)
		require.Empty(t, p.Problems)
		require.Equal(t, []string{"https://bad.cdn-customer.example/a?x=1&y=2"}, p.Report.URLs)
		require.Equal(t, models.CategoryOther, p.Report.Category)
		require.Contains(t, p.Report.Description, "Café")
		require.True(t, strings.HasPrefix(p.DedupKey, "sha256:"))
		again, _ := ParseMessage(append([]byte("Received: from elsewhere\r\n"), raw...), "abuse@abusedesk.test", testConfig)
		require.Equal(t, p.DedupKey, again.DedupKey, "a redelivery with another trace header is the same message")
	})
	t.Run("Reply-To decides where a reply goes", func(t *testing.T) {
		p, err := ParseMessage(plainMail("abuse@abusedesk.test", "r@x", phishingText, "Reply-To: desk@reporter.example"), "abuse@abusedesk.test", testConfig)
		require.NoError(t, err)
		require.Equal(t, "alice@reporter.example", p.From)
		require.Equal(t, "desk@reporter.example", p.ReplyTo)
		require.Equal(t, "msgid:alice@reporter.example/r@x", p.DedupKey)
	})
	t.Run("unreadable header", func(t *testing.T) {
		p, err := ParseMessage([]byte("this is not\r\n a header\r\n\r\nbody"), "abuse@abusedesk.test", testConfig)
		require.Error(t, err)
		require.Len(t, p.Problems, 1)
		require.Equal(t, "message", p.Problems[0].Field)
	})
	t.Run("long descriptions are cut", func(t *testing.T) {
		p, err := ParseMessage(plainMail("abuse@abusedesk.test", "long@x", plainURL+"\n"+strings.Repeat("é", MaxDescriptionBytes)), "abuse@abusedesk.test", testConfig)
		require.NoError(t, err)
		require.LessOrEqual(t, len(p.Report.Description), MaxDescriptionBytes)
		require.True(t, strings.HasSuffix(p.Report.Description, "kept as evidence]"))
	})
}
