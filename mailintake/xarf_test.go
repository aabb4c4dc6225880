package mailintake

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

func TestParseXARFMapsContentAndCopyright(t *testing.T) {
	tests := []struct {
		name     string
		doc      []byte
		category models.Category
		urls     []string
		check    func(t *testing.T, r models.ReportRequest)
	}{
		{"content/phishing", xarf4Phishing(), models.CategoryPhishing, []string{phishURL},
			func(t *testing.T, r models.ReportRequest) {
				require.Equal(t, models.Reporter{Name: "Brand Protection Service", Email: "takedown@brand-protect.example", Organization: "Brand Protection Service"}, r.Reporter)
				require.Contains(t, r.Description, "Credential phishing page")
				require.Contains(t, r.Description, "Target brand: Major Bank Corp")
				require.Contains(t, r.Description, phishingID)
				require.Nil(t, r.Copyright)
				require.Equal(t, SourceXARF, r.Source)
			}},
		{"source_identifier that is a URL is reported too",
			xarf4JSON("content", "phishing", map[string]any{"url": phishURL, "source_identifier": "https://other.cdn-customer.example/x"}),
			models.CategoryPhishing, []string{phishURL, "https://other.cdn-customer.example/x"}, nil},
		{"content/malware", xarf4JSON("content", "malware", map[string]any{"url": "http://dl.cdn-customer.example/setup.exe", "malware_family": "Trojan.Win32.Generic"}),
			models.CategoryMalware, []string{"http://dl.cdn-customer.example/setup.exe"},
			func(t *testing.T, r models.ReportRequest) { require.Contains(t, r.Description, "Trojan.Win32.Generic") }},
		{"content/csam", xarf4JSON("content", "csam", map[string]any{"url": "https://img.cdn-customer.example/a"}),
			models.CategoryCSAM, []string{"https://img.cdn-customer.example/a"}, nil},
		{"content/csem", xarf4JSON("content", "csem", map[string]any{"url": "https://img.cdn-customer.example/b"}),
			models.CategoryCSAM, []string{"https://img.cdn-customer.example/b"}, nil},
		{"content/fraud", xarf4JSON("content", "fraud", map[string]any{"url": "https://invest.cdn-customer.example/", "scheme_description": "Fake crypto fund"}),
			models.CategoryFraud, []string{"https://invest.cdn-customer.example/"},
			func(t *testing.T, r models.ReportRequest) { require.Contains(t, r.Description, "Fake crypto fund") }},
		{"content/brand_infringement", xarf4JSON("content", "brand_infringement", map[string]any{"url": "https://store.cdn-customer.example/", "affected_brand": "Apple Inc."}),
			models.CategoryTrademark, []string{"https://store.cdn-customer.example/"}, nil},
		{"content/exposed_data", xarf4JSON("content", "exposed_data", map[string]any{"url": "http://db.cdn-customer.example:8080/dump.sql"}),
			models.CategoryPersonalInformation, []string{"http://db.cdn-customer.example:8080/dump.sql"}, nil},
		{"an unknown content type is left for triage", xarf4JSON("content", "defacement", map[string]any{"url": "https://site.cdn-customer.example/"}),
			models.CategoryOther, []string{"https://site.cdn-customer.example/"}, nil},
		{"copyright/copyright with the statements", xarf4Copyright(), models.CategoryCopyright, []string{pirateURL},
			func(t *testing.T, r models.ReportRequest) {
				require.Equal(t, &models.CopyrightClaim{
					Work:                 "Popular TV Show S01E05 (IMDB:tt1234567), rights holder: Television Broadcasting Limited",
					GoodFaith:            true,
					AccurateUnderPenalty: true,
					Signature:            "/Jane Doe/, TVB Copyright Department",
				}, r.Copyright)
				require.Equal(t, "copyright@tvb.example", r.Reporter.Email)
			}},
		{"copyright without statements leaves them to validation",
			xarf4JSON("copyright", "cyberlocker", map[string]any{"infringing_url": pirateURL, "work_title": "Protected Movie 2024"}),
			models.CategoryCopyright, []string{pirateURL},
			func(t *testing.T, r models.ReportRequest) {
				require.Equal(t, &models.CopyrightClaim{Work: "Protected Movie 2024"}, r.Copyright)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, problems := ParseXARF(tt.doc)
			require.Empty(t, problems)
			require.Equal(t, tt.category, r.Category)
			require.Equal(t, tt.urls, r.URLs)
			require.True(t, r.Category.Valid())
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestParseXARFRefusals(t *testing.T) {
	tests := []struct {
		name    string
		doc     []byte
		field   string
		message string
	}{
		{"connection", xarf4JSON("connection", "ddos", nil), "category",
			`X-ARF category "connection" is not handled by abusedesk: it reports network activity`},
		{"messaging", xarf4JSON("messaging", "spam", nil), "category", `X-ARF category "messaging" is not handled by abusedesk: `},
		{"vulnerability", xarf4JSON("vulnerability", "cve", nil), "category", `X-ARF category "vulnerability" is not handled by abusedesk: `},
		{"infrastructure", xarf4JSON("infrastructure", "botnet", nil), "category", `X-ARF category "infrastructure" is not handled by abusedesk: `},
		{"reputation", xarf4JSON("reputation", "blocklist", nil), "category", `X-ARF category "reputation" is not handled by abusedesk: `},
		{"unknown category", xarf4JSON("weather", "rain", nil), "category", `X-ARF category "weather" is not handled by abusedesk: it is not an X-ARF v4 category`},
		{"no category", xarf4JSON("", "phishing", map[string]any{"url": phishURL}), "category", "category is required"},
		{"not JSON", []byte("Reported-From: a@b.example"), "body", "not an X-ARF v4 JSON document"},
		{"not v4", xarf4JSON("content", "phishing", map[string]any{"url": phishURL, "xarf_version": "3.0.0"}), "xarf_version", `xarf_version must be 4.x`},
		{"no report_id", xarf4JSON("content", "phishing", map[string]any{"url": phishURL, "report_id": nil}), "report_id", "report_id is required"},
		{"content without url", xarf4JSON("content", "phishing", nil), "urls", "the report names no URL"},
		{"p2p has no URL", xarf4JSON("copyright", "p2p", map[string]any{"work_title": "Movie"}), "urls", "infringing_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := ParseXARF(tt.doc)
			require.Len(t, problems, 1, "%v", problems)
			require.Equal(t, tt.field, problems[0].Field)
			require.Contains(t, problems[0].Message, tt.message)
		})
	}
}

func TestXARFReportIDAndDedupKey(t *testing.T) {
	require.Equal(t, phishingID, XARFReportID(xarf4Phishing()))
	require.Equal(t, "", XARFReportID([]byte("not json")))
	require.Equal(t, "xarf:takedown@brand-protect.example/"+phishingID, XARFDedupKey(xarf4Phishing()))
	require.Equal(t, "", XARFDedupKey(xarf4JSON("content", "phishing", map[string]any{"report_id": nil})))
}
