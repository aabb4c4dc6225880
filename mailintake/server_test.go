package mailintake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// fakeSubmitter records submissions and deduplicates by DedupKey, as the
// real case pipeline does; the pipeline itself is tested where it lives.
type fakeSubmitter struct {
	mu       sync.Mutex
	calls    []Parsed
	raws     [][]byte
	cases    map[string]string
	err      error
	problems []models.FieldError
}

func (f *fakeSubmitter) SubmitEmailReport(_ context.Context, p Parsed, raw []byte) (string, []models.FieldError, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, p)
	f.raws = append(f.raws, raw)
	if f.err != nil {
		return "", nil, f.err
	}
	if len(f.problems) > 0 {
		return "", f.problems, nil
	}
	if id, ok := f.cases[p.DedupKey]; ok {
		return id, nil, nil
	}
	id := fmt.Sprintf("case-%d", len(f.cases)+1)
	f.cases[p.DedupKey] = id
	return id, nil, nil
}

func (f *fakeSubmitter) snapshot() ([]Parsed, [][]byte, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Parsed(nil), f.calls...), append([][]byte(nil), f.raws...), len(f.cases)
}

type reply struct {
	to, subject string
	problems    []models.FieldError
}

type fakeReplier struct {
	mu      sync.Mutex
	replies []reply
}

func (f *fakeReplier) ReplyProblems(_ context.Context, to, subject string, problems []models.FieldError) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies = append(f.replies, reply{to, subject, problems})
	return nil
}

func (f *fakeReplier) snapshot() []reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]reply(nil), f.replies...)
}

// startServer runs the listener on a free loopback port for one test.
func startServer(t *testing.T, cfg Config) (*Server, *fakeSubmitter, *fakeReplier) {
	t.Helper()
	sub := &fakeSubmitter{cases: map[string]string{}}
	rep := &fakeReplier{}
	srv := NewServer("127.0.0.1:0", cfg, sub, rep, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, srv.Listen())
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.NoError(t, <-done)
	})
	require.True(t, strings.HasPrefix(srv.Addr(), "127.0.0.1:") && !strings.HasSuffix(srv.Addr(), ":0"), srv.Addr())
	return srv, sub, rep
}

// send delivers one message over a real SMTP connection, as a mail server
// in front of abusedesk would.
func send(t *testing.T, addr, envFrom string, rcpts []string, msg []byte) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Hello("mx.abusedesk.test"))
	if err := c.SendMail(envFrom, rcpts, bytes.NewReader(msg)); err != nil {
		return err
	}
	return c.Quit()
}

func requireSMTPError(t *testing.T, err error, code int, enhanced smtp.EnhancedCode) {
	t.Helper()
	var se *smtp.SMTPError
	require.True(t, errors.As(err, &se), "want SMTP error %d, got %v", code, err)
	require.Equal(t, code, se.Code, se.Message)
	require.Equal(t, enhanced, se.EnhancedCode)
}

var serverConfig = Config{
	AuthservID: authservID,
	Addresses:  []string{"abuse@abusedesk.test", "phishing@abusedesk.test", "copyright@abusedesk.test"},
	CategoryByAddress: map[string]models.Category{
		"phishing@abusedesk.test":  models.CategoryPhishing,
		"copyright@abusedesk.test": models.CategoryCopyright,
	},
	Hostname: "intake.abusedesk.test",
}

