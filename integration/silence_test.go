package integration

// No silence (issue 14) with the whole app: a repeated report from an
// authenticated sender is answered with the earlier case's id (never its
// token); the same from an unauthenticated sender is not answered; and
// without smtp_addr a refusal reply is kept in the intake replies outbox,
// readable by analysts, as not sent with the reason.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/temporalserver"
)

type intakeRepliesJSON struct {
	Replies []struct {
		To      string  `json:"to"`
		Subject string  `json:"subject"`
		Body    string  `json:"body"`
		CaseID  string  `json:"case_id"`
		Kind    string  `json:"kind"`
		SentAt  *string `json:"sent_at"`
		Error   string  `json:"error"`
	} `json:"replies"`
}

func startSilenceEnv(t *testing.T, extra map[string]string) (*testenv.Env, string) {
	addr, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	env := map[string]string{
		"ABUSEDESK_INTAKE_SMTP_ADDR":   addr,
		"ABUSEDESK_INTAKE_ADDRESSES":   "abuse@abusedesk.test",
		"ABUSEDESK_INTAKE_AUTHSERV_ID": intakeAuthserv,
	}
	for k, v := range extra {
		env[k] = v
	}
	return testenv.Start(t, testenv.Options{Env: env}), addr
}

// duplicateReplies are the sink's duplicate replies to rcpt.
func duplicateReplies(env *testenv.Env, rcpt string) []string {
	var out []string
	for _, m := range env.Sink.To(rcpt) {
		if strings.Contains(m.Body, "repeats a report received before") {
			out = append(out, m.Body)
		}
	}
	return out
}

func TestSilenceDuplicateAnsweredOnlyToAuthenticatedSender(t *testing.T) {
	env, addr := startSilenceEnv(t, nil)
	const sender = "takedown@brand-protect.example"
	msg := xarfAttachmentMail("silence-1@brand-protect.example", xarfPhishing()) // DMARC pass at our authserv-id
	require.NoError(t, sendMail(t, addr, sender, "abuse@abusedesk.test", msg))
	first := emailCase(t, env, sender)
	require.Empty(t, duplicateReplies(env, sender))
	require.NoError(t, sendMail(t, addr, sender, "abuse@abusedesk.test", msg))
	emailCase(t, env, sender) // still one case
	dups := duplicateReplies(env, sender)
	require.Len(t, dups, 1, "the replies are synchronous: the second mail's reply has arrived")
	require.Contains(t, dups[0], "abuse report "+first.ID)
	require.NotContains(t, dups[0], "token")

	var ans intakeRepliesJSON
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/admin/intake-replies?status=sent", testenv.AnalystKey, nil, &ans))
	require.Len(t, ans.Replies, 1)
	require.Equal(t, "duplicate", ans.Replies[0].Kind)
	require.Equal(t, first.ID, ans.Replies[0].CaseID)
	require.Equal(t, sender, ans.Replies[0].To)
	require.NotNil(t, ans.Replies[0].SentAt)

	// The same report twice from a sender no one vouches for: one case,
	// no reply naming it.
	const stranger = "bob@reporter.example"
	plain := plainMail("Bob <bob@reporter.example>", "abuse@abusedesk.test", "silence-2@reporter.example", "Phishing",
		"Hello,\n\nhttps://blog.example/silence-login steals logins.\n")
	for range 2 {
		require.NoError(t, sendMail(t, addr, stranger, "abuse@abusedesk.test", plain))
	}
	emailCase(t, env, stranger)
	require.Empty(t, duplicateReplies(env, stranger))
	ans = intakeRepliesJSON{}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/admin/intake-replies", testenv.AnalystKey, nil, &ans))
	require.Len(t, ans.Replies, 1, "nothing kept for the stranger: it was never to be answered")
	require.Equal(t, http.StatusForbidden, env.Do("GET", "/v1/admin/intake-replies", testenv.AuditorKey, nil, nil))
	require.Equal(t, http.StatusBadRequest, env.Do("GET", "/v1/admin/intake-replies?limit=100000", testenv.AnalystKey, nil, nil))
}

func TestSilenceRefusalKeptWithoutRelay(t *testing.T) {
	env, addr := startSilenceEnv(t, map[string]string{"ABUSEDESK_SMTP_ADDR": ""})
	help := append([]byte("Authentication-Results: "+intakeAuthserv+"; dmarc=pass header.from=reporter.example\r\n"),
		plainMail("Bob <bob@reporter.example>", "abuse@abusedesk.test", "silence-help@reporter.example", "help",
			"Something is wrong on your network, please check.\n")...)
	require.NoError(t, sendMail(t, addr, "bob@reporter.example", "abuse@abusedesk.test", help))
	require.Empty(t, env.Sink.Messages(), "no relay: nothing is mailed")

	var ans intakeRepliesJSON
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/admin/intake-replies?status=not_sent", testenv.AnalystKey, nil, &ans))
	require.Len(t, ans.Replies, 1)
	r := ans.Replies[0]
	require.Equal(t, "refusal", r.Kind)
	require.Equal(t, "bob@reporter.example", r.To)
	require.Equal(t, "Re: help", r.Subject)
	require.Contains(t, r.Body, "urls:")
	require.Nil(t, r.SentAt)
	require.Contains(t, r.Error, "no smtp_addr")
	ans = intakeRepliesJSON{}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/admin/intake-replies?status=sent", testenv.AdminKey, nil, &ans))
	require.Empty(t, ans.Replies)
}
