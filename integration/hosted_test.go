package integration

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/calendar"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
)

// Issue 3, hosted content, over HTTP with the embedded Temporal server and
// the loopback SMTP sink. What runs on real time here is bounded:
//   - TestHostedCounterNoticeCourtAction: analyst decision -> 451 at the
//     edge and in the blocklist (ETag, 304) -> the operator's counter-notice
//     through the emailed link -> the case waits with its restore date 10
//     business days out (checked against the reply's time) -> a court
//     action closes it with the content still disabled.
//   - TestHostedDisputeReverseAndUphold: dispute -> reverse restores access
//     (edge 200 again, strike withdrawn); dispute -> uphold keeps it down.
//   - TestHostedNoAnswerReminderDeadline: short configured timers; the
//     reminder and then the permanent removal when nobody answers.
// The restore after 10 business days itself (days of timers) is covered by
// the workflow unit tests with time skipping in workflows/hosted_test.go.

const (
	operatorHosted = "owner@pages.example"
	reporterEmail  = "rita@reporter.example"
)

func TestHostedCounterNoticeCourtAction(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})

	c := env.File(report("copyright", []string{"https://pages.example/x"}, true))
	cs := env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
	require.Equal(t, "hosting", cs.Service)
	require.Equal(t, "pages.example", cs.Domain)
	require.Equal(t, http.StatusOK, edge(t, env, "pages.example", "/x"), "nothing is disabled before a decision")
	before, etag0 := blocklist(t, env)
	require.Empty(t, before)

	// A decision the case cannot take now is a 409; a malformed one a 422.
	refused(t, decide(t, env, testenv.AnalystKey, c.CaseID, map[string]any{"verdict": "uphold", "reason": "r"}), http.StatusConflict)
	refused(t, decide(t, env, testenv.AnalystKey, c.CaseID, map[string]any{"verdict": "violates", "clause": "nope", "reason": "r"}), http.StatusUnprocessableEntity)
	refused(t, decide(t, env, testenv.AnalystKey, c.CaseID, map[string]any{"verdict": "violates", "clause": "ip"}), http.StatusUnprocessableEntity)

	violates(t, env, c.CaseID, "ip")
	cs = env.WaitCase(c.CaseID, caseWait, status("awaiting_operator"))
	require.NotNil(t, cs.NextDeadline)
	// A second decision while the operator is asked is refused.
	refused(t, decide(t, env, testenv.AnalystKey, c.CaseID, map[string]any{"verdict": "violates", "clause": "ip", "reason": "again"}), http.StatusConflict)

	// The edge answers 451 with a link to the public statement.
	r := call(t, env, "GET", "/edge/pages.example/x", "", nil, nil)
	require.Equal(t, http.StatusUnavailableForLegalReasons, r.Code)
	require.Contains(t, r.Header.Get("Link"), "/v1/blocked/mit_")
	require.Equal(t, http.StatusOK, edge(t, env, "PAGES.example", "/other/page"), "only the reported URL is covered, not the whole site object (issue 17)")
	require.Equal(t, http.StatusOK, edge(t, env, "img.pages.example", "/a.png"), "another object of the account stays up")
	st := call(t, env, "GET", "/v1/blocked/pages-site-1", "", nil, nil)
	require.Equal(t, http.StatusOK, st.Code)
	require.NotContains(t, string(st.Body), reporterEmail)

	blocks, etag := blocklist(t, env)
	require.NotEqual(t, etag0, etag)
	require.Len(t, blocks, 1)
	require.Equal(t, blockJSON{ObjectID: "pages-site-1", URLPrefix: "https://pages.example/x", CaseID: c.CaseID}, blocks["pages-site-1"])
	nm := call(t, env, "GET", "/v1/blocklist", "", map[string]string{"If-None-Match": etag}, nil)
	require.Equal(t, http.StatusNotModified, nm.Code)
	require.Empty(t, nm.Body)
	require.Equal(t, http.StatusOK, call(t, env, "GET", "/v1/blocklist", "", map[string]string{"If-None-Match": etag0}, nil).Code)

	// The operator's notice carries the link; the link opens the notice.
	noticeID, token := responseLink(t, env, operatorHosted, c.CaseID)
	var view struct {
		CaseID  string   `json:"case_id"`
		Answers []string `json:"answers"`
		URLs    []string `json:"urls"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/notices/"+noticeID+"?token="+token, "", nil, &view))
	require.Equal(t, c.CaseID, view.CaseID)
	require.Equal(t, []string{"removed", "dispute", "counter_notice"}, view.Answers)
	require.Equal(t, []string{"https://pages.example/x"}, view.URLs)

	// A counter-notice lacking the 512(g)(3) elements names each of them.
	p := refused(t, respond(t, env, noticeID, token, map[string]any{"response": "counter_notice"}), http.StatusUnprocessableEntity)
	require.ElementsMatch(t, []string{"material_identified", "under_penalty_of_perjury", "consent_to_jurisdiction",
		"name", "address", "phone", "signature"}, p.Fields())
	refused(t, respond(t, env, noticeID, token, map[string]any{"response": "maybe"}), http.StatusUnprocessableEntity)

	counter := map[string]any{"response": "counter_notice", "statement": "licensed from the author",
		"material_identified": "the page https://pages.example/x", "under_penalty_of_perjury": true,
		"consent_to_jurisdiction": true, "name": "Olga Owner", "address": "1 Page Street", "phone": "+1 555 0100",
		"signature": "/Olga Owner/"}
	r = respond(t, env, noticeID, token, counter)
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	// The same answer again is a replay (issue 13: a retry after a lost
	// signal must not be refused); another answer is a 409.
	require.Equal(t, http.StatusOK, respond(t, env, noticeID, token, counter).Code)
	refused(t, respond(t, env, noticeID, token, map[string]any{"response": "removed"}), http.StatusConflict)

	cs = env.WaitCase(c.CaseID, caseWait, status("counter_notice_wait"))
	var reply models.OperatorReply
	require.NoError(t, env.App.DB.First(&reply, "notice_id = ?", noticeID).Error)
	restoreAt := calendar.AddBusinessDays(reply.CreatedAt.UTC(), 10)
	require.NotNil(t, cs.NextDeadline)
	require.WithinDuration(t, restoreAt, *cs.NextDeadline, time.Second, "restore is due 10 business days after the counter-notice")
	require.Equal(t, 10, calendar.BusinessDaysBetween(reply.CreatedAt.UTC(), cs.NextDeadline.UTC()))
	// Ten business days always include the weekend in their middle: 14
	// calendar days from a weekday, 12 from a Sunday, 13 from a Saturday.
	require.GreaterOrEqual(t, cs.NextDeadline.Sub(reply.CreatedAt), 12*24*time.Hour-time.Second, "10 business days span a weekend")
	require.True(t, calendar.IsBusinessDay(cs.NextDeadline.UTC()), "the restore falls on a business day")
	var detail struct {
		RestoreAt    *time.Time `json:"restore_at"`
		DeadlineKind string     `json:"deadline_kind"`
		Awaiting     string     `json:"awaiting"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases/"+c.CaseID, testenv.AnalystKey, nil, &detail))
	require.NotNil(t, detail.RestoreAt)
	require.WithinDuration(t, restoreAt, *detail.RestoreAt, time.Second)
	require.Equal(t, "restore", detail.DeadlineKind)
	require.Equal(t, "counter_notice", detail.Awaiting)
	require.Equal(t, http.StatusUnavailableForLegalReasons, edge(t, env, "pages.example", "/x"), "disabled while the counter-notice period runs")

	// The complainant gets the counter-notice with the restore date.
	rita := waitMail(t, env, reporterEmail, c.CaseID, 3)
	last := rita[len(rita)-1]
	require.Contains(t, last.Subject, "counter-notice")
	require.Contains(t, last.Body, restoreAt.Format("2 January 2006"))
	require.Contains(t, last.Body, "Olga Owner")

	// The complainant filed a court action: the case closes, content stays down.
	refused(t, call(t, env, "POST", "/v1/cases/"+c.CaseID+"/court-action", testenv.AuditorKey, nil, map[string]any{"reference": "x"}), http.StatusForbidden)
	r = call(t, env, "POST", "/v1/cases/"+c.CaseID+"/court-action", testenv.AnalystKey, nil, map[string]any{"reference": "N.D. Cal. 5:26-cv-00001"})
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	cs = env.WaitCase(c.CaseID, caseWait, closed)
	require.Equal(t, "court_action_pending", cs.Outcome)
	require.Equal(t, http.StatusUnavailableForLegalReasons, edge(t, env, "pages.example", "/x"))
	refused(t, call(t, env, "POST", "/v1/cases/"+c.CaseID+"/court-action", testenv.AnalystKey, nil, map[string]any{"reference": "again"}), http.StatusConflict)

	// Exactly: reporter receipt, decision, counter-notice; one operator notice.
	msgs := settle(t, env, 4)
	require.Equal(t, 3, countTo(msgs, reporterEmail), subjects(msgs))
	require.Equal(t, 1, countTo(msgs, operatorHosted), subjects(msgs))
	for _, m := range msgs {
		require.NotContains(t, m.Body, "192.0.2.30", "no origin IP in hosted-content notices: %s", m.Subject)
	}
}

