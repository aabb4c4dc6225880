package integration

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// Issue 13, hole 6 and "answers that can be lost", through the real server:
//   - TestEdgeBlockSpellings: a block on https://sec.example/dir/ answers
//     451 however the path and host are spelled (before the fix
//     /%64ir/page.html, /./dir/page.html and /x/../dir/page.html answered
//     200 {"status":"ok"}); a sibling stays up; a block stored in an old
//     spelling still matches.
//   - TestOperatorAnswerRetryAfterLostSignal: the signal of an operator's
//     answer fails once; the operator's retry is a 200 (before the fix a
//     409 "already answered", and the case waited for the deadline that
//     removes the content for good) and the case closes content_removed.
//   - TestAnswerReconcilerDelivers: the signal of an operator's dispute
//     and of a reporter's answer fail once; nobody retries; the reconciler
//     delivers both (before the fix both cases waited forever).

// failingSignals is the server's Temporal client with SignalWorkflow
// failing the next n calls of an armed signal name.
type failingSignals struct {
	client.Client
	mu     sync.Mutex
	armed  map[string]int
	failed int
}

func (f *failingSignals) arm(signal string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed[signal] = n
}

func (f *failingSignals) failures() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

// SignalWorkflow fails as a Temporal frontend that is briefly unavailable.
func (f *failingSignals) SignalWorkflow(ctx context.Context, workflowID, runID, name string, arg any) error {
	f.mu.Lock()
	fail := f.armed[name] > 0
	if fail {
		f.armed[name]--
		f.failed++
	}
	f.mu.Unlock()
	if fail {
		return serviceerror.NewUnavailable("injected: signal lost")
	}
	return f.Client.SignalWorkflow(ctx, workflowID, runID, name, arg)
}

// startFailing starts abusedesk with a failingSignals client in its server.
func startFailing(t *testing.T, interval string, postgres bool) (*testenv.Env, *failingSignals) {
	f := &failingSignals{armed: map[string]int{}}
	env := testenv.Start(t, testenv.Options{
		Postgres: postgres,
		Env:      map[string]string{"ABUSEDESK_ANSWER_REDELIVERY_INTERVAL": interval},
		ServerTemporal: func(c client.Client) client.Client {
			f.Client = c
			return f
		},
	})
	return env, f
}

func TestEdgeBlockSpellings(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	doc := store.CustomerDoc{Accounts: []store.AccountDoc{{ID: "acct-sec", Name: "Sec Customer", OperatorEmail: "owner@sec.example",
		Domains: []store.DomainDoc{{Name: "sec.example", Services: []string{"cdn", "hosting:pages"}, OriginIPs: []string{"192.0.2.31"},
			Hosted: []store.HostedDoc{{URLPrefix: "https://sec.example/dir/", Product: "pages", ObjectID: "sec-dir"}}}}}}}
	require.Empty(t, store.ValidateCustomers(&doc))
	_, err := store.LoadCustomers(env.App.DB, &doc, nil)
	require.NoError(t, err)

	c := env.File(report("phishing", []string{"https://sec.example/dir/page.html"}, true))
	env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
	require.Equal(t, http.StatusOK, edge(t, env, "sec.example", "/%64ir/page.html"), "nothing is blocked before the decision")
	violates(t, env, c.CaseID, "other_illegal")
	env.WaitCase(c.CaseID, caseWait, status("awaiting_operator"))

	for _, target := range []string{"sec.example/dir/page.html", "sec.example/%64ir/page.html",
		"sec.example/./dir/page.html", "sec.example/x/../dir/page.html", "sec.example//dir//page.html",
		"sec.example/dir%2Fpage.html", `sec.example/dir\page.html`, "sec.example/%2e%2E/dir/page.html",
		"SEC.Example./dir/page.html", "sec.example:443/dir/page.html", "sec%2Eexample/dir/page.html"} {
		r := call(t, env, "GET", "/edge/"+target, "", nil, nil)
		require.Equal(t, http.StatusUnavailableForLegalReasons, r.Code, "%s: %s", target, r.Body)
		require.Contains(t, r.Header.Get("Link"), "/v1/blocked/mit_", target)
	}
	for _, target := range []string{"sec.example/dir2/page.html", "sec.example/di/r/page.html",
		"sec.example/other/dir/page.html", "sec.example/Dir/page.html", "sec.example:8443/dir/page.html", "sec.example/",
		"sec.example/dir", "sec.example/dir/other.html"} {
		r := call(t, env, "GET", "/edge/"+target, "", nil, nil)
		require.Equal(t, http.StatusOK, r.Code, "%s: %s", target, r.Body)
	}
	blocks, _ := blocklist(t, env)
	require.Equal(t, "https://sec.example/dir/page.html", blocks["sec-dir"].URLPrefix, "the reported URL, not the object")

	// The old blocks table is not read any more: migration 18 turned its
	// rows into mitigations (store.TestMigrationConvertsBlocks), and a row
	// written there now restricts nothing.
	require.NoError(t, env.App.DB.Create(&models.Block{ObjectID: "sec-old", Domain: "sec.example",
		URLPrefix: "https://SEC.example:443/./%64ir2/", CaseID: c.CaseID}).Error)
	require.Equal(t, http.StatusOK, edge(t, env, "sec.example", "/dir2/page.html"))
	blocks, _ = blocklist(t, env)
	require.NotContains(t, blocks, "sec-old")
}