func TestSMTPIntakeFormats(t *testing.T) {
	srv, sub, rep := startServer(t, serverConfig)
	abuse := []string{"abuse@abusedesk.test"}

	phishMail := xarf4AttachmentMail("xarf-1@brand-protect.example", xarf4Phishing())
	require.NoError(t, send(t, srv.Addr(), "bounces@brand-protect.example", abuse, phishMail))
	require.NoError(t, send(t, srv.Addr(), "copyright@tvb.example", []string{"copyright@abusedesk.test"}, xarf4ReportMail(xarf4Copyright(), "application/json")))
	require.NoError(t, send(t, srv.Addr(), "reports@cert.example", abuse, xarf02Mail("phishing", "uri", xarf02URL)))
	require.NoError(t, send(t, srv.Addr(), "fbl@isp.example", abuse, arfMail("fraud", true)))
	require.NoError(t, send(t, srv.Addr(), "alice@reporter.example", []string{"phishing@abusedesk.test"}, plainMail("phishing@abusedesk.test", "plain-1@reporter.example", phishingText)))

	calls, raws, cases := sub.snapshot()
	require.Len(t, calls, 5)
	require.Equal(t, 5, cases)
	require.Empty(t, rep.snapshot())

	x4 := calls[0]
	require.Equal(t, FormatXARF4, x4.Format)
	require.Equal(t, models.CategoryPhishing, x4.Report.Category)
	require.Equal(t, []string{phishURL}, x4.Report.URLs)
	require.Equal(t, "takedown@brand-protect.example", x4.Report.Reporter.Email)
	require.Equal(t, "xarf:takedown@brand-protect.example/"+phishingID, x4.DedupKey)
	require.Equal(t, SourceEmail, x4.Report.Source)
	require.False(t, x4.Untrusted)
	require.True(t, bytes.HasPrefix(raws[0], []byte("Received: from mx.abusedesk.test (127.0.0.1:")), "the evidence records where it came from")
	require.True(t, bytes.HasSuffix(raws[0], phishMail), "the whole message is kept as evidence")

	cr := calls[1]
	require.Equal(t, FormatXARF4, cr.Format)
	require.Equal(t, models.CategoryCopyright, cr.Report.Category)
	require.Equal(t, []string{pirateURL}, cr.Report.URLs)
	require.NotNil(t, cr.Report.Copyright)
	require.Contains(t, cr.Report.Copyright.Work, "Popular TV Show S01E05")
	require.True(t, cr.Report.Copyright.GoodFaith && cr.Report.Copyright.AccurateUnderPenalty)

	x2 := calls[2]
	require.Equal(t, FormatXARF02, x2.Format)
	require.Equal(t, models.CategoryPhishing, x2.Report.Category)
	require.Equal(t, []string{xarf02URL}, x2.Report.URLs)
	require.Equal(t, "reports@cert.example", x2.Report.Reporter.Email)
	require.Equal(t, "xarf:reports@cert.example/0815-4711@cert.example", x2.DedupKey)
	require.Contains(t, x2.Report.Description, "we found a phishing site")

	arf := calls[3]
	require.Equal(t, FormatARF, arf.Format)
	require.Equal(t, models.CategoryFraud, arf.Report.Category)
	require.Equal(t, []string{arfURL}, arf.Report.URLs)
	require.Contains(t, arf.Report.Description, "Source-IP: 192.0.2.1")
	require.Equal(t, "msgid:fbl@isp.example/arf-1@isp.example", arf.DedupKey)

	plain := calls[4]
	require.Equal(t, FormatPlain, plain.Format)
	require.Equal(t, models.CategoryPhishing, plain.Report.Category, "from the recipient address")
	require.Equal(t, []string{plainURL}, plain.Report.URLs)
	require.Equal(t, models.Reporter{Name: "Alice Example", Email: "alice@reporter.example"}, plain.Report.Reporter)
	require.Contains(t, plain.Report.Description, "Phishing site impersonating PayPal")
}

func TestSMTPIntakeDuplicateMakesOneCase(t *testing.T) {
	srv, sub, _ := startServer(t, serverConfig)
	msg := plainMail("abuse@abusedesk.test", "dup-1@reporter.example", phishingText)
	for range 2 {
		require.NoError(t, send(t, srv.Addr(), "alice@reporter.example", []string{"abuse@abusedesk.test"}, msg))
	}
	calls, _, cases := sub.snapshot()
	require.Len(t, calls, 2)
	require.Equal(t, calls[0].DedupKey, calls[1].DedupKey)
	require.Equal(t, 1, cases)
	// Issue 14: abuse@ has no category, so the subject's words decide
	// ("Phishing site impersonating PayPal"), and the reason is recorded.
	require.Equal(t, models.CategoryPhishing, calls[0].Report.Category, "from the subject")
	require.Equal(t, "subject: phish", calls[0].CategoryBy)
}

