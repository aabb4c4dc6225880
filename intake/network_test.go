package intake_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/smtp"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// networkOrigin is an address of the Shadowserver dns_openresolver sample
// (mailintake/testdata/real/abuseio-shadowserver) that the test's customer
// names as its origin.
const networkOrigin = "208.70.149.107"

// corpusMail reads one real sample as its sender's mail server delivers it:
// with the receiving server's DMARC pass for the From domain (so that the
// sender may be answered), an X-ARF document as an attachment.
func corpusMail(t *testing.T, path string) (raw []byte, from string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	if strings.HasSuffix(path, ".json") {
		b = []byte("From: reports@sender.example\r\nTo: abuse@provider.example\r\nSubject: report\r\nMIME-Version: 1.0\r\n" +
			"Message-ID: <" + filepath.Base(path) + "@sender.example>\r\n" +
			"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n" +
			"--b\r\nContent-Type: application/json\r\nContent-Disposition: attachment; filename=\"report.json\"\r\n\r\n" +
			string(b) + "\r\n--b--\r\n")
	}
	if bytes.HasPrefix(b, []byte("From ")) { // an mbox separator, which no SMTP delivery carries
		_, b, _ = bytes.Cut(b, []byte("\n"))
	}
	p, err := mailintake.ParseMessage(b, "abuse@provider.example", mailintake.Config{})
	require.NoError(t, err)
	if p.From == "" {
		return nil, ""
	}
	_, domain, _ := strings.Cut(p.From, "@")
	ar := "Authentication-Results: " + authserv + "; dmarc=pass header.from=" + domain + "\r\n"
	return append([]byte(ar), b...), p.From
}

// outbox keeps every reply in the intake replies outbox, as the app's
// replier does without a relay (app.ProblemReplier, integration/network_test.go).
type outbox struct{ db *gorm.DB }

func (o *outbox) ReplyProblems(ctx context.Context, to, subject string, problems []models.FieldError) error {
	kind := store.IntakeReplyRefusal
	if len(problems) > 0 && problems[0].Field == mailintake.IPReportField {
		kind = store.IntakeReplyIPReport
	}
	var b strings.Builder
	for _, p := range problems {
		b.WriteString(p.Field + ": " + p.Message + "\n")
	}
	return store.SaveIntakeReply(ctx, o.db, &store.IntakeReply{To: to, Subject: subject, Body: b.String(), Kind: kind})
}

