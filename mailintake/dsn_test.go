package mailintake

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func readDSN(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/dsn/" + name)
	require.NoError(t, err)
	return raw
}

// TestParseDSNRealSamples reads the RFC 3464 example and real bounces of
// Postfix, Exim, amavisd-new, Gmail and sendmail (testdata/dsn/SOURCE.md).
func TestParseDSNRealSamples(t *testing.T) {
	for _, tc := range []struct {
		file, rcpt, action, status, diag string
		failed                           bool
	}{
		{"rfc3464-appendix-simple.eml", "louisl@larry.slip.umd.edu", "failed", "4.0.0", "smtp; 426 connection timed out", true},
		{"sisimai-lhost-postfix-01.eml", "r@p351355.pool.example.ne.jp", "failed", "5.1.1", "x-unix; procmail", true},
		{"sisimai-lhost-exim-29.eml", "kijitora@example.co.jp", "failed", "5.0.0", "smtp; 550 Bad SPF records for", true},
		{"sisimai-lhost-amavis-01.eml", "neko@example.co.jp", "failed", "5.1.1", "User unknown in virtual mailbox table", true},
		{"sisimai-rfc3464-01.eml", "userunknown@bouncehammer.jp", "failed", "5.1.1", "550 5.1.1 <userunknown@bouncehammer.jp>... User Unknown", true},
		{"sisimai-lhost-googleworkspace-01.eml", "neko-nyaan-cat-meeting@google-groups.example.com", "failed", "", "X-Failed-Recipients", true},
		{"sisimai-lhost-opensmtpd-06.eml", "nekochan@libsisimai.org", "delayed", "4.4.7", "", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, ok := ParseDSN(readDSN(t, tc.file))
			require.True(t, ok)
			require.NotEmpty(t, b.Recipients)
			r := b.Recipients[0]
			require.Equal(t, tc.rcpt, r.FinalRecipient)
			require.Equal(t, tc.action, r.Action)
			require.Equal(t, tc.status, r.Status)
			require.Contains(t, r.DiagnosticCode, tc.diag)
			_, failed := b.Failed()
			require.Equal(t, tc.failed, failed)
			require.Empty(t, b.NoticeID, "a foreign message names no notice")
		})
	}
}

// TestParseDSNIgnoresOtherMail: a plain-text bounce without an RFC 3464
// part, and an ordinary report, are no DSN.
func TestParseDSNIgnoresOtherMail(t *testing.T) {
	_, ok := ParseDSN(readDSN(t, "sisimai-lhost-exim-01.eml"))
	require.False(t, ok)
	_, ok = ParseDSN([]byte("From: a@b.example\r\nSubject: phishing\r\n\r\nhttps://bad.example/\r\n"))
	require.False(t, ok)
}

// TestParseDSNFindsTheNotice: the returned headers name the notice by
// X-Abusedesk-Notice, else by its Message-ID <id@abusedesk>.
func TestParseDSNFindsTheNotice(t *testing.T) {
	raw := string(readDSN(t, "sisimai-lhost-postfix-01.eml"))
	i := strings.Index(raw, "Content-Type: message/rfc822")
	require.Positive(t, i)
	j := i + strings.Index(raw[i:], "\n\n") + 2
	withHeader := raw[:j] + "X-Abusedesk-Notice: n_0123abcd\n" + raw[j:]
	b, ok := ParseDSN([]byte(withHeader))
	require.True(t, ok)
	require.Equal(t, "n_0123abcd", b.NoticeID)
	require.Equal(t, "header", b.MatchedBy)

	withID := raw[:j] + "Message-ID: <n_77ff@abusedesk>\n" + raw[j:]
	b, ok = ParseDSN([]byte(withID))
	require.True(t, ok)
	require.Equal(t, "n_77ff", b.NoticeID)
	require.Equal(t, "message-id", b.MatchedBy)

	// amavis returns text/rfc822-headers.
	am := string(readDSN(t, "sisimai-lhost-amavis-01.eml"))
	k := strings.Index(am, "text/rfc822-headers")
	k += strings.Index(am[k:], "\n\n") + 2
	b, ok = ParseDSN([]byte(am[:k] + "X-Abusedesk-Notice: n_a1\n" + am[k:]))
	require.True(t, ok)
	require.Equal(t, "n_a1", b.NoticeID)
}

func TestVERPNoticeID(t *testing.T) {
	id, ok := VERPNoticeID("<Bounces+n_0a1b@desk.example.org>", "bounces")
	require.True(t, ok)
	require.Equal(t, "n_0a1b", id)
	for _, bad := range []string{"abuse@desk.example.org", "bounces@desk.example.org", "bounces+@x", "bounces+a/b@x", "other+n_1@x"} {
		_, ok := VERPNoticeID(bad, "bounces")
		require.False(t, ok, bad)
	}
	_, ok = VERPNoticeID("bounces+n_1@x", "")
	require.False(t, ok)
}

// recordingBounces is a BounceHandler that keeps what it was given.
type recordingBounces struct{ got []Bounce }

func (r *recordingBounces) HandleBounce(_ context.Context, b Bounce) error {
	r.got = append(r.got, b)
	return nil
}

// TestProcessHandsDSNsToTheBounceHandler: a DSN to a VERP address goes to
// the handler, named by the address, never to the submitter or replier.
func TestProcessHandsDSNsToTheBounceHandler(t *testing.T) {
	sub := &fakeSubmitter{cases: map[string]string{}}
	rep := &fakeReplier{}
	s := NewServer("127.0.0.1:0", Config{}, sub, rep, nil)
	h := &recordingBounces{}
	s.Bounces, s.BounceLocalPart = h, "bounces"
	require.NoError(t, s.process(context.Background(), "", "bounces+n_42@desk.example", readDSN(t, "sisimai-lhost-postfix-01.eml")))
	require.Len(t, h.got, 1)
	require.Equal(t, "n_42", h.got[0].NoticeID)
	require.Equal(t, "verp", h.got[0].MatchedBy)
	// A DSN naming no notice, to the abuse address: dropped, not a case.
	require.NoError(t, s.process(context.Background(), "", "abuse@desk.example", readDSN(t, "sisimai-lhost-exim-29.eml")))
	require.Len(t, h.got, 1)
	calls, _, _ := sub.snapshot()
	require.Empty(t, calls)
	require.Empty(t, rep.snapshot())
}
