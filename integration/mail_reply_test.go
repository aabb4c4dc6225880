package integration

import (
	"bytes"
	"context"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/temporalserver"
)

// Issue 20, replies by mail are heard: an operator who answers a notice by
// replying to it has the reply attached to the case, shown to the analyst
// with the answer it suggests, and applied only when the analyst accepts
// it. Everything runs through the real parts: the notice arrives at the
// loopback SMTP sink, the reply goes through the email intake's SMTP
// listener, the case is read and the reply accepted over HTTP, and the
// case workflow closes on the embedded Temporal server.

// mailReplyJSON is one entry of mail_replies on GET /v1/cases/{id}.
type mailReplyJSON struct {
	ID              uint   `json:"id"`
	NoticeID        string `json:"notice_id"`
	From            string `json:"from"`
	Subject         string `json:"subject"`
	Text            string `json:"text"`
	SuggestedAnswer string `json:"suggested_answer"`
	AcceptedBy      string `json:"accepted_by"`
}

// caseReplies reads the case's status and replies by mail.
func caseReplies(t *testing.T, env *testenv.Env, caseID string) (string, []mailReplyJSON) {
	t.Helper()
	var out struct {
		Status      string          `json:"status"`
		MailReplies []mailReplyJSON `json:"mail_replies"`
	}
	r := call(t, env, "GET", "/v1/cases/"+caseID, testenv.AnalystKey, nil, nil)
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	r.JSON(t, &out)
	return out.Status, out.MailReplies
}

// replyMail is a reply to the notice whose Message-ID is inReplyTo.
func replyMail(from, inReplyTo, msgID string, extra []string, text string) []byte {
	h := append([]string{"From: " + from, "To: abuse@abusedesk.test", "Subject: Re: abuse notice",
		"Date: Sat, 21 Nov 2026 09:00:00 +0100", "Message-ID: <" + msgID + ">", "In-Reply-To: " + inReplyTo,
		"References: " + inReplyTo, "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"}, extra...)
	return buildMessage(h, text)
}

// TestMailReplyAttachedAndAccepted: a hosted case decided "violates" sends
// the operator its notice; replies that only forge In-Reply-To (another
// sender, the operator's address with DMARC failing, the operator's domain
// without DMARC) are not attached; the operator's own reply "We have
// removed the page" appears on the case with suggested_answer removed while
// the case still awaits the operator; a reply that suggests nothing cannot
// be accepted; the analyst's acceptance closes the case content_removed,
// is audited with the analyst as actor, and is not applied twice; the
// personal-data purge erases the replies' senders, subjects and texts.
func TestMailReplyAttachedAndAccepted(t *testing.T) {
	mailReplyAttachedAndAccepted(t, false)
}

// TestMailReplyAttachedAndAcceptedPostgres is the same on PostgreSQL.
func TestMailReplyAttachedAndAcceptedPostgres(t *testing.T) {
	mailReplyAttachedAndAccepted(t, true)
}