func TestOperatorAnswerRetryAfterLostSignal(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) { operatorAnswerRetry(t, db == "postgres") })
	}
}

func operatorAnswerRetry(t *testing.T, postgres bool) {
	// The reconciler's first round runs at start, the next in an hour:
	// only the operator's retry can deliver the answer here.
	env, f := startFailing(t, "1h", postgres)
	c := env.File(report("phishing", []string{"https://pages.example/lost"}, true))
	env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
	violates(t, env, c.CaseID, "other_illegal")
	noticeID, token := responseLink(t, env, operatorHosted, c.CaseID)

	f.arm(workflows.SignalOperatorResponse, 1)
	answer := map[string]any{"response": "removed", "statement": "taken down"}
	first := respond(t, env, noticeID, token, answer)
	require.Equal(t, 1, f.failures(), "the signal failed")
	r := respond(t, env, noticeID, token, answer)
	require.Equal(t, http.StatusOK, r.Code, "the retry of the same answer: %s", r.Body)
	cs := env.WaitCase(c.CaseID, caseWait, closed)
	require.Equal(t, "content_removed", cs.Outcome)
	require.Equal(t, http.StatusAccepted, first.Code, "recorded, delivery pending: %s", first.Body)
	// Each answer says the state it left: recorded but not yet delivered,
	// then delivered by the retry, which replays the recorded answer.
	var st struct {
		Delivered bool `json:"delivered"`
		Replayed  bool `json:"replayed"`
	}
	first.JSON(t, &st)
	require.False(t, st.Delivered, "%s", first.Body)
	require.False(t, st.Replayed, "%s", first.Body)
	r.JSON(t, &st)
	require.True(t, st.Delivered, "%s", r.Body)
	require.True(t, st.Replayed, "%s", r.Body)

	// Once more: still the same answer; another answer stays a 409.
	require.Equal(t, http.StatusOK, respond(t, env, noticeID, token, answer).Code)
	refused(t, respond(t, env, noticeID, token, map[string]any{"response": "dispute", "statement": "no"}), http.StatusConflict)
	var d models.AnswerDelivery
	require.NoError(t, env.App.DB.Take(&d, "answer_key = ?", "operator:"+noticeID).Error)
	require.Equal(t, models.DeliveryDelivered, d.State)
	require.Equal(t, 1, f.failures())
}

func TestAnswerReconcilerDelivers(t *testing.T) {
	env, f := startFailing(t, "1s", false)

	// The operator disputes; the signal fails; nobody retries.
	op := env.File(report("phishing", []string{"https://pages.example/disputed"}, true))
	env.WaitCase(op.CaseID, caseWait, status("awaiting_analyst"))
	violates(t, env, op.CaseID, "other_illegal")
	noticeID, token := responseLink(t, env, operatorHosted, op.CaseID)
	f.arm(workflows.SignalOperatorResponse, 1)
	r := respond(t, env, noticeID, token, map[string]any{"response": "dispute", "statement": "this is my own page"})
	require.Equal(t, 1, f.failures())
	env.WaitCase(op.CaseID, caseWait, status(string(models.StatusDisputed)))
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))

	// The reporter answers a question; the signal fails; nobody retries.
	rep := env.File(report("fraud", []string{"https://pages.example/question"}, true))
	env.WaitCase(rep.CaseID, caseWait, status("awaiting_analyst"))
	r = decide(t, env, testenv.AnalystKey, rep.CaseID, map[string]any{"verdict": "need_info", "question": "Which page?"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	env.WaitCase(rep.CaseID, caseWait, status("awaiting_reporter"))
	f.arm(workflows.SignalReporterAnswer, 1)
	answer := map[string]any{"answer": "The page /question, second paragraph."}
	r = call(t, env, "POST", "/v1/reports/"+rep.CaseID+"/answer?token="+rep.Token, "", nil, answer)
	require.Equal(t, 2, f.failures())
	env.WaitCase(rep.CaseID, caseWait, status("awaiting_analyst"))
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))

	// The same answer again is a 200; another one a 409.
	r = call(t, env, "POST", "/v1/reports/"+rep.CaseID+"/answer?token="+rep.Token, "", nil, answer)
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	refused(t, call(t, env, "POST", "/v1/reports/"+rep.CaseID+"/answer?token="+rep.Token, "", nil,
		map[string]any{"answer": "something else"}), http.StatusConflict)
	var ds []models.AnswerDelivery
	require.NoError(t, env.App.DB.Order("id").Find(&ds).Error)
	require.Len(t, ds, 2)
	for _, d := range ds {
		require.Equal(t, models.DeliveryDelivered, d.State, d.AnswerKey)
		require.Equal(t, 2, d.Attempts, "%s: the failed signal, then the reconciler's", d.AnswerKey)
	}
}