func TestSMTPIntakeUnusableMailGetsOneReply(t *testing.T) {
	srv, sub, rep := startServer(t, serverConfig)
	for range 2 { // delivered twice: still one reply
		require.NoError(t, send(t, srv.Addr(), "bob@reporter.example", []string{"abuse@abusedesk.test"}, emptyMail("empty-1@reporter.example", dmarcPass("reporter.example"))))
	}
	calls, _, _ := sub.snapshot()
	require.Empty(t, calls, "nothing is submitted, so no case exists")
	replies := rep.snapshot()
	require.Len(t, replies, 1)
	require.Equal(t, "bob@reporter.example", replies[0].to)
	require.Equal(t, "Re: help", replies[0].subject)
	require.Equal(t, "urls", replies[0].problems[0].Field)

	// A bounce (null envelope sender) is never answered.
	require.NoError(t, send(t, srv.Addr(), "", []string{"abuse@abusedesk.test"}, emptyMail("bounce-1@mx.example", dmarcPass("reporter.example"))))
	require.Len(t, rep.snapshot(), 1)
}

func TestSMTPIntakeSubmitterProblemsAndFailures(t *testing.T) {
	srv, sub, rep := startServer(t, serverConfig)
	sub.mu.Lock()
	sub.problems = []models.FieldError{{Field: "copyright.signature", Message: "a signature is required"}}
	sub.mu.Unlock()
	require.NoError(t, send(t, srv.Addr(), "alice@reporter.example", []string{"abuse@abusedesk.test"}, plainMail("abuse@abusedesk.test", "p-1@x", phishingText, dmarcPass("reporter.example"))))
	require.Equal(t, []reply{{"alice@reporter.example", "Re: Phishing site impersonating PayPal", sub.problems}}, rep.snapshot())

	sub.mu.Lock()
	sub.problems, sub.err = nil, errors.New("temporal unavailable")
	sub.mu.Unlock()
	err := send(t, srv.Addr(), "alice@reporter.example", []string{"abuse@abusedesk.test"}, plainMail("abuse@abusedesk.test", "p-2@x", phishingText))
	requireSMTPError(t, err, 451, smtp.EnhancedCode{4, 3, 0})
	require.Len(t, rep.snapshot(), 1, "a transient failure is retried by the sender, not answered")
}

func TestSMTPIntakeRefusals(t *testing.T) {
	cfg := serverConfig
	cfg.MaxBytes = 32 << 10
	srv, sub, rep := startServer(t, cfg)

	err := send(t, srv.Addr(), "alice@reporter.example", []string{"postmaster@abusedesk.test"}, plainMail("postmaster@abusedesk.test", "u@x", phishingText))
	requireSMTPError(t, err, 550, smtp.EnhancedCode{5, 1, 1})

	big := plainMail("abuse@abusedesk.test", "big@x", phishingText+"\n"+strings.Repeat("padding line of an oversized report\n", 2000))
	require.Greater(t, len(big), 64<<10)
	err = send(t, srv.Addr(), "alice@reporter.example", []string{"abuse@abusedesk.test"}, big)
	requireSMTPError(t, err, 552, smtp.EnhancedCode{5, 3, 4})

	// A client that announces the size is refused before DATA, same code.
	c, err := smtp.Dial(srv.Addr())
	require.NoError(t, err)
	defer c.Close()
	requireSMTPError(t, c.Mail("alice@reporter.example", &smtp.MailOptions{Size: int64(len(big))}), 552, smtp.EnhancedCode{5, 3, 4})

	calls, _, _ := sub.snapshot()
	require.Empty(t, calls)
	require.Empty(t, rep.snapshot())
}

func TestSMTPIntakeDMARC(t *testing.T) {
	srv, sub, _ := startServer(t, serverConfig)
	fail := "Authentication-Results: %s; spf=fail smtp.mailfrom=reporter.example; dkim=none; dmarc=fail (p=reject dis=none) header.from=reporter.example"
	rcpt := []string{"abuse@abusedesk.test"}
	require.NoError(t, send(t, srv.Addr(), "alice@reporter.example", rcpt,
		plainMail(rcpt[0], "dmarc-1@x", phishingText, fmt.Sprintf(fail, authservID))))
	require.NoError(t, send(t, srv.Addr(), "alice@reporter.example", rcpt,
		plainMail(rcpt[0], "dmarc-2@x", phishingText, fmt.Sprintf(fail, "mx.elsewhere.example"))))
	calls, _, cases := sub.snapshot()
	require.Len(t, calls, 2)
	require.Equal(t, 2, cases, "an untrusted report is kept, not dropped")
	require.True(t, calls[0].Untrusted)
	require.True(t, calls[0].Report.Untrusted)
	require.False(t, calls[1].Untrusted, "a header from another authserv-id is not believed")
	require.False(t, calls[1].Report.Untrusted)
}