func mailReplyAttachedAndAccepted(t *testing.T, postgres bool) {
	addr, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{Postgres: postgres, Env: map[string]string{
		"ABUSEDESK_INTAKE_SMTP_ADDR":   addr,
		"ABUSEDESK_INTAKE_ADDRESSES":   "abuse@abusedesk.test",
		"ABUSEDESK_INTAKE_AUTHSERV_ID": intakeAuthserv,
		"ABUSEDESK_SMTP_FROM":          "abuse@abusedesk.test",
	}})
	c := env.File(report("phishing", []string{"https://pages.example/login"}, true))
	env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
	violates(t, env, c.CaseID, "other_illegal")
	noticeID, _ := responseLink(t, env, operatorHosted, c.CaseID)
	env.WaitCase(c.CaseID, caseWait, status("awaiting_operator"))
	var msgID string
	for _, m := range mailFor(env, operatorHosted, c.CaseID) {
		if m.NoticeID == noticeID {
			pm, err := mail.ReadMessage(bytes.NewReader(m.Raw))
			require.NoError(t, err)
			msgID = strings.TrimSpace(pm.Header.Get("Message-Id"))
			from, err := mail.ParseAddress(pm.Header.Get("From"))
			require.NoError(t, err)
			require.Equal(t, "abuse@abusedesk.test", from.Address, "replies go to the intake")
		}
	}
	require.Contains(t, msgID, noticeID, "the notice's Message-ID names the notice")

	removed := "Hello,\n\nWe have removed the page.\n\nRegards, Pages\n\nOn Fri, 20 Nov 2026, Abuse Desk wrote:\n> Please remove the content or send a counter-notice.\n"
	forged := []struct {
		name, from string
		extra      []string
	}{
		{"a stranger who passed DMARC", "mallory@attacker.example",
			[]string{"Authentication-Results: " + intakeAuthserv + "; dmarc=pass header.from=attacker.example"}},
		{"the operator's address failing DMARC", operatorHosted,
			[]string{"Authentication-Results: " + intakeAuthserv + "; dmarc=fail header.from=pages.example"}},
		{"another address of the operator's domain without DMARC", "sales@pages.example", nil},
	}
	for i, f := range forged {
		require.NoError(t, sendMail(t, addr, f.from, "abuse@abusedesk.test",
			replyMail(f.from, msgID, "forged-"+strconv.Itoa(i)+"@attacker.example", f.extra, removed)), f.name)
		st, replies := caseReplies(t, env, c.CaseID)
		require.Empty(t, replies, f.name)
		require.Equal(t, "awaiting_operator", st, f.name)
	}

	// The operator's reply, delivered twice, is attached once.
	for i := 0; i < 2; i++ {
		require.NoError(t, sendMail(t, addr, operatorHosted, "abuse@abusedesk.test",
			replyMail("Pages Owner <"+operatorHosted+">", msgID, "reply-1@pages.example", nil, removed)))
	}
	st, replies := caseReplies(t, env, c.CaseID)
	require.Len(t, replies, 1)
	require.Equal(t, "awaiting_operator", st, "a reply by mail is never applied without the analyst")
	got := replies[0]
	require.Equal(t, noticeID, got.NoticeID)
	require.Equal(t, operatorHosted, got.From)
	require.Equal(t, "removed", got.SuggestedAnswer)
	require.Contains(t, got.Text, "We have removed the page")
	require.Empty(t, got.AcceptedBy)

	// A second reply, quoting the notice's header instead of In-Reply-To,
	// suggests nothing and cannot be accepted.
	question := buildMessage([]string{"From: " + operatorHosted, "To: abuse@abusedesk.test", "Subject: question",
		"Message-ID: <reply-2@pages.example>", "Content-Type: text/plain"},
		"Which page do you mean?\n\n> X-Abusedesk-Notice: "+noticeID+"\n")
	require.NoError(t, sendMail(t, addr, operatorHosted, "abuse@abusedesk.test", question))
	_, replies = caseReplies(t, env, c.CaseID)
	require.Len(t, replies, 2)
	require.Equal(t, "", replies[1].SuggestedAnswer)
	accept := func(id uint) reply {
		return call(t, env, "POST", "/v1/cases/"+c.CaseID+"/mail-replies/"+strconv.Itoa(int(id))+"/accept", testenv.AnalystKey, nil, nil)
	}
	refused(t, accept(replies[1].ID), http.StatusConflict)
	refused(t, accept(9999), http.StatusNotFound)
	require.Equal(t, http.StatusForbidden, call(t, env, "POST", "/v1/cases/"+c.CaseID+"/mail-replies/1/accept", testenv.AuditorKey, nil, nil).Code)

	r := accept(got.ID)
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	cs := env.WaitCase(c.CaseID, caseWait, closed)
	require.Equal(t, "content_removed", cs.Outcome)
	require.Equal(t, http.StatusOK, accept(got.ID).Code, "the same acceptance again is a replay")
	_, replies = caseReplies(t, env, c.CaseID)
	require.Equal(t, "analyst-alice", replies[0].AcceptedBy)

	var entries struct {
		Entries []struct {
			Actor string `json:"actor"`
			Kind  string `json:"kind"`
		} `json:"entries"`
	}
	call(t, env, "GET", "/v1/audit/entries?case_id="+c.CaseID, testenv.AuditorKey, nil, nil).JSON(t, &entries)
	kinds := map[string]string{}
	for _, e := range entries.Entries {
		kinds[e.Kind] = e.Actor
	}
	require.Equal(t, "analyst-alice", kinds["mail_reply_accepted"])
	require.Equal(t, "system", kinds["mail_reply_received"])

	// The personal-data purge erases the replies' senders, subjects and
	// texts with the case's other personal data.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := env.App.Acts.ErasePersonalData(ctx, activities.PurgeInput{ClosedBefore: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	require.Equal(t, 2, res.MailReplies)
	_, replies = caseReplies(t, env, c.CaseID)
	require.Len(t, replies, 2)
	for _, r := range replies {
		require.Equal(t, activities.ErasedText, r.Text)
		require.Empty(t, r.From)
		require.Empty(t, r.Subject)
	}
}
