package integration

// Email intake over a real SMTP connection on loopback, with the whole app
// (docs/DESIGN.md step 1: reports also arrive by email, X-ARF, ARF and plain
// mail, and as X-ARF JSON over HTTP; they take the same path). The messages
// are built from the published formats: X-ARF v4 (xarf/xarf-spec
// schemas/v4), X-ARF 0.2's YAML report part, RFC 5965 ARF, RFC 5322 mail.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/temporalserver"
)

// intakeAuthserv is the authserv-id of the "mail server in front".
const intakeAuthserv = "mx.abusedesk.test"

// mailPart is one MIME body part.
type mailPart struct {
	header []string
	body   string
}

// buildMessage joins header lines and a body with CRLF line ends.
func buildMessage(header []string, body string) []byte {
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	return []byte(strings.Join(header, "\r\n") + "\r\n\r\n" + body)
}

// multipart writes parts between boundary lines (RFC 2046 section 5.1).
func multipart(boundary string, parts ...mailPart) string {
	var b strings.Builder
	b.WriteString("This is a multi-part message in MIME format.\n")
	for _, p := range parts {
		fmt.Fprintf(&b, "--%s\n%s\n\n%s\n", boundary, strings.Join(p.header, "\n"), p.body)
	}
	fmt.Fprintf(&b, "--%s--\n", boundary)
	return b.String()
}

