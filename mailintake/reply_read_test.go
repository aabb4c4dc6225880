package mailintake

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeReplies records the replies handed to it and takes those for the
// notices it knows.
type fakeReplies struct {
	mu    sync.Mutex
	known map[string]bool
	got   []NoticeReply
}

func (f *fakeReplies) HandleReply(_ context.Context, r NoticeReply) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, r)
	for _, id := range r.NoticeIDs {
		if f.known[id] {
			return true, nil
		}
	}
	return false, nil
}

// TestReadReplyFindsNotices: the notice ids of In-Reply-To, References
// (newest first) and X-Abusedesk-Notice, in the header or quoted in the
// text; ids that are not notice ids are left out; a mail that names no
// notice is not a reply.
func TestReadReplyFindsNotices(t *testing.T) {
	msg := plainMail("abuse@abusedesk.test", "r1@ops.example", "We have removed it.\n> X-Abusedesk-Notice: n_quoted1\n",
		"In-Reply-To: <n_first@abusedesk>", "References: <other@x.example> <n_old@abusedesk> <n_first@abusedesk>",
		"X-Abusedesk-Notice: n_header", "Auto-Submitted: auto-replied")
	p, err := ParseMessage(msg, "abuse@abusedesk.test", serverConfig)
	require.NoError(t, err)
	r, ok := ReadReply(context.Background(), p, "Bounce@Ops.Example", msg)
	require.True(t, ok)
	require.Equal(t, []string{"n_first", "n_old", "n_header", "n_quoted1"}, r.NoticeIDs)
	require.Equal(t, "alice@reporter.example", r.From)
	require.Equal(t, "bounce@ops.example", r.EnvelopeFrom)
	require.True(t, r.AutoSubmitted)
	require.Contains(t, r.Text, "We have removed it.")

	plain := plainMail("abuse@abusedesk.test", "r2@ops.example", "https://bad.example/x", "In-Reply-To: <not-a-notice@x.example>")
	p, err = ParseMessage(plain, "abuse@abusedesk.test", serverConfig)
	require.NoError(t, err)
	_, ok = ReadReply(context.Background(), p, "", plain)
	require.False(t, ok)

	long := plainMail("abuse@abusedesk.test", "r3@ops.example", strings.Repeat("é", MaxReplyTextBytes), "In-Reply-To: <n_first@abusedesk>")
	p, err = ParseMessage(long, "abuse@abusedesk.test", serverConfig)
	require.NoError(t, err)
	r, ok = ReadReply(context.Background(), p, "", long)
	require.True(t, ok)
	require.LessOrEqual(t, len(r.Text), MaxReplyTextBytes)
	require.Contains(t, r.Text, "[cut:")
}

// TestSMTPIntakeHandsRepliesToTheHandler: over the SMTP listener, a reply
// the handler takes never becomes a report; one it does not take (an
// unknown notice) goes on as an ordinary mail.
func TestSMTPIntakeHandsRepliesToTheHandler(t *testing.T) {
	sub := &fakeSubmitter{cases: map[string]string{}}
	srv := NewServer("127.0.0.1:0", serverConfig, sub, &fakeReplier{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h := &fakeReplies{known: map[string]bool{"n_known": true}}
	srv.Replies = h
	require.NoError(t, srv.Listen())
	go func() { _ = srv.ListenAndServe() }()
	defer srv.Close()

	taken := plainMail("abuse@abusedesk.test", "a@ops.example", "Removed: https://bad.example/x", "In-Reply-To: <n_known@abusedesk>")
	require.NoError(t, send(t, srv.Addr(), "alice@reporter.example", []string{"abuse@abusedesk.test"}, taken))
	calls, _, _ := sub.snapshot()
	require.Empty(t, calls, "an attached reply is not a report")

	other := plainMail("abuse@abusedesk.test", "b@ops.example", "See https://bad.example/y", "In-Reply-To: <n_unknown@abusedesk>")
	require.NoError(t, send(t, srv.Addr(), "alice@reporter.example", []string{"abuse@abusedesk.test"}, other))
	calls, _, _ = sub.snapshot()
	require.Len(t, calls, 1, "a reply the handler did not take is read as a report")
	h.mu.Lock()
	require.Len(t, h.got, 2)
	h.mu.Unlock()
}
