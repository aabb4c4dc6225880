package mailintake

import "strings"

const (
	xarf02URL = "http://login-bank.cdn-customer.example/verify"
	arfURL    = "http://shop.cdn-customer.example/fake-offer"
	plainURL  = "https://paypa1-login.cdn-customer.example/signin"
	// authservID is the authserv-id of the test's "mail server in front".
	authservID = "mx.abusedesk.test"
)

// xarf02Mail is an X-ARF 0.2 mail: header X-ARF: YES, a human-readable
// first part, the YAML report as the second part (report.txt), and the
// evidence as the third.
func xarf02Mail(reportType, sourceType, source string) []byte {
	report := strings.Join([]string{
		"---",
		"Reported-From: reports@cert.example",
		"Category: fraud",
		"Report-Type: " + reportType,
		"Service: http",
		"Version: 0.2",
		"User-Agent: CERT reporter 1.0",
		"Date: Thu, 02 Jan 2025 10:00:00 +0100",
		"Source-Type: " + sourceType,
		"Source: " + source,
		"Report-ID: 0815-4711@cert.example",
		"Attachment: text/plain",
		"Schema-URL: http://www.x-arf.org/schema/fraud_0.1.4.json",
	}, "\n")
	return buildMail([]string{
		"From: CERT Example <reports@cert.example>",
		"To: abuse@abusedesk.test",
		"Subject: abuse report about " + source + " - " + reportType,
		"Date: Thu, 02 Jan 2025 10:00:05 +0100",
		"Message-ID: <xarf02-1@cert.example>",
		"MIME-Version: 1.0",
		"X-ARF: YES",
		"Auto-Submitted: auto-generated",
		`Content-Type: multipart/mixed; boundary="xarf02"`,
	}, multipartBody("xarf02",
		mimePart{[]string{"Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"},
			"Dear abuse team,\nwe found a phishing site on your network. Details below."},
		mimePart{[]string{`Content-Type: text/plain; charset=utf-8; name="report.txt"`, "Content-Transfer-Encoding: 7bit"}, report},
		mimePart{[]string{"Content-Type: text/plain; charset=utf-8"}, "GET /verify HTTP/1.1 -> 200 (credential form)"},
	))
}

// arfMail is an ARF report (RFC 5965): multipart/report;
// report-type=feedback-report with a human-readable part, the
// message/feedback-report part and the original message.
func arfMail(feedbackType string, reportedURI bool) []byte {
	fields := []string{
		"Feedback-Type: " + feedbackType,
		"User-Agent: SomeGenerator/1.0",
		"Version: 1",
		"Original-Mail-From: <somespammer@example.net>",
		"Original-Rcpt-To: <user@isp.example>",
		"Arrival-Date: Thu, 8 Mar 2025 14:00:00 -0500",
		"Source-IP: 192.0.2.1",
	}
	if reportedURI {
		fields = append(fields, "Reported-URI: "+arfURL)
	}
	original := strings.Join([]string{
		"From: <somespammer@example.net>",
		"To: <user@isp.example>",
		"Subject: You won a prize",
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=us-ascii",
		"Content-Transfer-Encoding: quoted-printable",
		"Message-ID: <8787KJKJ3K4J3K4J3K4J3.mail@example.net>",
		"Date: Thu, 8 Mar 2025 13:59:00 -0500",
		"",
		"Claim it now at http://prize.cdn-customer.example/claim?id=3D42 before it is gone=",
		" !",
	}, "\n")
	return buildMail([]string{
		"From: ISP Feedback Loop <fbl@isp.example>",
		"To: abuse@abusedesk.test",
		"Subject: FW: You won a prize",
		"Date: Thu, 8 Mar 2025 14:10:00 -0500",
		"Message-ID: <arf-1@isp.example>",
		"MIME-Version: 1.0",
		`Content-Type: multipart/report; report-type=feedback-report; boundary="part1_13d.2e68ed54_boundary"`,
	}, multipartBody("part1_13d.2e68ed54_boundary",
		mimePart{[]string{`Content-Type: text/plain; charset="US-ASCII"`, "Content-Transfer-Encoding: 7bit"},
			"This is an email abuse report for an email message received from IP 192.0.2.1 on Thu, 8 Mar 2025."},
		mimePart{[]string{"Content-Type: message/feedback-report"}, strings.Join(fields, "\n")},
		mimePart{[]string{"Content-Type: message/rfc822", "Content-Disposition: inline"}, original},
	))
}

// plainMail is an ordinary mail with a text and an HTML alternative; extra
// header lines come first, as a mail server in front adds them.
func plainMail(to, msgID, text string, extraHeader ...string) []byte {
	header := append(extraHeader,
		"From: Alice Example <alice@reporter.example>",
		"To: "+to,
		"Subject: Phishing site impersonating PayPal",
		"Date: Mon, 13 Jan 2025 09:00:00 +0100",
	)
	if msgID != "" {
		header = append(header, "Message-ID: <"+msgID+">")
	}
	header = append(header, "MIME-Version: 1.0", `Content-Type: multipart/alternative; boundary="alt"`)
	return buildMail(header, multipartBody("alt",
		mimePart{[]string{"Content-Type: text/plain; charset=utf-8"}, text},
		mimePart{[]string{"Content-Type: text/html; charset=utf-8"}, "<p>" + text + "</p>"},
	))
}

// phishingText names the phishing URL defanged, as reporters often write it.
const phishingText = "Hello,\n\nthis page steals PayPal logins: hxxps://paypa1-login.cdn-customer[.]example/signin\nPlease take it down.\n\nAlice"

// emptyMail has no body at all: nothing to report. Extra header lines come
// first, as a mail server in front adds them.
func emptyMail(msgID string, extraHeader ...string) []byte {
	return buildMail(append(extraHeader,
		"From: Bob <bob@reporter.example>",
		"To: abuse@abusedesk.test",
		"Subject: help",
		"Date: Mon, 13 Jan 2025 10:00:00 +0100",
		"Message-ID: <"+msgID+">",
	), "")
}