// xarf4 is an X-ARF v4 document (core fields of xarf-core.json plus the
// type's fields); a nil value removes a field.
func xarf4(reportID, category, typ string, fields map[string]any) []byte {
	doc := map[string]any{
		"xarf_version": "4.0.0", "report_id": reportID, "timestamp": "2026-11-20T15:15:24Z",
		"reporter":          map[string]any{"org": "Brand Protection Service", "contact": "takedown@brand-protect.example", "domain": "brand-protect.example"},
		"sender":            map[string]any{"org": "Brand Protection Service", "contact": "takedown@brand-protect.example", "domain": "brand-protect.example"},
		"source_identifier": "203.0.113.10", "category": category, "type": typ, "evidence_source": "automated_scan",
		"evidence": []any{map[string]any{"content_type": "image/png", "description": "Screenshot of the page",
			"payload": base64.StdEncoding.EncodeToString([]byte("\x89PNG fake")), "hash": "sha256:6b7fa434f92a8b80aab02d9bf1a12e49ffcae424e4013a1c4f68b67e3d2bbcd0"}},
	}
	for k, v := range fields {
		if v == nil {
			delete(doc, k)
		} else {
			doc[k] = v
		}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}

func xarfPhishing() []byte {
	return xarf4("5b0f3f5e-1d1a-4c55-9a9e-6f2b9a1c0001", "content", "phishing", map[string]any{
		"url": "https://shop.example/secure-login", "target_brand": "Major Bank Corp",
		"description": "Credential phishing page imitating Major Bank's login"})
}

func xarfCopyright() []byte {
	tvb := map[string]any{"org": "TVB Copyright Department", "contact": "copyright@tvb.example", "domain": "tvb.example"}
	return xarf4("c3d4e5f6-a7b8-4012-8def-3456789012bc", "copyright", "copyright", map[string]any{
		"reporter": tvb, "sender": tvb, "work_title": "Popular TV Show S01E05", "work_identifier": "IMDB:tt1234567",
		"rights_holder": "Television Broadcasting Limited", "infringing_url": "https://blog.example/show/episode5.mp4",
		"good_faith": true, "accurate_under_penalty": true, "signature": "/Jane Doe/, TVB Copyright Department"})
}

// xarfAttachmentMail carries an X-ARF v4 document as a base64
// application/json attachment.
func xarfAttachmentMail(msgID string, doc []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(doc)
	var lines []string
	for len(enc) > 76 {
		lines, enc = append(lines, enc[:76]), enc[76:]
	}
	lines = append(lines, enc)
	return buildMessage([]string{
		"Authentication-Results: " + intakeAuthserv + "; spf=pass smtp.mailfrom=brand-protect.example; dmarc=pass header.from=brand-protect.example",
		"From: Brand Protection <takedown@brand-protect.example>", "To: abuse@abusedesk.test",
		"Subject: X-ARF report", "Date: Fri, 20 Nov 2026 15:20:00 +0000", "Message-ID: <" + msgID + ">",
		"MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="xarf-boundary"`,
	}, multipart("xarf-boundary",
		mailPart{[]string{"Content-Type: text/plain; charset=utf-8"}, "Please find our X-ARF v4 report attached."},
		mailPart{[]string{`Content-Type: application/json; name="xarf-report.json"`, `Content-Disposition: attachment; filename="xarf-report.json"`,
			"Content-Transfer-Encoding: base64"}, strings.Join(lines, "\n")},
	))
}

// xarfReportMail carries an X-ARF v4 document in a multipart/report.
func xarfReportMail(doc []byte) []byte {
	return buildMessage([]string{
		"From: TVB Copyright <copyright@tvb.example>", "To: copyright@abusedesk.test",
		"Subject: Copyright infringement notice", "Date: Fri, 20 Nov 2026 11:55:00 +0000",
		"Message-ID: <notice-77@tvb.example>", "MIME-Version: 1.0",
		`Content-Type: multipart/report; report-type=xarf; boundary="rep"`,
	}, multipart("rep",
		mailPart{[]string{"Content-Type: text/plain; charset=us-ascii"}, "Copyright notice in X-ARF v4 format follows."},
		mailPart{[]string{"Content-Type: application/json"}, string(doc)},
	))
}

// xarf02Mail is an X-ARF 0.2 mail: X-ARF: YES, a human part, the YAML
// report as the second part, the evidence as the third.
func xarf02Mail() []byte {
	report := strings.Join([]string{"---", "Reported-From: reports@cert.example", "Category: fraud",
		"Report-Type: phishing", "Service: http", "Version: 0.2", "User-Agent: CERT reporter 1.0",
		"Date: Thu, 19 Nov 2026 10:00:00 +0100", "Source-Type: uri", "Source: http://shop.example/verify",
		"Report-ID: 0815-4711@cert.example", "Attachment: text/plain",
		"Schema-URL: http://www.x-arf.org/schema/fraud_0.1.4.json"}, "\n")
	return buildMessage([]string{
		"From: CERT Example <reports@cert.example>", "To: abuse@abusedesk.test",
		"Subject: abuse report about http://shop.example/verify - phishing",
		"Date: Thu, 19 Nov 2026 10:00:05 +0100", "Message-ID: <xarf02-1@cert.example>", "MIME-Version: 1.0",
		"X-ARF: YES", "Auto-Submitted: auto-generated", `Content-Type: multipart/mixed; boundary="xarf02"`,
	}, multipart("xarf02",
		mailPart{[]string{"Content-Type: text/plain; charset=utf-8"}, "Dear abuse team,\nwe found a phishing site on your network."},
		mailPart{[]string{`Content-Type: text/plain; charset=utf-8; name="report.txt"`}, report},
		mailPart{[]string{"Content-Type: text/plain; charset=utf-8"}, "GET /verify HTTP/1.1 -> 200 (credential form)"},
	))
}

// arfMail is an RFC 5965 feedback report about a fraud mail.
func arfMail() []byte {
	original := strings.Join([]string{"From: <somespammer@example.net>", "To: <user@isp.example>",
		"Subject: You won a prize", "Message-ID: <8787KJKJ3K4J3K4J@example.net>",
		"Date: Thu, 19 Nov 2026 13:59:00 -0500", "", "Claim it now at https://blog.example/claim before it is gone!"}, "\n")
	return buildMessage([]string{
		"From: ISP Feedback Loop <fbl@isp.example>", "To: abuse@abusedesk.test", "Subject: FW: You won a prize",
		"Date: Thu, 19 Nov 2026 14:10:00 -0500", "Message-ID: <arf-1@isp.example>", "MIME-Version: 1.0",
		`Content-Type: multipart/report; report-type=feedback-report; boundary="arf"`,
	}, multipart("arf",
		mailPart{[]string{`Content-Type: text/plain; charset="US-ASCII"`}, "This is an email abuse report for a message received from IP 192.0.2.1."},
		mailPart{[]string{"Content-Type: message/feedback-report"}, strings.Join([]string{"Feedback-Type: fraud",
			"User-Agent: SomeGenerator/1.0", "Version: 1", "Source-IP: 192.0.2.1",
			"Arrival-Date: Thu, 19 Nov 2026 14:00:00 -0500", "Reported-URI: https://blog.example/claim"}, "\n")},
		mailPart{[]string{"Content-Type: message/rfc822", "Content-Disposition: inline"}, original},
	))
}

// plainMail is an ordinary mail; text is its whole body.
func plainMail(from, to, msgID, subject, text string) []byte {
	return buildMessage([]string{"From: " + from, "To: " + to, "Subject: " + subject,
		"Date: Fri, 20 Nov 2026 09:00:00 +0100", "Message-ID: <" + msgID + ">", "MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8"}, text)
}

// sendMail delivers one message over SMTP as a mail server in front would.
func sendMail(t *testing.T, addr, envFrom, rcpt string, msg []byte) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello(intakeAuthserv))
	if err := c.SendMail(envFrom, []string{rcpt}, bytes.NewReader(msg)); err != nil {
		return err
	}
	return c.Quit()
}

