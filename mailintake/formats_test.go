package mailintake

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// echelonWithURL is the first IP-Echelon sample of the corpus with its
// item given a URL instead of the P2P download: an ACNS notice about
// content at a URL.
func echelonWithURL(t *testing.T) []byte {
	raw, err := os.ReadFile("testdata/real/abuseio-ip-echelon/ip-echelon_sample1.eml")
	require.NoError(t, err)
	return bytes.Replace(raw, []byte("<FileSize>1253775203</FileSize>"),
		[]byte("<FileSize>1253775203</FileSize>\n   <URL>https://files.cdn-customer.example/mi5.mkv</URL>"), 1)
}

func TestACNSNoticeWithURLIsCopyrightCaseOnTheURL(t *testing.T) {
	p, err := ParseMessage(echelonWithURL(t), "abuse@abusedesk.test", Config{})
	require.NoError(t, err)
	require.Equal(t, FormatACNS, p.Format)
	require.Empty(t, p.Problems)
	require.Empty(t, p.IPEvents, "an item with a URL is content at the URL, not an IP report")
	require.Equal(t, []string{"https://files.cdn-customer.example/mi5.mkv"}, p.Report.URLs)
	require.Equal(t, models.CategoryCopyright, p.Report.Category)
	require.Equal(t, &models.CopyrightClaim{Work: "Mission: Impossible - Rogue Nation", GoodFaith: true,
		AccurateUnderPenalty: true, Signature: "IP-Echelon - Compliance"}, p.Report.Copyright)
	require.Equal(t, "copyright@ip-echelon.com", p.Report.Reporter.Email)
	require.Contains(t, p.CategoryBy, "acns")
}

func TestACNSP2PNoticeIsAnIPReport(t *testing.T) {
	raw, err := os.ReadFile("testdata/real/abuseio-ip-echelon/ip-echelon_sample1.eml")
	require.NoError(t, err)
	p, err := ParseMessage(raw, "abuse@abusedesk.test", Config{})
	require.NoError(t, err)
	require.Equal(t, []IPEvent{{IP: "192.168.2.200", Port: "35657", Time: "2015-11-13T20:35:03Z", Kind: "p2p BitTorrent",
		Evidence: `ACNS case 314620451: "Mission: Impossible - Rogue Nation", file "Mission.Impossible.Rogue.Nation.2015.720p.BluRay.x264-NeZu"`}}, p.IPEvents)
	require.Empty(t, p.Report.URLs, "never the namespace or schema URLs")
	require.Equal(t, IPReportField, p.Problems[0].Field)
}

// mungedMail is a plain report naming six URLs, two of them munged by the
// sender.
const mungedText = `Phishing kits found:
https://a.cdn-customer.example/login
https://b.cdn-customer.example/login
http://*MUNGED*/robots.txt
https://c.cdn-customer.example/verify
http://*MUNGED*/
https://d.cdn-customer.example/pay
`

func TestMungedURLsDoNotRefuseTheMail(t *testing.T) {
	p, err := ParseMessage(plainMail("abuse@abusedesk.test", "m-1@reporter.example", mungedText), "abuse@abusedesk.test", Config{})
	require.NoError(t, err)
	require.Empty(t, p.Problems)
	require.Equal(t, []string{"https://a.cdn-customer.example/login", "https://b.cdn-customer.example/login",
		"https://c.cdn-customer.example/verify", "https://d.cdn-customer.example/pay"}, p.Report.URLs)
	require.Equal(t, []string{"http://*MUNGED*/robots.txt", "http://*MUNGED*/"}, []string{p.Unusable[0].Text, p.Unusable[1].Text})
	require.Contains(t, p.Report.Description, "Not taken from the report (not usable as URLs):\n  http://*MUNGED*/robots.txt:")
}

// partialReplier records partial-acceptance replies as well.
type partialReplier struct {
	fakeReplier
	mu      sync.Mutex
	partial []reply
}

