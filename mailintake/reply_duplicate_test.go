package mailintake

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// dupSubmitter is fakeSubmitter that also says when a mail repeated an
// earlier one (by DedupKey), as intake.Service does.
type dupSubmitter struct{ fakeSubmitter }

func (f *dupSubmitter) SubmitEmailReportOnce(ctx context.Context, p Parsed, raw []byte) (string, bool, []models.FieldError, error) {
	f.mu.Lock()
	_, seen := f.cases[p.DedupKey]
	f.mu.Unlock()
	id, problems, err := f.SubmitEmailReport(ctx, p, raw)
	return id, seen && id != "", problems, err
}

// allReplier records every kind of reply the listener sends.
type allReplier struct {
	mu   sync.Mutex
	sent []string // "kind to subject case"
}

func (r *allReplier) add(kind, to, subject, caseID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, strings.TrimSpace(fmt.Sprintf("%s %s %s %s", kind, to, subject, caseID)))
}

func (r *allReplier) ReplyProblems(_ context.Context, to, subject string, problems []models.FieldError) error {
	kind := ReplyKindRefusal
	if len(problems) > 0 && problems[0].Field == IPReportField {
		kind = ReplyKindIPReport
	}
	r.add(kind, to, subject, "")
	return nil
}

func (r *allReplier) ReplyPartial(_ context.Context, to, subject, caseID string, _ []models.FieldError) error {
	r.add(ReplyKindPartial, to, subject, caseID)
	return nil
}

func (r *allReplier) ReplyDuplicate(_ context.Context, to, subject, caseID string) error {
	r.add(ReplyKindDuplicate, to, subject, caseID)
	return nil
}

func (r *allReplier) snapshot() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sent...)
}

// startDupServer runs the listener with a Submitter that reports
// duplicates and a Replier of every kind.
func startDupServer(t *testing.T) (*Server, *allReplier) {
	t.Helper()
	sub := &dupSubmitter{fakeSubmitter{cases: map[string]string{}}}
	rep := &allReplier{}
	srv := NewServer("127.0.0.1:0", serverConfig, sub, rep, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, srv.Listen())
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.NoError(t, <-done)
	})
	return srv, rep
}

// TestSMTPIntakeDuplicateAnsweredOnlyToAuthenticatedSender: a repeated
// report is answered with the earlier case's id, to a DMARC-authenticated
// sender only; an unauthenticated repeat is withheld and counted.
func TestSMTPIntakeDuplicateAnsweredOnlyToAuthenticatedSender(t *testing.T) {
	srv, rep := startDupServer(t)
	rcpt := []string{"abuse@abusedesk.test"}
	authed := plainMail(rcpt[0], "dup-auth@reporter.example", phishingText, dmarcPass("reporter.example"))
	require.NoError(t, send(t, srv.Addr(), "alice@reporter.example", rcpt, authed))
	require.Empty(t, rep.snapshot(), "a first, whole report is not answered here (the case's receipt is)")
	require.NoError(t, send(t, srv.Addr(), "alice@reporter.example", rcpt, authed))
	require.Equal(t, []string{"duplicate alice@reporter.example Re: Phishing site impersonating PayPal case-1"}, rep.snapshot())

	withheld := withheldCount(ReplyKindDuplicate, skipUnauth)
	plain := plainMail(rcpt[0], "dup-unauth@reporter.example", phishingText)
	for range 2 {
		require.NoError(t, send(t, srv.Addr(), "alice@reporter.example", rcpt, plain))
	}
	require.Len(t, rep.snapshot(), 1, "an unauthenticated duplicate is not told the earlier case")
	require.Equal(t, withheld+1, withheldCount(ReplyKindDuplicate, skipUnauth),
		"the withheld duplicate reply is counted")
}

