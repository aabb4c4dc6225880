package integration

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
)

// Issue 4 over HTTP: the repeat-infringer policy and termination, the
// registrar paths, CSAM.

// reviewRow is models.Review as GET /v1/reviews answers it.
type reviewRow struct {
	ID            string `json:"id"`
	AccountID     string `json:"account_id"`
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	TriggerCaseID string `json:"trigger_case_id"`
	Verdict       string `json:"verdict"`
}

func reviews(t testing.TB, env *testenv.Env) []reviewRow {
	t.Helper()
	var out struct {
		Reviews []reviewRow `json:"reviews"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/reviews", testenv.AnalystKey, nil, &out))
	return out.Reviews
}

func waitReviews(t testing.TB, env *testenv.Env, cond func([]reviewRow) bool) []reviewRow {
	t.Helper()
	deadline := time.Now().Add(caseWait)
	for time.Now().Before(deadline) {
		if rs := reviews(t, env); cond(rs) {
			return rs
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.FailNow(t, "reviews did not reach the expected state", "%+v", reviews(t, env))
	return nil
}

// hostedCopyrightRemoved runs one copyright case on hosted content through
// the analyst's violates (ip) and the operator's "removed".
func hostedCopyrightRemoved(t *testing.T, env *testenv.Env, url string) testenv.Created {
	t.Helper()
	c := env.File(report("copyright", []string{url}, true))
	env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
	violates(t, env, c.CaseID, "ip")
	env.WaitCase(c.CaseID, caseWait, status("awaiting_operator"))
	noticeID, token := responseLink(t, env, operatorHosted, c.CaseID)
	r := respond(t, env, noticeID, token, map[string]any{"response": "removed", "statement": "taken down"})
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	cs := env.WaitCase(c.CaseID, caseWait, closed)
	require.Equal(t, "content_removed", cs.Outcome)
	return c
}

// TestRepeatInfringerTermination: three upheld copyright strikes on hosted
// content open one termination review (a fourth opens no second); the
// legal-basis validator refuses terminating a non-hosting service without
// one; terminating hosting disables every object of the account and tells
// the operator once.
func TestRepeatInfringerTermination(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	const reviewID = "TerminationReview:acct-hosted:repeat_infringer"

	var cases []testenv.Created
	for i, u := range []string{"https://pages.example/song1.mp3", "https://img.pages.example/cover.png", "https://pages.example/song2.mp3"} {
		cases = append(cases, hostedCopyrightRemoved(t, env, u))
		var strikes int64
		require.NoError(t, env.App.DB.Model(&models.Strike{}).Where("account_id = ? AND category = ? AND withdrawn_at IS NULL",
			"acct-hosted", models.CategoryCopyright).Count(&strikes).Error)
		require.EqualValues(t, i+1, strikes)
		if i < 2 {
			require.Empty(t, reviews(t, env), "no review below the threshold (%d strikes)", i+1)
		}
	}
	// The third strike opened the review (once).
	rs := waitReviews(t, env, func(rs []reviewRow) bool { return len(rs) == 1 && rs[0].Status == "awaiting_analyst" })
	require.Equal(t, reviewRow{ID: reviewID, AccountID: "acct-hosted", Kind: "repeat_infringer", Status: "awaiting_analyst",
		TriggerCaseID: cases[2].CaseID}, rs[0])

	// A fourth strike while the review is open opens no second one.
	hostedCopyrightRemoved(t, env, "https://pages.example/song3.mp3")
	rs = reviews(t, env)
	require.Len(t, rs, 1)
	require.Equal(t, "awaiting_analyst", rs[0].Status)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := env.App.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Namespace: env.App.Cfg.TemporalNamespace, Query: "WorkflowId = '" + reviewID + "'"})
	require.NoError(t, err)
	require.Len(t, list.Executions, 1, "one run of the review workflow")

	// An object of the account that no case touched: up until termination.
	extra := map[string]any{"accounts": []any{map[string]any{
		"id": "acct-hosted", "name": "Pages Customer", "operator_email": operatorHosted,
		"domains": []any{map[string]any{
			"name": "pages.example", "services": []string{"cdn", "hosting:pages", "hosting:images", "hosting:stream"},
			"origin_ips": []string{"192.0.2.30"},
			"hosted":     []any{map[string]any{"url_prefix": "https://video.pages.example/", "product": "stream", "object_id": "stream-1"}},
		}},
	}}}
	r := call(t, env, "POST", "/v1/admin/customers", testenv.AdminKey, nil, extra)
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	require.Equal(t, http.StatusOK, edge(t, env, "video.pages.example", "/live"))

	// The legal-basis validator: terminating a non-hosting service needs one.
	path := "/v1/reviews/acct-hosted/repeat_infringer/decisions"
	for _, bad := range []map[string]any{
		{"verdict": "terminate", "clause": "cdn", "reason": "repeat infringer"},
		{"verdict": "terminate", "clause": "registrar", "reason": "repeat infringer", "legal_basis": " "},
		{"verdict": "terminate", "clause": "mail", "reason": "r"},
		{"verdict": "terminate"},
		{"verdict": "violates", "reason": "r"},
	} {
		p := refused(t, call(t, env, "POST", path, testenv.AnalystKey, nil, bad), http.StatusUnprocessableEntity)
		require.Equal(t, []string{"verdict"}, p.Fields(), "%v", bad)
	}
	p := refused(t, call(t, env, "POST", path+"?service=cdn", testenv.AnalystKey, nil, map[string]any{"verdict": "terminate", "reason": "r"}), http.StatusUnprocessableEntity)
	require.Contains(t, p.Errors[0].Message, "legal basis")
	refused(t, call(t, env, "POST", "/v1/reviews/acct-cdn/repeat_infringer/decisions", testenv.AnalystKey, nil,
		map[string]any{"verdict": "terminate", "reason": "r"}), http.StatusNotFound)
	require.Equal(t, "awaiting_analyst", reviews(t, env)[0].Status, "a refused decision changed nothing")

	r = call(t, env, "POST", path, testenv.AnalystKey, nil, map[string]any{"verdict": "terminate", "reason": "four upheld copyright strikes in 12 months"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	rs = waitReviews(t, env, func(rs []reviewRow) bool { return len(rs) == 1 && rs[0].Status == "closed" })
	require.Equal(t, "terminate", rs[0].Verdict)
	refused(t, call(t, env, "POST", path, testenv.AnalystKey, nil, map[string]any{"verdict": "decline", "reason": "r"}), http.StatusConflict)

	// Every object of the account answers 451.
	for _, u := range []struct{ host, path string }{
		{"pages.example", "/"}, {"pages.example", "/about"}, {"img.pages.example", "/any.png"}, {"video.pages.example", "/live"},
	} {
		require.Equal(t, http.StatusUnavailableForLegalReasons, edge(t, env, u.host, u.path), u.host+u.path)
	}
	blocks, _ := blocklist(t, env)
	require.Contains(t, blocks, "stream-1")
	require.Equal(t, http.StatusOK, edge(t, env, "shop.example", "/"), "other accounts are untouched")
	var terms []models.Termination
	require.NoError(t, env.App.DB.Find(&terms).Error)
	require.Len(t, terms, 1)
	require.Equal(t, "acct-hosted", terms[0].AccountID)
	require.Equal(t, "hosting", terms[0].Service)
	require.Equal(t, "analyst-alice", terms[0].Analyst)
	var acct models.Account
	require.NoError(t, env.App.DB.First(&acct, "id = ?", "acct-hosted").Error)
	require.True(t, acct.Terminated)

	// Per case: receipt, decision, operator notice; plus one termination notice.
	msgs := settle(t, env, 4*3+1)
	var terminated []smtpsink.Message
	for _, m := range env.Sink.To(operatorHosted) {
		if strings.Contains(m.Subject, "Service terminated") {
			terminated = append(terminated, m)
		}
	}
	require.Len(t, terminated, 1, "the operator is told of the termination once")
	require.Contains(t, terminated[0].Body, "repeat_infringer")
	require.Equal(t, 5, countTo(msgs, operatorHosted))
	require.Equal(t, 8, countTo(msgs, reporterEmail))
}

// TestRegistrarPaths: WHOIS (no correction -> reminder -> analyst
// suspends; corrected through the link), hijacking (locked at once; uphold
// keeps the lock, reverse lifts it), trademark (answered, closed). The 10s
// correction window leaves the corrected case 5s before its reminder.
func TestRegistrarPaths(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_WHOIS_CORRECTION_WINDOW": "10s"}})
	const registrant = "registrant@parked.example"
	domainStatus := func(caseID string) string {
		var c struct {
			Customer struct {
				Domain struct{ Name, RegistrarStatus string }
			} `json:"customer"`
		}
		require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases/"+caseID, testenv.AnalystKey, nil, &c))
		return c.Customer.Domain.RegistrarStatus
	}

	// WHOIS, no correction: notice, reminder halfway, then an analyst suspends.
	a := env.File(report("registrar_whois", []string{"https://parked.example/"}, true))
	// WHOIS, corrected through the link in time.
	b := env.File(report("registrar_whois", []string{"http://www.parked.example/"}, true))
	ca := env.WaitCase(a.CaseID, caseWait, status("awaiting_registrant"))
	require.Equal(t, "registrar", ca.Service)
	require.Equal(t, "parked.example", ca.Domain)
	require.NotNil(t, ca.NextDeadline)
	env.WaitCase(b.CaseID, caseWait, status("awaiting_registrant"))
	nB, tokB := responseLink(t, env, registrant, b.CaseID)
	var view struct {
		Answers []string `json:"answers"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/notices/"+nB+"?token="+tokB, "", nil, &view))
	require.Equal(t, []string{"corrected"}, view.Answers)
	refused(t, respond(t, env, nB, tokB, map[string]any{"response": "removed"}), http.StatusUnprocessableEntity)
	r := respond(t, env, nB, tokB, map[string]any{"response": "corrected", "statement": "fixed the address"})
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	cb := env.WaitCase(b.CaseID, caseWait, closed)
	require.Equal(t, "whois_corrected", cb.Outcome)

	refused(t, decide(t, env, testenv.AnalystKey, a.CaseID, map[string]any{"verdict": "uphold", "reason": "too early"}), http.StatusConflict)
	regA := waitMail(t, env, registrant, a.CaseID, 2)
	require.Contains(t, regA[1].Subject, "Reminder")
	env.WaitCase(a.CaseID, caseWait, status("awaiting_registrar_review"))
	require.Empty(t, domainStatus(a.CaseID), "nothing happens to the domain before the analyst decides")
	refused(t, decide(t, env, testenv.AnalystKey, a.CaseID, map[string]any{"verdict": "violates", "clause": "other_illegal", "reason": "r"}), http.StatusConflict)
	r = decide(t, env, testenv.AnalystKey, a.CaseID, map[string]any{"verdict": "uphold", "reason": "registrant data still false after 15 days"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	ca = env.WaitCase(a.CaseID, caseWait, closed)
	require.Equal(t, "domain_suspended", ca.Outcome)
	require.Equal(t, "serverHold", domainStatus(a.CaseID))
	var d models.Domain
	require.NoError(t, env.App.DB.First(&d, "name = ?", "parked.example").Error)
	require.Equal(t, "serverHold", d.RegistrarStatus)
	regA = waitMail(t, env, registrant, a.CaseID, 3)
	require.Contains(t, regA[2].Subject, "suspended")

	// Hijacking: the lock is set at once, before any analyst looks.
	c := env.File(report("registrar_hijacking", []string{"https://parked.example/"}, true))
	cc := env.WaitCase(c.CaseID, caseWait, status("awaiting_registrar_review"))
	require.Equal(t, "registrar", cc.Service)
	require.Equal(t, "clientTransferProhibited", domainStatus(c.CaseID))
	r = decide(t, env, testenv.AnalystKey, c.CaseID, map[string]any{"verdict": "uphold", "reason": "transfer request was forged"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	cc = env.WaitCase(c.CaseID, caseWait, closed)
	require.Equal(t, "domain_locked", cc.Outcome)
	require.Equal(t, "clientTransferProhibited", domainStatus(c.CaseID))
	// ... and a reversed hijacking report lifts the lock (IDN domain).
	hd := env.File(report("registrar_hijacking", []string{"https://bücher.example/"}, true))
	env.WaitCase(hd.CaseID, caseWait, status("awaiting_registrar_review"))
	require.Equal(t, "clientTransferProhibited", domainStatus(hd.CaseID))
	r = decide(t, env, testenv.AnalystKey, hd.CaseID, map[string]any{"verdict": "reverse", "reason": "the transfer was the owner's"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	chd := env.WaitCase(hd.CaseID, caseWait, closed)
	require.Equal(t, "no_violation", chd.Outcome)
	require.Empty(t, domainStatus(hd.CaseID))

	// Trademark about a registrar-only domain: answered, closed, nobody else told.
	tm := env.File(report("trademark", []string{"https://parked.example/"}, true))
	ctm := env.WaitCase(tm.CaseID, caseWait, closed)
	require.Equal(t, "answered_registrar_scope", ctm.Outcome)
	require.Equal(t, "registrar", ctm.Service)
	rep := waitMail(t, env, reporterEmail, tm.CaseID, 2)
	require.Contains(t, rep[1].Body, "registrant")

	// A: receipt + whois, reminder, suspended. B: receipt + whois. C and
	// the IDN case: receipt + lock notice. Trademark: receipt + answer.
	msgs := settle(t, env, 4+2+2+2+2)
	require.Equal(t, 3+1+1, countTo(msgs, registrant), subjects(msgs))
	require.Equal(t, 1, countTo(msgs, "books@parked.example"))
	require.Equal(t, 6, countTo(msgs, reporterEmail))
	require.Empty(t, mailFor(env, registrant, tm.CaseID), "a trademark complaint is not sent to the registrant")
}

// TestCSAM: hosted CSAM is disabled before any decision, goes first in the
// queue, is reported to the clearinghouse and never reaches the operator;
// an anonymous report is accepted; CDN CSAM is not forwarded to the
// operator even when the reporter asks for it.
func TestCSAM(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})

	// An ordinary hosted case waiting on an analyst, filed first.
	ordinary := env.File(report("defamation", []string{"https://img.pages.example/meme.png"}, true))
	env.WaitCase(ordinary.CaseID, caseWait, status("awaiting_analyst"))

	// Hosted CSAM, anonymous: accepted without a reporter email.
	anon := map[string]any{"category": "csam", "urls": []string{"https://pages.example/gallery/1"}, "description": "child abuse imagery"}
	h := env.File(anon)
	require.NotEmpty(t, h.Token)
	ch := env.WaitCase(h.CaseID, caseWait, status("awaiting_analyst"))
	require.Equal(t, "hosting", ch.Service)
	require.Equal(t, http.StatusUnavailableForLegalReasons, edge(t, env, "pages.example", "/gallery/1"), "disabled before any decision")
	var chr models.ClearinghouseReport
	require.NoError(t, env.App.DB.First(&chr, "case_id = ?", h.CaseID).Error)
	// No clearinghouse_url here: the report is prepared for an analyst to
	// file by hand, and the case says so.
	require.Equal(t, models.ClearinghousePrepared, chr.State)
	require.True(t, chr.ByHand)

	// CSAM goes first in the queue.
	var queue struct {
		Cases []testenv.CaseJSON `json:"cases"`
	}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/cases?status=open", testenv.AnalystKey, nil, &queue))
	require.Len(t, queue.Cases, 2)
	require.Equal(t, h.CaseID, queue.Cases[0].CaseID)
	require.Equal(t, ordinary.CaseID, queue.Cases[1].CaseID)

	violates(t, env, h.CaseID, "csam")
	ch = env.WaitCase(h.CaseID, caseWait, closed)
	require.Equal(t, "content_removed", ch.Outcome)
	blocks, _ := blocklist(t, env)
	require.True(t, blocks["pages-site-1"].Removed)
	for _, n := range ch.Notices {
		require.NotEqual(t, "operator", n.RecipientRole, "the operator is never told of a CSAM report")
	}
	// The anonymous reporter can still follow the case with the token.
	require.Equal(t, http.StatusOK, call(t, env, "GET", "/v1/reports/"+h.CaseID+"?token="+h.Token, "", nil, nil).Code)

	// Hosted CSAM found not to be CSAM: access comes back.
	n := env.File(report("csam", []string{"https://img.pages.example/photo.jpg"}, true))
	env.WaitCase(n.CaseID, caseWait, status("awaiting_analyst"))
	require.Equal(t, http.StatusUnavailableForLegalReasons, edge(t, env, "img.pages.example", "/photo.jpg"))
	r := decide(t, env, testenv.AnalystKey, n.CaseID, map[string]any{"verdict": "no_violation", "reason": "adult, consenting, legal"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	cn := env.WaitCase(n.CaseID, caseWait, closed)
	require.Equal(t, "no_violation", cn.Outcome)
	require.Equal(t, http.StatusOK, edge(t, env, "img.pages.example", "/photo.jpg"))

	// CDN CSAM with forward_to_operator true: never forwarded to the
	// operator; the hosting provider gets it with the origin IP.
	cdn := env.File(report("csam", []string{"https://shop.example/hidden/"}, true))
	cc := env.WaitCase(cdn.CaseID, caseWait, closed)
	require.Equal(t, "forwarded", cc.Outcome)
	require.Equal(t, "cdn", cc.Service)
	roles := map[string]int{}
	for _, n := range cc.Notices {
		roles[n.RecipientRole]++
	}
	require.Equal(t, map[string]int{"reporter": 2, "hosting_provider": 1}, roles)

	var reports int64
	require.NoError(t, env.App.DB.Model(&models.ClearinghouseReport{}).
		Where("case_id IN ?", []string{h.CaseID, n.CaseID, cdn.CaseID}).Count(&reports).Error)
	require.EqualValues(t, 3, reports, "every CSAM report goes to the clearinghouse")

	// Ordinary: receipt. Anonymous CSAM: nothing. Not-CSAM: receipt and
	// decision. CDN CSAM: receipt, host, reporter reply.
	msgs := settle(t, env, 1+0+2+3)
	require.Zero(t, countTo(msgs, operatorHosted), "no notice to the hosted operator, ever")
	require.Zero(t, countTo(msgs, "webmaster@shop.example"), "no notice to the CDN operator")
	host := env.Sink.To("abuse@hosting.example")
	require.Len(t, host, 1)
	require.Contains(t, host[0].Body, "203.0.113.10")
	for _, m := range env.Sink.To(reporterEmail) {
		if strings.Contains(m.Subject, cdn.CaseID) && strings.Contains(m.Subject, "forwarded") {
			require.Contains(t, m.Body, "not to the website operator")
		}
	}
}