func (f *partialReplier) ReplyPartial(_ context.Context, to, subject, caseID string, notTaken []models.FieldError) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.partial = append(f.partial, reply{to, subject + " " + caseID, notTaken})
	return nil
}

func TestSMTPIntakeNamesTheURLsNotTakenByTheirText(t *testing.T) {
	sub := &fakeSubmitter{cases: map[string]string{}}
	rep := &partialReplier{}
	srv := NewServer("127.0.0.1:0", serverConfig, sub, rep, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, srv.Listen())
	go func() { _ = srv.ListenAndServe() }()
	defer srv.Close()
	msg := withHeader(plainMail("abuse@abusedesk.test", "m-2@reporter.example", mungedText), dmarcPass("reporter.example"))
	require.NoError(t, send(t, srv.Addr(), "alice@reporter.example", []string{"abuse@abusedesk.test"}, msg))
	_, _, cases := sub.snapshot()
	require.Equal(t, 1, cases)
	require.Empty(t, rep.snapshot(), "no refusal")
	require.Len(t, rep.partial, 1)
	require.Equal(t, "alice@reporter.example", rep.partial[0].to)
	require.Contains(t, rep.partial[0].subject, "case-1")
	require.Len(t, rep.partial[0].problems, 2)
	for _, p := range rep.partial[0].problems {
		require.Contains(t, p.Message, "*MUNGED*")
		require.NotContains(t, p.Field+p.Message, "urls[")
	}
}

func TestBoilerplateLinksAreNotReported(t *testing.T) {
	text := "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA1\n\nSee https://evil.cdn-customer.example/x\n" +
		`<!DOCTYPE note SYSTEM "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">` + "\n" +
		`<r xmlns="http://ns.example.org/r" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://ns.example.org/r http://ns.example.org/r.xsd"/>` + "\n" +
		"FAQ: https://www.reporter.example/faq  key: https://keys.openpgp.org/search?q=abuse\n" +
		"-----BEGIN PGP SIGNATURE-----\nhttps://sig.example.net/\n-----END PGP SIGNATURE-----\n-- \nAlice, https://alice.example.org/\n"
	p, err := ParseMessage(plainMail("abuse@abusedesk.test", "b-1@reporter.example", text), "abuse@abusedesk.test", Config{})
	require.NoError(t, err)
	require.Equal(t, []string{"https://evil.cdn-customer.example/x"}, p.Report.URLs)
	require.Equal(t, models.CategoryPhishing, p.Report.Category)
	require.Equal(t, "subject: phish", p.CategoryBy)
	left := []string{}
	for _, l := range p.LeftOut {
		left = append(left, l.Text)
	}
	require.ElementsMatch(t, []string{"https://www.reporter.example/faq", "https://keys.openpgp.org/search?q=abuse"}, left)
}

func TestOnlyOwnLinksIsAPreciseRefusal(t *testing.T) {
	p, err := ParseMessage(plainMail("abuse@abusedesk.test", "o-1@reporter.example", "Our FAQ: https://reporter.example/faq"), "abuse@abusedesk.test", Config{})
	require.NoError(t, err)
	require.Len(t, p.Problems, 1)
	require.Contains(t, p.Problems[0].Message, "its 1 link is the sender's own or boilerplate (e.g. https://reporter.example/faq)")
}