// withheldCount reads the withheld-replies counter of one kind and reason.
func withheldCount(kind, reason string) float64 {
	var m dto.Metric
	if err := repliesWithheld.WithLabelValues(kind, reason).Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

// robotCases are mails no reply may go to (RFC 3834), each authenticated.
func robotCases(msg func(id string, hdr ...string) []byte) []struct {
	name, envFrom, reason string
	msg                   []byte
} {
	pass := dmarcPass("reporter.example")
	return []struct {
		name, envFrom, reason string
		msg                   []byte
	}{
		{"auto-generated", "alice@reporter.example", skipAutoSubmitted, msg("r-1@x", pass, "Auto-Submitted: auto-generated")},
		{"auto-replied", "alice@reporter.example", skipAutoSubmitted, msg("r-2@x", pass, "Auto-Submitted: auto-replied")},
		{"precedence bulk", "alice@reporter.example", skipBulk, msg("r-3@x", pass, "Precedence: bulk")},
		{"precedence junk", "alice@reporter.example", skipBulk, msg("r-4@x", pass, "Precedence: junk")},
		{"precedence list", "alice@reporter.example", skipBulk, msg("r-5@x", pass, "Precedence: list")},
		{"mailer-daemon", "MAILER-DAEMON@reporter.example", skipRobotSender, msg("r-6@x", pass)},
		{"postmaster", "postmaster@reporter.example", skipRobotSender, msg("r-7@x", pass)},
		{"null sender", "", skipNullSender, msg("r-8@x", pass)},
	}
}

// TestSMTPIntakeNoReplyToRobotsOnAnyPath: no refusal, partial-acceptance
// or duplicate reply goes to auto-submitted or bulk mail or to a bounce
// or role sender, while the same mail with "Auto-Submitted: no" from a
// person is answered.
func TestSMTPIntakeNoReplyToRobotsOnAnyPath(t *testing.T) {
	srv, rep := startDupServer(t)
	rcpt := []string{"abuse@abusedesk.test"}
	paths := map[string]func(id string, hdr ...string) []byte{
		ReplyKindRefusal: func(id string, hdr ...string) []byte { return emptyMail(id, hdr...) },
		ReplyKindPartial: func(id string, hdr ...string) []byte { return plainMail(rcpt[0], id, mungedText, hdr...) },
		ReplyKindDuplicate: func(id string, hdr ...string) []byte {
			return plainMail(rcpt[0], id, phishingText, hdr...)
		},
	}
	for kind, msg := range paths {
		for _, c := range robotCases(func(id string, hdr ...string) []byte { return msg(kind+"-"+id, hdr...) }) {
			before := withheldCount(kind, c.reason)
			n := 1
			if kind == ReplyKindDuplicate {
				n = 2 // the second delivery is the duplicate
			}
			for range n {
				require.NoError(t, send(t, srv.Addr(), c.envFrom, rcpt, c.msg), kind+" "+c.name)
			}
			require.Empty(t, rep.snapshot(), kind+" "+c.name)
			require.Equal(t, before+1, withheldCount(kind, c.reason), kind+" "+c.name)
		}
	}
	// The control: "Auto-Submitted: no" is a person's mail, answered on
	// every path.
	sender := "alice@reporter.example"
	pass := dmarcPass("reporter.example")
	require.NoError(t, send(t, srv.Addr(), "bob@reporter.example", rcpt, emptyMail("ok-1@x", pass, "Auto-Submitted: no")))
	require.NoError(t, send(t, srv.Addr(), sender, rcpt, plainMail(rcpt[0], "ok-2@x", mungedText, pass, "Auto-Submitted: no")))
	for range 2 {
		require.NoError(t, send(t, srv.Addr(), sender, rcpt, plainMail(rcpt[0], "ok-3@x", phishingText, pass, "Auto-Submitted: no")))
	}
	got := rep.snapshot()
	require.Len(t, got, 3, got)
	require.Equal(t, "refusal bob@reporter.example Re: help", got[0])
	require.True(t, strings.HasPrefix(got[1], "partial alice@reporter.example"), got[1])
	require.True(t, strings.HasPrefix(got[2], "duplicate alice@reporter.example"), got[2])
}
