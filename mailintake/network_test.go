package mailintake

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// netSubmitter is a NetworkSubmitter whose addresses of ours are listed;
// it claims the day's answer per sender as the store does.
type netSubmitter struct {
	fakeSubmitter
	ours     map[string]bool
	mu       sync.Mutex
	claimed  map[string]bool
	released int
	reports  int
}

func (n *netSubmitter) SubmitNetworkReport(_ context.Context, p Parsed, _ []byte) (NetworkResult, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.reports++
	res := NetworkResult{Examined: len(p.IPEvents)}
	seen := map[string]bool{}
	for _, e := range p.IPEvents {
		switch {
		case !n.ours[e.IP]:
			res.NotOurs = append(res.NotOurs, e)
		case !seen[e.IP]:
			seen[e.IP] = true
			res.CaseIDs = append(res.CaseIDs, "case-"+e.IP)
		}
	}
	return res, nil
}

func (n *netSubmitter) ClaimNetworkAnswer(_ context.Context, sender string) (bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.claimed[sender] {
		return false, nil
	}
	n.claimed[sender] = true
	return true, nil
}

func (n *netSubmitter) ReleaseNetworkAnswer(_ context.Context, sender string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.claimed, sender)
	n.released++
	return nil
}

func csvMail(msgID, extraHeader string, ips ...string) []byte {
	var rows strings.Builder
	rows.WriteString("timestamp,ip,port\r\n")
	for _, ip := range ips {
		rows.WriteString("2026-12-06 01:00:00," + ip + ",123\r\n")
	}
	return []byte("Authentication-Results: mx.abusedesk.test; dmarc=pass header.from=scanner.example\r\n" + extraHeader +
		"From: reports@scanner.example\r\nTo: abuse@abusedesk.test\r\nSubject: scan report\r\nMessage-ID: <" + msgID + ">\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nReport attached.\r\n" +
		"--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=\"2026-12-06-scan_ntp-x-asn.csv\"\r\n\r\n" +
		rows.String() + "--b--\r\n")
}

func startNetServer(t *testing.T, rep Replier) (*Server, *netSubmitter) {
	t.Helper()
	sub := &netSubmitter{fakeSubmitter: fakeSubmitter{cases: map[string]string{}}, ours: map[string]bool{"198.51.100.7": true},
		claimed: map[string]bool{}}
	srv := NewServer("127.0.0.1:0", Config{AuthservID: "mx.abusedesk.test"}, sub, rep, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, srv.Listen())
	go func() { _ = srv.ListenAndServe() }()
	t.Cleanup(func() { _ = srv.Close() })
	return srv, sub
}

// TestNetworkReportAnsweredOncePerSenderPerDay: a CSV report about IP
// addresses goes to the NetworkSubmitter, never to the URL path; its rows
// about other networks get one answer for all rows, and a second mail
// of the sender the same day none; a robot's mail is never answered.
func TestNetworkReportAnsweredOncePerSenderPerDay(t *testing.T) {
	rep := &fakeReplier{}
	srv, sub := startNetServer(t, rep)
	rcpt := []string{"abuse@abusedesk.test"}
	require.NoError(t, send(t, srv.Addr(), "reports@scanner.example", rcpt,
		csvMail("n1@scanner.example", "", "198.51.100.7", "192.0.2.1", "192.0.2.2", "192.0.2.3")))
	replies := rep.snapshot()
	require.Len(t, replies, 1, "one answer for all rows not ours")
	require.Equal(t, "reports@scanner.example", replies[0].to)
	require.Len(t, replies[0].problems, 1)
	require.Equal(t, IPReportField, replies[0].problems[0].Field)
	msg := replies[0].problems[0].Message
	require.Contains(t, msg, "not our network: 3 rows about 192.0.2.1, 192.0.2.2, 192.0.2.3")
	require.Contains(t, msg, "case-198.51.100.7")
	calls, _, _ := sub.snapshot()
	require.Empty(t, calls, "a report about IPs never takes the URL path")

	require.NoError(t, send(t, srv.Addr(), "reports@scanner.example", rcpt, csvMail("n2@scanner.example", "", "192.0.2.9")))
	require.Len(t, rep.snapshot(), 1, "the sender was answered today")

	require.NoError(t, send(t, srv.Addr(), "robot@robots.example", rcpt,
		[]byte(strings.ReplaceAll(string(csvMail("n3@robots.example", "Auto-Submitted: auto-generated\r\n", "192.0.2.10")), "scanner.example", "robots.example"))))
	require.Len(t, rep.snapshot(), 1, "never to a robot")
	require.Equal(t, 3, sub.reports)
}

// errReplier fails every reply.
type errReplier struct{}

func (errReplier) ReplyProblems(context.Context, string, string, []models.FieldError) error {
	return errors.New("relay down")
}

// TestNetworkAnswerReleasedWhenNotSent: an answer that could not be sent
// is not counted as the day's answer, and a mail that made no case is
// answered 451 so that the sender retries.
func TestNetworkAnswerReleasedWhenNotSent(t *testing.T) {
	srv, sub := startNetServer(t, errReplier{})
	err := send(t, srv.Addr(), "reports@scanner.example", []string{"abuse@abusedesk.test"}, csvMail("n4@scanner.example", "", "192.0.2.1"))
	requireSMTPError(t, err, 451, smtp.EnhancedCode{4, 3, 0})
	require.Equal(t, 1, sub.released)
	require.Empty(t, sub.claimed)
}