func TestXARFWithByteOrderMarkAndV3(t *testing.T) {
	doc := append([]byte("\xEF\xBB\xBF"), xarf4Phishing()...)
	p, err := ParseMessage(xarf4AttachmentMail("bom@x", doc), "abuse@abusedesk.test", Config{})
	require.NoError(t, err)
	require.Empty(t, p.Problems)
	require.Equal(t, []string{phishURL}, p.Report.URLs)
	_, problems := ParseXARF(doc)
	require.Empty(t, problems, "over HTTP too")

	v3, err := os.ReadFile("testdata/real/xarf-spec-v3/phishing_v3_sample.json")
	require.NoError(t, err)
	req, problems := ParseXARF(v3)
	require.Empty(t, problems)
	require.Equal(t, models.CategoryPhishing, req.Category)
	require.Equal(t, []string{"https://malicious-example.net/banking-login/"}, req.URLs)
	require.Equal(t, "abuse@security-vendor.example", req.Reporter.Email)
	conv, ok := ConvertXARF3(v3)
	require.True(t, ok)
	require.Contains(t, string(conv), `"legacy_version":"3"`)
	again, _ := ConvertXARF3(v3)
	require.Equal(t, conv, again, "the converted report id is stable, so a redelivery is the same report")
}

func TestXARFCopyrightNamingATrademarkIsTrademark(t *testing.T) {
	req, problems := ParseXARF(xarf4JSON("copyright", "copyright", map[string]any{
		"infringing_url": "https://shop.cdn-customer.example/bags", "trademark_violated": "Brand"}))
	require.Empty(t, problems)
	require.Equal(t, models.CategoryTrademark, req.Category)
	require.Nil(t, req.Copyright)
}

// arfMail is a feedback report whose original message starts with the
// mbox ">From " line and whose closing boundary is missing.
const arfFromLineMail = "From: fbl@isp.example\r\nTo: abuse@abusedesk.test\r\nSubject: FW: spam\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\r\n\r\n" +
	"--b\r\nContent-Type: text/plain\r\n\r\nA complaint.\r\n" +
	"--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: fraud\r\nSource-IP: 192.0.2.9\r\n\r\n" +
	"--b\r\nContent-Type: message/rfc822\r\n\r\n>From \"spammer.example\" Mon Jan 18 23:57:24 2016\r\n" +
	"From: x@spammer.example\r\nSubject: win\r\n\r\nClaim at https://prize.cdn-customer.example/claim\r\n"

func TestARFToleratesFromLineAndMissingBoundary(t *testing.T) {
	p, err := ParseMessage([]byte(arfFromLineMail), "abuse@abusedesk.test", Config{})
	require.NoError(t, err)
	require.Equal(t, FormatARF, p.Format)
	require.Empty(t, p.Problems)
	require.Equal(t, []string{"https://prize.cdn-customer.example/claim"}, p.Report.URLs)
	require.Equal(t, models.CategoryFraud, p.Report.Category)
	require.Equal(t, "arf feedback-type: fraud", p.CategoryBy)
}

func zipOf(t *testing.T, name, content string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create(name)
	require.NoError(t, err)
	_, err = w.Write([]byte(content))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func TestCSVReportRowsAreIPEvents(t *testing.T) {
	csvText := "\"timestamp\",\"ip\",\"port\",\"hostname\"\n\"2024-01-01 00:00:01\",\"198.51.100.7\",123,\"h.example\"\n\"2024-01-01 00:00:02\",\"not-an-ip\",1,\"\"\n\"2024-01-01 00:00:03\",\"2001:db8::1\",161,\"\"\n"
	evs, ok, err := csvReports(mimeTree{parts: []part{{mediaType: "application/octet-stream", filename: "2024-01-01-scan_ntp-nl.csv.zip", body: zipOf(t, "2024-01-01-scan_ntp-nl.csv", csvText)}}})
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, []IPEvent{
		{IP: "198.51.100.7", Port: "123", Time: "2024-01-01 00:00:01", Kind: "scan_ntp", Evidence: "timestamp=2024-01-01 00:00:01 ip=198.51.100.7 port=123 hostname=h.example"},
		{IP: "2001:db8::1", Port: "161", Time: "2024-01-01 00:00:03", Kind: "scan_ntp", Evidence: "timestamp=2024-01-01 00:00:03 ip=2001:db8::1 port=161"},
	}, evs)
	_, ok, _ = csvReports(mimeTree{parts: []part{{mediaType: "text/csv", filename: "list.csv", body: []byte("name,count\nx,1\n")}}})
	require.False(t, ok, "a CSV without an IP column is not an IP report")
	big := zipOf(t, "a.csv", "ip\n"+strings.Repeat("192.0.2.1\n", maxCSVBytes/10+10))
	_, _, err = csvReports(mimeTree{parts: []part{{filename: "a.csv.zip", body: big}}})
	require.ErrorContains(t, err, "unpacks to more than")
}