func TestHostedDisputeReverseAndUphold(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})

	// Reverse: malware on the images bucket.
	a := env.File(report("malware", []string{"https://img.pages.example/payload.png"}, true))
	env.WaitCase(a.CaseID, caseWait, status("awaiting_analyst"))
	violates(t, env, a.CaseID, "malware")
	env.WaitCase(a.CaseID, caseWait, status("awaiting_operator"))
	require.Equal(t, http.StatusUnavailableForLegalReasons, edge(t, env, "img.pages.example", "/payload.png"))
	require.Equal(t, http.StatusOK, edge(t, env, "pages.example", "/index.html"), "the pages site is another object")
	blocks, etagDown := blocklist(t, env)
	require.Contains(t, blocks, "images-bucket-1")

	noticeID, token := responseLink(t, env, operatorHosted, a.CaseID)
	var view struct {
		Answers []string `json:"answers"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/notices/"+noticeID+"?token="+token, "", nil, &view))
	require.Equal(t, []string{"removed", "dispute"}, view.Answers, "a counter-notice is for copyright only")
	p := refused(t, respond(t, env, noticeID, token, map[string]any{"response": "dispute"}), http.StatusUnprocessableEntity)
	require.Equal(t, []string{"statement"}, p.Fields())
	refused(t, respond(t, env, noticeID, token, map[string]any{"response": "counter_notice"}), http.StatusUnprocessableEntity)
	r := respond(t, env, noticeID, token, map[string]any{"response": "dispute", "statement": "it is a virus scanner test file"})
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	env.WaitCase(a.CaseID, caseWait, status("disputed"))
	refused(t, decide(t, env, testenv.AnalystKey, a.CaseID, map[string]any{"verdict": "violates", "clause": "malware", "reason": "r"}), http.StatusConflict)
	r = decide(t, env, testenv.AnalystKey, a.CaseID, map[string]any{"verdict": "reverse", "reason": "EICAR test file, harmless"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	ca := env.WaitCase(a.CaseID, caseWait, closed)
	require.Equal(t, "restored", ca.Outcome)
	require.Equal(t, http.StatusOK, edge(t, env, "img.pages.example", "/payload.png"), "reverse restores access")
	blocks, etagUp := blocklist(t, env)
	require.NotContains(t, blocks, "images-bucket-1")
	require.NotEqual(t, etagDown, etagUp)
	var strike models.Strike
	require.NoError(t, env.App.DB.First(&strike, "case_id = ?", a.CaseID).Error)
	require.NotNil(t, strike.WithdrawnAt, "a reversed decision withdraws the strike")
	refused(t, decide(t, env, testenv.AnalystKey, a.CaseID, map[string]any{"verdict": "uphold", "reason": "r"}), http.StatusConflict)

	// Uphold: phishing on the pages site stays disabled.
	b := env.File(report("phishing", []string{"https://pages.example/login"}, true))
	env.WaitCase(b.CaseID, caseWait, status("awaiting_analyst"))
	violates(t, env, b.CaseID, "other_illegal")
	env.WaitCase(b.CaseID, caseWait, status("awaiting_operator"))
	noticeB, tokenB := responseLink(t, env, operatorHosted, b.CaseID)
	r = respond(t, env, noticeB, tokenB, map[string]any{"response": "dispute", "statement": "this is our real login page"})
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	env.WaitCase(b.CaseID, caseWait, status("disputed"))
	r = decide(t, env, testenv.AnalystKey, b.CaseID, map[string]any{"verdict": "uphold", "reason": "it collects bank credentials"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	cb := env.WaitCase(b.CaseID, caseWait, closed)
	require.Equal(t, "restriction_upheld", cb.Outcome)
	require.Equal(t, http.StatusUnavailableForLegalReasons, edge(t, env, "pages.example", "/login"))
	strike = models.Strike{} // GORM would add the old primary key to the query
	require.NoError(t, env.App.DB.First(&strike, "case_id = ?", b.CaseID).Error)
	require.Nil(t, strike.WithdrawnAt)

	// Per case: the reporter's receipt and decision; the operator's notice
	// and the outcome (restored / upheld).
	msgs := settle(t, env, 8)
	require.Len(t, mailFor(env, reporterEmail, a.CaseID), 2)
	require.Len(t, mailFor(env, reporterEmail, b.CaseID), 2)
	opA := mailFor(env, operatorHosted, a.CaseID)
	require.Len(t, opA, 2, subjects(opA))
	require.Contains(t, opA[1].Subject, "Access restored")
	opB := mailFor(env, operatorHosted, b.CaseID)
	require.Len(t, opB, 2, subjects(opB))
	require.Contains(t, opB[1].Subject, "dispute was reviewed")
	require.Equal(t, 4, countTo(msgs, operatorHosted))
}

func TestHostedNoAnswerReminderDeadline(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_OPERATOR_REMINDER_AFTER":  "2s",
		"ABUSEDESK_OPERATOR_RESPONSE_WINDOW": "5s",
	}})
	c := env.File(report("fraud", []string{"https://pages.example/scam"}, true))
	env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
	violates(t, env, c.CaseID, "other_illegal")
	cs := env.WaitCase(c.CaseID, caseWait, status("awaiting_operator"))
	require.NotNil(t, cs.NextDeadline)
	require.WithinDuration(t, time.Now().Add(5*time.Second), *cs.NextDeadline, 5*time.Second)
	noticeID, token := responseLink(t, env, operatorHosted, c.CaseID)

	op := waitMail(t, env, operatorHosted, c.CaseID, 2)
	require.Contains(t, op[1].Subject, "Reminder")
	cs = env.WaitCase(c.CaseID, caseWait, closed)
	require.Equal(t, "content_removed_no_response", cs.Outcome)
	op = waitMail(t, env, operatorHosted, c.CaseID, 3)
	require.Contains(t, op[2].Subject, "removed permanently")

	blocks, _ := blocklist(t, env)
	require.True(t, blocks["pages-site-1"].Removed, "removed for good")
	require.Equal(t, http.StatusUnavailableForLegalReasons, edge(t, env, "pages.example", "/scam"))
	var strike models.Strike
	require.NoError(t, env.App.DB.First(&strike, "case_id = ?", c.CaseID).Error)
	require.True(t, strike.NoMeaningfulStep)

	// A late answer through the link is refused: the case takes none now.
	p := refused(t, respond(t, env, noticeID, token, map[string]any{"response": "removed"}), http.StatusConflict)
	require.Equal(t, []string{"response"}, p.Fields())

	msgs := settle(t, env, 5)
	require.Equal(t, 3, countTo(msgs, operatorHosted), subjects(msgs))
	require.Equal(t, 2, countTo(msgs, reporterEmail), subjects(msgs))
	for _, m := range msgs {
		require.False(t, strings.Contains(m.Body, "192.0.2.30"))
	}
}

// TestOperatorAnswersAtOnce: the link works the moment the notice arrives.
// The workflow takes answers from the first notice on but writes the read
// model's awaiting_operator after sending it; the server asks the workflow
// in between (before that fix, most immediate answers were a 409).
func TestOperatorAnswersAtOnce(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	for _, u := range []string{"https://pages.example/r1", "https://img.pages.example/r2", "https://pages.example/r3"} {
		c := env.File(report("phishing", []string{u}, true))
		env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
		violates(t, env, c.CaseID, "other_illegal")
		noticeID, token := responseLink(t, env, operatorHosted, c.CaseID)
		r := respond(t, env, noticeID, token, map[string]any{"response": "removed"})
		require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
		cs := env.WaitCase(c.CaseID, caseWait, closed)
		require.Equal(t, "content_removed", cs.Outcome)
	}
	settle(t, env, 3*3)
}
