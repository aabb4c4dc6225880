package desk

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestLoadCaseShowsOperatorAnswers (issue 17): the case's JSON carries, on
// each answered notice, what the operator said, when and how: a dispute's
// statement through the response link, a counter-notice with its 512(g)(3)
// elements, and a removal an analyst recorded from a reply by mail, whose
// text is the operator's mail.
func TestLoadCaseShowsOperatorAnswers(t *testing.T) {
	d, _ := testDesk(t)
	ctx := context.Background()
	addCase(t, d.DB, "c1", models.StatusDisputed)
	at := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	for _, id := range []string{"n_dispute", "n_counter", "n_mail", "n_none"} {
		require.NoError(t, d.DB.Create(&models.Notice{ID: id, CaseID: "c1", Step: "step-" + id, RecipientRole: models.RoleOperator,
			To: "owner@pages.example", Status: models.NoticeSent, CreatedAt: at}).Error)
	}
	dispute := `It is our own bank's page. <script>alert(1)</script>`
	long := strings.Repeat("é", MaxAnswerStatement) // 2 bytes each: cut to MaxAnswerStatement bytes
	require.NoError(t, d.DB.Create(&[]models.OperatorReply{
		{NoticeID: "n_dispute", CaseID: "c1", Response: AnswerDispute, Statement: dispute, CreatedAt: at.Add(time.Minute)},
		{NoticeID: "n_counter", CaseID: "c1", Response: AnswerCounterNotice, Statement: long, MaterialIdentified: "the song",
			UnderPenalty: true, ConsentJurisdiction: true, Name: "Owen", Address: "1 Example Road", Phone: "+1 555 0100",
			Signature: "Owen O.", CreatedAt: at.Add(2 * time.Minute)},
		{NoticeID: "n_mail", CaseID: "c1", Response: AnswerRemoved, Statement: "Answered by email (reply by mail 1); recorded by analyst alice.",
			CreatedAt: at.Add(4 * time.Minute)},
	}).Error)
	accepted := at.Add(4 * time.Minute)
	require.NoError(t, d.DB.Create(&models.MailReply{NoticeID: "n_mail", CaseID: "c1", DedupKey: "k1", FromAddr: "owner@pages.example",
		Text: "We took the page down.", SuggestedAnswer: models.SuggestRemoved, ReceivedAt: at.Add(3 * time.Minute),
		AcceptedBy: "alice", AcceptedAt: &accepted}).Error)

	cv, err := d.LoadCase(ctx, "c1")
	require.NoError(t, err)
	raw, err := json.Marshal(cv)
	require.NoError(t, err)
	var got struct {
		Notices []struct {
			NoticeID       string         `json:"notice_id"`
			OperatorAnswer map[string]any `json:"operator_answer"`
		} `json:"notices"`
	}
	require.NoError(t, json.Unmarshal(raw, &got))
	answers := map[string]map[string]any{}
	for _, n := range got.Notices {
		answers[n.NoticeID] = n.OperatorAnswer
	}
	require.Nil(t, answers["n_none"], "an unanswered notice has no operator_answer")

	require.Equal(t, map[string]any{"kind": "dispute", "statement": dispute, "answered_at": "2026-12-06T03:01:00Z",
		"via": "notice_link"}, answers["n_dispute"], "the statement comes back verbatim (escaping is the front end's job)")

	c := answers["n_counter"]
	require.Equal(t, "counter_notice", c["kind"])
	require.Equal(t, true, c["statement_truncated"])
	require.Len(t, c["statement"], MaxAnswerStatement)
	require.Equal(t, map[string]any{"material_identified": "the song", "under_penalty_of_perjury": true,
		"consent_to_jurisdiction": true, "name": "Owen", "signature": "Owen O."}, c["counter_notice"])
	require.NotContains(t, string(raw), "+1 555 0100", "the operator's phone is not repeated in the case view")

	require.Equal(t, map[string]any{"kind": "removed", "statement": "We took the page down.", "answered_at": "2026-12-06T03:03:00Z",
		"via": "email", "recorded_by": "alice"}, answers["n_mail"])

	// The timeline (what the auditor reads) quotes each statement, bounded.
	es, err := d.withAnswerStatements(ctx, "c1", []TimelineEntry{
		{What: "Operator answered: dispute", Extra: "notice n_dispute"},
		{What: "Operator answered: counter_notice", Extra: "notice n_counter"},
		{What: "Operator answered: removed", Extra: "notice n_mail"},
		{What: "Decision: violates", Extra: "notice n_dispute"},
	})
	require.NoError(t, err)
	require.Equal(t, "notice n_dispute · notice_link: “"+dispute+"”", es[0].Extra)
	require.Equal(t, "notice n_counter · notice_link: “"+strings.Repeat("é", maxTimelineStatement/2)+" …”", es[1].Extra)
	require.Equal(t, "notice n_mail · email: “We took the page down.”", es[2].Extra)
	require.Equal(t, "notice n_dispute", es[3].Extra, "only the answers' entries are quoted")
}

// TestOperatorRepliesOfCase: store.OperatorReplies lists one case's
// answers only, oldest first.
func TestOperatorRepliesOfCase(t *testing.T) {
	d, _ := testDesk(t)
	at := time.Now().UTC()
	require.NoError(t, d.DB.Create(&[]models.OperatorReply{
		{NoticeID: "b", CaseID: "c1", Response: AnswerRemoved, CreatedAt: at.Add(time.Second)},
		{NoticeID: "a", CaseID: "c1", Response: AnswerDispute, CreatedAt: at},
		{NoticeID: "x", CaseID: "c2", Response: AnswerDispute, CreatedAt: at},
	}).Error)
	rs, err := store.OperatorReplies(context.Background(), d.DB, "c1")
	require.NoError(t, err)
	require.Len(t, rs, 2)
	require.Equal(t, []string{"a", "b"}, []string{rs[0].NoticeID, rs[1].NoticeID})
}
