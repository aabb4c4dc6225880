package mailintake

// Test messages, built from the published formats: X-ARF v4 field names
// from xarf/xarf-spec (schemas/v4/xarf-core.json and the content and
// copyright type schemas), X-ARF 0.2's YAML report part, RFC 5965's ARF
// layout, and RFC 5322/2045 for the mail around them.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// mimePart is one body part: its header lines and its body.
type mimePart struct {
	header []string
	body   string
}

// buildMail joins header lines and a body with CRLF line ends.
func buildMail(header []string, body string) []byte {
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	return []byte(strings.Join(header, "\r\n") + "\r\n\r\n" + body)
}

// multipartBody writes parts between boundary lines (RFC 2046 section 5.1).
func multipartBody(boundary string, parts ...mimePart) string {
	var b strings.Builder
	b.WriteString("This is a multi-part message in MIME format.\n")
	for _, p := range parts {
		fmt.Fprintf(&b, "--%s\n%s\n\n%s\n", boundary, strings.Join(p.header, "\n"), p.body)
	}
	fmt.Fprintf(&b, "--%s--\n", boundary)
	return b.String()
}

// base64Lines encodes data as base64 wrapped at 76 characters (RFC 2045).
func base64Lines(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}

// xarf4JSON returns an X-ARF v4 document with the core fields and the given
// type-specific fields; a nil value removes a field.
func xarf4JSON(category, typ string, fields map[string]any) []byte {
	doc := map[string]any{
		"xarf_version": "4.0.0",
		"report_id":    "3f1c1a9e-2b7d-4c1e-9a61-0d5a8b7e6f10",
		"timestamp":    "2025-01-11T15:15:24Z",
		"reporter": map[string]any{
			"org":     "Brand Protection Service",
			"contact": "takedown@brand-protect.example",
			"domain":  "brand-protect.example",
		},
		"sender": map[string]any{
			"org":     "Brand Protection Service",
			"contact": "takedown@brand-protect.example",
			"domain":  "brand-protect.example",
		},
		"source_identifier": "203.0.113.45",
		"category":          category,
		"type":              typ,
		"evidence_source":   "automated_scan",
		"evidence": []any{map[string]any{
			"content_type": "image/png",
			"description":  "Screenshot of the page",
			"payload":      base64.StdEncoding.EncodeToString([]byte("\x89PNG fake")),
			"hash":         "sha256:6b7fa434f92a8b80aab02d9bf1a12e49ffcae424e4013a1c4f68b67e3d2bbcd0",
		}},
		"tags": []string{"severity:high"},
	}
	for k, v := range fields {
		if v == nil {
			delete(doc, k)
		} else {
			doc[k] = v
		}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return out
}

const (
	phishURL    = "https://secure-banking-login.cdn-customer.example/auth"
	pirateURL   = "https://streams.cdn-customer.example/show/episode5.mp4"
	phishingID  = "1a5ec293-0849-40a4-9eba-d5926262ff05"
	copyrightID = "c3d4e5f6-a7b8-4012-8def-3456789012bc"
)

func xarf4Phishing() []byte {
	return xarf4JSON("content", "phishing", map[string]any{
		"report_id":    phishingID,
		"url":          phishURL,
		"domain":       "secure-banking-login.cdn-customer.example",
		"target_brand": "Major Bank Corp",
		"description":  "Credential phishing page imitating Major Bank's login",
	})
}

func xarf4Copyright() []byte {
	return xarf4JSON("copyright", "copyright", map[string]any{
		"report_id":         copyrightID,
		"reporter":          map[string]any{"org": "TVB Copyright Department", "contact": "copyright@tvb.example", "domain": "tvb.example"},
		"sender":            map[string]any{"org": "TVB Copyright Department", "contact": "copyright@tvb.example", "domain": "tvb.example"},
		"work_title":        "Popular TV Show S01E05",
		"work_identifier":   "IMDB:tt1234567",
		"rights_holder":     "Television Broadcasting Limited",
		"infringing_url":    pirateURL,
		"infringement_type": "streaming",
		// abusedesk's names for the 512(c)(3) statements (not X-ARF fields).
		"good_faith":             true,
		"accurate_under_penalty": true,
		"signature":              "/Jane Doe/, TVB Copyright Department",
	})
}

// xarf4AttachmentMail carries an X-ARF v4 document as a base64
// application/json attachment of a multipart/mixed mail.
func xarf4AttachmentMail(msgID string, doc []byte, extraHeader ...string) []byte {
	header := append([]string{
		"From: Brand Protection <takedown@brand-protect.example>",
		"To: abuse@abusedesk.test",
		"Subject: X-ARF report " + phishingID,
		"Date: Sat, 11 Jan 2025 15:20:00 +0000",
		"Message-ID: <" + msgID + ">",
		"MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="xarf-boundary"`,
	}, extraHeader...)
	return buildMail(header, multipartBody("xarf-boundary",
		mimePart{[]string{"Content-Type: text/plain; charset=utf-8"}, "Please find our X-ARF v4 report attached."},
		mimePart{[]string{
			`Content-Type: application/json; name="xarf-report.json"`,
			`Content-Disposition: attachment; filename="xarf-report.json"`,
			"Content-Transfer-Encoding: base64",
		}, base64Lines(doc)},
	))
}

// xarf4ReportMail carries an X-ARF v4 document as a part of a
// multipart/report, after a human-readable part.
func xarf4ReportMail(doc []byte, jsonType string) []byte {
	return buildMail([]string{
		"From: TVB Copyright <copyright@tvb.example>",
		"To: copyright@abusedesk.test",
		"Subject: Copyright infringement notice",
		"Date: Sat, 11 Jan 2025 11:55:00 +0000",
		"Message-ID: <notice-77@tvb.example>",
		"MIME-Version: 1.0",
		`Content-Type: multipart/report; report-type=xarf; boundary="rep"`,
	}, multipartBody("rep",
		mimePart{[]string{"Content-Type: text/plain; charset=us-ascii"}, "Copyright notice in X-ARF v4 format follows."},
		mimePart{[]string{"Content-Type: " + jsonType}, string(doc)},
	))
}
