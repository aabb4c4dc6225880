package integration

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/workflows"
)

// TestRecordHistories records the workflow histories that
// workflows/replay_test.go replays. It runs only with ABUSEDESK_RECORD=1:
//
//	ABUSEDESK_RECORD=1 go test ./integration -run TestRecordHistories -count=1
//
// Re-record after a deliberate, versioned workflow change; never to make a
// failing replay pass.
func TestRecordHistories(t *testing.T) {
	if os.Getenv("ABUSEDESK_RECORD") != "1" {
		t.Skip("set ABUSEDESK_RECORD=1 to record workflows/testdata histories")
	}
	dir, err := filepath.Abs("../workflows/testdata")
	require.NoError(t, err)
	keys, err := os.ReadFile(filepath.Join(dir, "payload.keys"))
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_PAYLOAD_KEYS":             strings.TrimSpace(string(keys)),
		"ABUSEDESK_OPERATOR_REMINDER_AFTER":  "2s",
		"ABUSEDESK_OPERATOR_RESPONSE_WINDOW": "8s",
		"ABUSEDESK_REPORTER_INFO_WINDOW":     "30s",
		"ABUSEDESK_WHOIS_CORRECTION_WINDOW":  "4s",
		"ABUSEDESK_COPYRIGHT_STRIKES":        "1",
	}})
	rec := &recorder{t: t, env: env, dir: dir}

	rec.save("cdn-forwarded", env.File(report("phishing", []string{"https://shop.example/login"}, true)).CaseID)
	rec.save("not-our-customer", env.File(report("malware", []string{"https://nowhere.example/x"}, true)).CaseID)

	// Hosted: violates, the operator removes.
	id := rec.hosted("phishing", "https://pages.example/removed", "malware")
	rec.respond(id, map[string]any{"response": "removed"})
	rec.save("hosted-removed", id)

	// Hosted: no answer by the deadline (reminder, then removal).
	id = rec.hosted("fraud", "https://pages.example/silent", "other_illegal")
	rec.save("hosted-no-answer", id)

	// Hosted: dispute, reversed.
	id = rec.hosted("defamation", "https://pages.example/disputed", "defamation")
	rec.respond(id, map[string]any{"response": "dispute", "statement": "this is satire"})
	env.WaitCase(id, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "disputed" })
	rec.decide(id, map[string]any{"verdict": "reverse", "reason": "satire is allowed"})
	rec.save("hosted-dispute-reversed", id)

	// Copyright: counter-notice, then a court action; the strike opens a
	// termination review (copyright_strikes=1), which the analyst declines.
	id = rec.hosted("copyright", "https://img.pages.example/song.mp3", "ip")
	rec.respond(id, map[string]any{"response": "counter_notice", "material_identified": "song.mp3 at https://img.pages.example/song.mp3",
		"under_penalty_of_perjury": true, "consent_to_jurisdiction": true, "name": "Owen Operator", "address": "1 Main St",
		"phone": "+1 555 0100", "signature": "/Owen/"})
	env.WaitCase(id, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "counter_notice_wait" })
	require.Equal(t, http.StatusAccepted, env.Do("POST", "/v1/cases/"+id+"/court-action", testenv.AnalystKey, map[string]any{"reference": "N.D. Cal. 3:26-cv-1"}, nil))
	rec.save("hosted-counter-notice-court", id)
	require.Equal(t, http.StatusOK, env.Do("POST", "/v1/reviews/acct-hosted/repeat_infringer/decisions", testenv.AnalystKey,
		map[string]any{"verdict": "decline", "reason": "one strike, counter-noticed"}, nil))
	rec.saveWorkflow("termination-review-declined", workflows.ReviewWorkflowID("acct-hosted", "repeat_infringer"))

	// Need info, answered, then no violation.
	c := env.File(report("other", []string{"https://pages.example/unclear"}, true))
	env.WaitCase(c.CaseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_analyst" })
	rec.decide(c.CaseID, map[string]any{"verdict": "need_info", "question": "Which paragraph?", "reason": "unclear"})
	env.WaitCase(c.CaseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_reporter" })
	require.Equal(t, http.StatusAccepted, env.Do("POST", "/v1/reports/"+c.CaseID+"/answer?token="+c.Token, "", map[string]any{"answer": "The second one."}, nil))
	env.WaitCase(c.CaseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_analyst" })
	rec.decide(c.CaseID, map[string]any{"verdict": "no_violation", "reason": "opinion"})
	rec.save("need-info-no-violation", c.CaseID)

	// CSAM on hosted content: disabled at once, clearinghouse, removal.
	id = rec.hosted("csam", "https://pages.example/csam", "csam")
	rec.save("csam-hosted", id)

	// Registrar: WHOIS not corrected, suspended; hijacking reversed; trademark answered.
	w := env.File(report("registrar_whois", []string{"https://parked.example/"}, true))
	env.WaitCase(w.CaseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_registrar_review" })
	rec.decide(w.CaseID, map[string]any{"verdict": "uphold", "reason": "no correction"})
	rec.save("registrar-whois-suspended", w.CaseID)
	h := env.File(report("registrar_hijacking", []string{"https://parked.example/"}, true))
	env.WaitCase(h.CaseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_registrar_review" })
	rec.decide(h.CaseID, map[string]any{"verdict": "reverse", "reason": "owner confirmed"})
	rec.save("registrar-hijack-reversed", h.CaseID)
	rec.save("registrar-trademark-answered", env.File(report("trademark", []string{"https://parked.example/"}, true)).CaseID)

	// A bulk notice over more domains than are forwarded inline: the
	// parent fans out to ForwardBatch children (recorded too).
	var accounts []map[string]any
	var urls []string
	for i := 0; i < workflows.BulkInlineMax+5; i++ {
		d := fmt.Sprintf("bulk%02d.example", i)
		accounts = append(accounts, map[string]any{"id": "acct-" + d, "operator_email": "op@" + d,
			"domains": []map[string]any{{"name": d, "services": []string{"cdn"}, "origin_ips": []string{"203.0.113.50"}}}})
		urls = append(urls, "https://"+d+"/song.mp3")
	}
	require.Equal(t, http.StatusOK, env.Do("POST", "/v1/admin/customers", testenv.AdminKey, map[string]any{"accounts": accounts}, nil))
	bulk := env.File(report("copyright", urls, true)).CaseID
	rec.save("bulk-copyright-forwarded", bulk)
	rec.saveWorkflow("bulk-forward-batch-1", workflows.BatchWorkflowID(bulk, 1))

	// The daily purge (started directly; the schedule starts the same).
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := env.App.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "record-purge", TaskQueue: "abuse-cases"},
		workflows.WorkflowPurge, workflows.PurgeInput{PurgeAfter: time.Hour})
	require.NoError(t, err)
	require.NoError(t, run.Get(ctx, nil))
	rec.saveWorkflow("purge", "record-purge")
	require.Zero(t, env.Sink.Duplicates())
}

type recorder struct {
	t   *testing.T
	env *testenv.Env
	dir string
}

// hosted files a hosted report and decides it violates.
func (r *recorder) hosted(category, url, clause string) string {
	c := r.env.File(report(category, []string{url}, true))
	r.env.WaitCase(c.CaseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_analyst" })
	r.decide(c.CaseID, map[string]any{"verdict": "violates", "clause": clause, "reason": "breaches the terms"})
	if category != "csam" {
		r.env.WaitCase(c.CaseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "awaiting_operator" })
	}
	return c.CaseID
}

func (r *recorder) decide(id string, d map[string]any) {
	var out map[string]any
	require.Equal(r.t, http.StatusOK, r.env.Do("POST", "/v1/cases/"+id+"/decisions", testenv.AnalystKey, d, &out), "%v", out)
}

// respond answers the case's operator notice through its emailed link.
func (r *recorder) respond(id string, body map[string]any) {
	var link string
	require.True(r.t, r.env.Sink.WaitFor(15*time.Second, func(ms []smtpsink.Message) bool {
		for _, m := range ms {
			if strings.Contains(m.Subject, id) && strings.Contains(m.Body, "/respond/") {
				link = m.Body
				return true
			}
		}
		return false
	}))
	nid, tok, ok := testenv.ResponseLink(link)
	require.True(r.t, ok)
	var out map[string]any
	require.Equal(r.t, http.StatusAccepted, r.env.Do("POST", "/v1/notices/"+nid+"/response?token="+tok, "", body, &out), "%v", out)
}

func (r *recorder) save(name, caseID string) {
	r.env.WaitCase(caseID, 60*time.Second, closed)
	r.saveWorkflow(name, workflows.CaseWorkflowID(caseID))
}

func (r *recorder) saveWorkflow(name, wfID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := r.env.App.Temporal
	// Wait for the run to close so the history is complete.
	_ = c.GetWorkflow(ctx, wfID, "").Get(ctx, nil)
	it := c.GetWorkflowHistory(ctx, wfID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(r.t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
	require.NoError(r.t, err)
	require.NoError(r.t, os.WriteFile(filepath.Join(r.dir, name+".history.json"), b, 0o644))
}