// TestRealCorpusNetworkOutcomes sends every real sample that is a report
// about IP addresses to the SMTP listener, with one customer whose origin
// is an address of one Shadowserver sample: that address becomes one
// network case (service network, its rows as evidence) and no sample
// makes a URL case; every other row is answered "not our network" once
// per sender per day in the intake replies outbox, never per row or per
// mail, and never to a robot (blocklist.de's Auto-Submitted mail).
func TestRealCorpusNetworkOutcomes(t *testing.T) {
	s, _, db := newService(t, nil)
	ctx := context.Background()
	_, err := store.LoadCustomers(db, &store.CustomerDoc{Accounts: []store.AccountDoc{{ID: "acct-net", Name: "Net Customer",
		OperatorEmail: "ops@customer.example", Domains: []store.DomainDoc{{Name: "customer.example", Services: []string{"cdn"},
			OriginIPs: []string{"198.51.100.1", networkOrigin}}}}}}, nil)
	require.NoError(t, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rep := &outbox{db: db}
	srv := mailintake.NewServer("127.0.0.1:0", mailintake.Config{AuthservID: authserv}, s, rep, log)
	require.NoError(t, srv.Listen())
	go func() { _ = srv.ListenAndServe() }()
	t.Cleanup(func() { _ = srv.Close() })

	paths, err := filepath.Glob("../mailintake/testdata/real/*/*")
	require.NoError(t, err)
	sort.Strings(paths)
	ipMails := 0
	senders := map[string]bool{}
	for _, path := range paths {
		if b := filepath.Base(path); b == "SOURCE" || b == "expected.json" {
			continue
		}
		raw, from := corpusMail(t, path)
		if raw == nil {
			continue
		}
		p, err := mailintake.ParseMessage(raw, "abuse@provider.example", mailintake.Config{AuthservID: authserv})
		require.NoError(t, err)
		if len(p.IPEvents) == 0 || len(p.Problems) == 0 || p.Problems[0].Field != mailintake.IPReportField {
			continue
		}
		ipMails++
		if !p.AutoMail() {
			_, d, _ := strings.Cut(strings.ToLower(from), "@")
			senders[d] = true
		}
		require.NoError(t, smtp.SendMail(srv.Addr(), nil, from, []string{"abuse@provider.example"}, raw), path)
	}
	require.Equal(t, 99, ipMails, "the corpus's reports about IP addresses")

	var cases []models.Case
	require.NoError(t, db.Find(&cases).Error)
	require.Len(t, cases, 1, "one address of ours: one case, and no URL case of any IP report")
	c := cases[0]
	require.Equal(t, models.ServiceNetwork, c.Service)
	require.Contains(t, c.Description, networkOrigin)
	require.Contains(t, c.Description, "dns_openresolver")
	require.NotEmpty(t, c.CategoryBy)
	require.Equal(t, "autoreports@shadowserver.org", c.ReporterEmail, "not Auto-Submitted: the sender is the reporter")
	var urls []models.CaseURL
	require.NoError(t, db.Where("case_id = ?", c.ID).Find(&urls).Error)
	require.Equal(t, []string{networkOrigin}, []string{urls[0].URL})
	var ev struct{ Raw []byte }
	require.NoError(t, db.Table(activities.EvidenceTable).Select("raw").Where("case_id = ?", c.ID).Take(&ev).Error)
	require.Contains(t, string(ev.Raw), "ip="+networkOrigin, "the rows about the address are the case's evidence")
	require.NotContains(t, string(ev.Raw), "204.245.210.223", "rows about other addresses are not")

	replies, err := store.IntakeReplies(ctx, db, "", "", 0)
	require.NoError(t, err)
	per := map[string]int{}
	for _, r := range replies {
		require.Contains(t, []string{store.IntakeReplyIPReport, store.IntakeReplyNotOurNetwork}, r.Kind)
		require.Contains(t, r.Body, "not our network")
		_, d, _ := strings.Cut(r.To, "@")
		per[d]++
	}
	for d, n := range per {
		require.Equal(t, 1, n, "one not-our-network answer per sender per day: %s", d)
	}
	require.Equal(t, 1, per["shadowserver.org"])
	require.NotContains(t, per, "blocklist.de", "a robot's Auto-Submitted mail is never answered")
	require.Len(t, per, len(senders), "every sender that may be answered is answered once: %v", per)
	n, err := store.CountNetworkAnswers(ctx, db, c.CreatedAt)
	require.NoError(t, err)
	require.Equal(t, int64(len(per)), n)
	t.Logf("network outcomes: %d mails, 1 case, answers per sender %v", ipMails, per)
}

// An address in one of the provider's own networks (the customer records'
// networks of provider_name) is ours even when no customer names it: it
// makes a network case; a repeated delivery makes no second case.
func TestNetworkReportOwnNetworks(t *testing.T) {
	s, _, db := newService(t, nil)
	s.OwnProvider = "Example Networks"
	_, err := store.LoadCustomers(db, &store.CustomerDoc{Networks: []store.NetworkDoc{
		{CIDR: "198.51.100.0/24", Provider: "Example Networks", AbuseEmail: "abuse@example.net"},
		{CIDR: "192.0.2.0/24", Provider: "Someone Else", AbuseEmail: "abuse@else.example"}}}, nil)
	require.NoError(t, err)
	raw := []byte("From: reports@scanner.example\r\nTo: abuse@provider.example\r\nSubject: scan\r\nMessage-ID: <own-1@scanner.example>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/csv\r\n" +
		"Content-Disposition: attachment; filename=\"2026-12-06-scan_ntp-x-asn.csv\"\r\n\r\n" +
		"timestamp,ip,port\r\n2026-12-06,198.51.100.9,123\r\n2026-12-06,192.0.2.9,123\r\n2026-12-06,198.51.100.9,124\r\n--b--\r\n")
	p, err := mailintake.ParseMessage(raw, "abuse@provider.example", mailintake.Config{})
	require.NoError(t, err)
	res, err := s.SubmitNetworkReport(context.Background(), p, raw)
	require.NoError(t, err)
	require.Len(t, res.CaseIDs, 1)
	require.Len(t, res.NotOurs, 1)
	require.Equal(t, "192.0.2.9", res.NotOurs[0].IP)
	require.Equal(t, 3, res.Examined)
	require.False(t, res.Replayed)
	c, err := store.Case(context.Background(), db, res.CaseIDs[0])
	require.NoError(t, err)
	require.Equal(t, models.ServiceNetwork, c.Service)
	require.Contains(t, c.Description, "2 rows")

	again, err := s.SubmitNetworkReport(context.Background(), p, raw)
	require.NoError(t, err)
	require.True(t, again.Replayed)
	require.Equal(t, res.CaseIDs, again.CaseIDs)
	var n int64
	require.NoError(t, db.Model(&models.Case{}).Count(&n).Error)
	require.EqualValues(t, 1, n)
}