// emailCase finds the case of a reporter's email report (one, or fails).
func emailCase(t *testing.T, env *testenv.Env, reporter string) models.Case {
	t.Helper()
	var cs []models.Case
	require.NoError(t, env.App.DB.Where("reporter_email = ?", reporter).Find(&cs).Error)
	require.Len(t, cs, 1, "cases of %s", reporter)
	return cs[0]
}

func TestEmailIntakeOverSMTP(t *testing.T) {
	addr, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_INTAKE_SMTP_ADDR":   addr,
		"ABUSEDESK_INTAKE_ADDRESSES":   "abuse@abusedesk.test,phishing@abusedesk.test,copyright@abusedesk.test",
		"ABUSEDESK_INTAKE_AUTHSERV_ID": intakeAuthserv,
		"ABUSEDESK_INTAKE_MAX_BYTES":   "65536",
	}})

	mails := []struct {
		name, from, rcpt, reporter string
		msg                        []byte
		category, format           string
	}{
		{"X-ARF v4 phishing", "takedown@brand-protect.example", "abuse@abusedesk.test", "takedown@brand-protect.example",
			xarfAttachmentMail("xarf-1@brand-protect.example", xarfPhishing()), "phishing", "xarf4"},
		{"X-ARF v4 copyright", "copyright@tvb.example", "copyright@abusedesk.test", "copyright@tvb.example",
			xarfReportMail(xarfCopyright()), "copyright", "xarf4"},
		{"X-ARF 0.2", "reports@cert.example", "abuse@abusedesk.test", "reports@cert.example", xarf02Mail(), "phishing", "xarf02"},
		{"ARF", "fbl@isp.example", "abuse@abusedesk.test", "fbl@isp.example", arfMail(), "fraud", "arf"},
		{"plain mail", "alice@reporter.example", "phishing@abusedesk.test", "alice@reporter.example",
			plainMail("Alice Example <alice@reporter.example>", "phishing@abusedesk.test", "plain-1@reporter.example",
				"Phishing on your network", "Hello,\n\nhttps://blog.example/paypal-login steals logins. Please take it down.\n\nAlice\n"),
			"phishing", "plain"},
	}
	for _, m := range mails {
		require.NoError(t, sendMail(t, addr, m.from, m.rcpt, m.msg), m.name)
	}
	ids := map[string]string{}
	for _, m := range mails {
		cs := emailCase(t, env, m.reporter)
		ids[m.name] = cs.ID
		require.Equal(t, models.Category(m.category), cs.Category, m.name)
		require.Equal(t, "email", cs.Source, m.name)
		require.False(t, cs.Untrusted, m.name)
		c := env.WaitCase(cs.ID, caseWait, closed)
		require.Equal(t, "forwarded", c.Outcome, m.name)
		var ev intake.Evidence
		require.NoError(t, env.App.DB.First(&ev, "case_id = ?", cs.ID).Error, m.name)
		require.Equal(t, m.format, ev.Format, m.name)
		require.True(t, bytes.HasSuffix(ev.Raw, m.msg), "%s: the message is kept whole, after the Received line", m.name)
		require.True(t, bytes.HasPrefix(ev.Raw, []byte("Received: from "+intakeAuthserv)), m.name)
	}
	// The receipt (DSA Art. 16(4)) reaches each reporter.
	for _, m := range mails {
		waitMail(t, env, m.reporter, ids[m.name], 1)
	}

	// The same report again, by mail and as X-ARF over HTTP: one case.
	require.NoError(t, sendMail(t, addr, "takedown@brand-protect.example", "abuse@abusedesk.test",
		xarfAttachmentMail("xarf-1@brand-protect.example", xarfPhishing())))
	dup := call(t, env, "POST", "/v1/reports/xarf", "", nil, xarfPhishing())
	require.Equal(t, http.StatusAccepted, dup.Code, string(dup.Body))
	var created testenv.Created
	dup.JSON(t, &created)
	require.Equal(t, ids["X-ARF v4 phishing"], created.CaseID, "the X-ARF report id dedups across channels")
	emailCase(t, env, "takedown@brand-protect.example")

	// A mail with nothing to act on: one reply, no case.
	before := caseCount(t, env)
	// Only an authenticated sender is answered (see trust_mail_test.go).
	help := append([]byte("Authentication-Results: "+intakeAuthserv+"; dmarc=pass header.from=reporter.example\r\n"),
		plainMail("Bob <bob@reporter.example>", "abuse@abusedesk.test", "help-1@reporter.example", "help", "Something is wrong on your network, please check.\n")...)
	require.NoError(t, sendMail(t, addr, "bob@reporter.example", "abuse@abusedesk.test", help))
	require.True(t, env.Sink.WaitFor(caseWait, func([]smtpsink.Message) bool { return len(env.Sink.To("bob@reporter.example")) == 1 }))
	reply := env.Sink.To("bob@reporter.example")[0]
	require.Equal(t, "Re: help", reply.Subject)
	require.Contains(t, string(reply.Raw), "Auto-Submitted: auto-replied")
	require.Contains(t, reply.Body, "urls:")
	// Delivered again: still one reply.
	require.NoError(t, sendMail(t, addr, "bob@reporter.example", "abuse@abusedesk.test", help))
	require.Equal(t, before, caseCount(t, env))
	require.Len(t, env.Sink.To("bob@reporter.example"), 1)

	// Too large: 552 during DATA, nothing kept.
	big := plainMail("Carol <carol@reporter.example>", "abuse@abusedesk.test", "big-1@reporter.example", "big",
		"https://shop.example/big\n"+strings.Repeat(strings.Repeat("x", 70)+"\n", 1000))
	err = sendMail(t, addr, "carol@reporter.example", "abuse@abusedesk.test", big)
	var se *smtp.SMTPError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 552, se.Code, se.Message)
	// An address the intake does not serve: 550.
	err = sendMail(t, addr, "carol@reporter.example", "postmaster@abusedesk.test", help)
	require.ErrorAs(t, err, &se)
	require.Equal(t, 550, se.Code, se.Message)
	require.Equal(t, before, caseCount(t, env))

	// DMARC failure reported by our mail server: kept, marked untrusted.
	spoof := append([]byte("Authentication-Results: "+intakeAuthserv+"; spf=fail smtp.mailfrom=bank.example; dmarc=fail header.from=bank.example\r\n"),
		plainMail("Bank <security@bank.example>", "phishing@abusedesk.test", "spoof-1@bank.example", "Phishing",
			"https://shop.example/spoofed is a phishing page.\n")...)
	require.NoError(t, sendMail(t, addr, "security@bank.example", "phishing@abusedesk.test", spoof))
	require.True(t, emailCase(t, env, "security@bank.example").Untrusted)
}