func TestSMTPIntakeAnswersAnIPReportPrecisely(t *testing.T) {
	sub := validatingSubmitter{&fakeSubmitter{cases: map[string]string{}}}
	rep := &fakeReplier{}
	srv := NewServer("127.0.0.1:0", serverConfig, sub, rep, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, srv.Listen())
	go func() { _ = srv.ListenAndServe() }()
	defer srv.Close()

	shadow, err := os.ReadFile("testdata/real/abuseio-shadowserver/2015-01-01-scan_ntp-sample-asn.csv.zip.eml")
	require.NoError(t, err)
	require.NoError(t, send(t, srv.Addr(), "autoreports@shadowserver.org", []string{"abuse@abusedesk.test"}, withHeader(shadow, dmarcPass("shadowserver.org"))))
	echelon, err := os.ReadFile("testdata/real/abuseio-ip-echelon/ip-echelon_sample1.eml")
	require.NoError(t, err)
	require.NoError(t, send(t, srv.Addr(), "notices.p2p@ip-echelon.com", []string{"abuse@abusedesk.test"}, withHeader(echelon, dmarcPass("ip-echelon.com"))))

	calls, _, _ := sub.snapshot()
	require.Empty(t, calls, "no case, and never a case about dl.shadowserver.org")
	replies := rep.snapshot()
	require.Len(t, replies, 1, "the IP-Echelon notice is Auto-Submitted: no reply (RFC 3834)")
	require.Equal(t, "autoreports@shadowserver.org", replies[0].to)
	require.Len(t, replies[0].problems, 1, "only the IP report answer, not the URL validation's noise")
	require.Equal(t, IPReportField, replies[0].problems[0].Field)
	require.Contains(t, replies[0].problems[0].Message, "reports about IP addresses: 9 rows received")
}

func TestPlainIPEvents(t *testing.T) {
	text := "Hello,\nthe host 198.51.100.99 in running text is not taken.\n" +
		"Offending/Source IP:  192.0.2.10\n\nIPs Engaged In Harvesting On Your Network:\n\n192.0.2.11 (H)\n  - Mon, 21 Sep 2015\n192.0.2.12\n\n" +
		"Visit us\n192.0.2.13\n"
	evs := plainIPEvents(text)
	ips := []string{}
	for _, e := range evs {
		ips = append(ips, e.IP)
	}
	require.Equal(t, []string{"192.0.2.10", "192.0.2.11", "192.0.2.12"}, ips, "labelled lines and lists under an IP heading only")
	require.Equal(t, "IPs Engaged In Harvesting On Your Network", evs[1].Kind)

	p, err := ParseMessage(plainMail("abuse@abusedesk.test", "ip-1@reporter.example", "Phishing at https://x.cdn-customer.example/a\nSource IP: 192.0.2.10\n"), "abuse@abusedesk.test", Config{})
	require.NoError(t, err)
	require.Empty(t, p.IPEvents, "beside a reported URL an address is context, not an IP report")
	require.Equal(t, []string{"https://x.cdn-customer.example/a"}, p.Report.URLs)
}

func TestRefusedPlainMailGetsNoCategoryNoise(t *testing.T) {
	p, err := ParseMessage(plainMail("abuse@abusedesk.test", "n-1@reporter.example", "no links here"), "abuse@abusedesk.test", Config{})
	require.NoError(t, err)
	require.Equal(t, models.CategoryOther, p.Report.Category, "so that the validator adds no category problem to the reply")
	require.Equal(t, "default: nothing in the report names a category", p.CategoryBy)
}