func TestXARFOverHTTP(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})

	r := call(t, env, "POST", "/v1/reports/xarf", "", nil, xarfCopyright())
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	var c testenv.Created
	r.JSON(t, &c)
	require.Equal(t, "received", c.Status)
	require.NotEmpty(t, c.Token)
	cs := env.WaitCase(c.CaseID, caseWait, closed)
	require.Equal(t, "copyright", cs.Category)
	var kept models.Case
	require.NoError(t, env.App.DB.First(&kept, "id = ?", c.CaseID).Error)
	require.Equal(t, "xarf", kept.Source)
	require.Equal(t, "TVB Copyright Department", kept.ReporterName)
	var ev intake.Evidence
	require.NoError(t, env.App.DB.First(&ev, "case_id = ?", c.CaseID).Error)
	require.Equal(t, xarfCopyright(), ev.Raw)

	// Sent again: the same case and token, no Idempotency-Key needed.
	again := call(t, env, "POST", "/v1/reports/xarf", "", nil, xarfCopyright())
	require.Equal(t, http.StatusAccepted, again.Code)
	var c2 testenv.Created
	again.JSON(t, &c2)
	require.Equal(t, c, c2)

	// A category abusedesk does not handle, with no URL and no report id:
	// every problem at once.
	spam := xarf4("", "messaging", "spam", map[string]any{"report_id": nil})
	p := refused(t, call(t, env, "POST", "/v1/reports/xarf", "", nil, spam), http.StatusUnprocessableEntity)
	require.Subset(t, p.Fields(), []string{"report_id", "category", "urls"})
	// A copyright report without the statements (issue 14): accepted as an
	// incomplete complaint naming what it lacks (integration/copyright_test.go).
	bare := xarf4("d1", "copyright", "copyright", map[string]any{"infringing_url": "https://blog.example/x", "work_title": "W"})
	br := call(t, env, "POST", "/v1/reports/xarf", "", nil, bare)
	require.Equal(t, http.StatusAccepted, br.Code, string(br.Body))
	var bc testenv.Created
	br.JSON(t, &bc)
	var incomplete models.Case
	require.NoError(t, env.App.DB.First(&incomplete, "id = ?", bc.CaseID).Error)
	require.True(t, incomplete.CopyrightIncomplete)
	require.Equal(t, "good_faith,accurate_under_penalty,signature", incomplete.CopyrightMissing)
	// Not JSON: 400, as POST /v1/reports answers.
	refused(t, call(t, env, "POST", "/v1/reports/xarf", "", nil, "not json"), http.StatusBadRequest)
	refused(t, call(t, env, "POST", "/v1/reports/xarf", "", nil, "[1,2]"), http.StatusBadRequest)
}
