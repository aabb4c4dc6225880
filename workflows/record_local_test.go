//go:build record

package workflows_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// TestRecordLocalNoticeHistories records CDN cases into testdata/:
//
//	ABUSEDESK_RECORD=1 go test -tags record -count=1 -run TestRecordLocalNoticeHistories ./workflows/
//
// One CDN case whose every notice goes out in its first workflow task, and
// one whose notices' first attempt fails (the relay refused the host
// forward) and go out by the regular activity that follows. Recorded first
// with changeLocalNotices (cdn-local-notices, cdn-local-notice-fallback:
// four local notices), then at versionNoticeBatch (cdn-notice-batch,
// cdn-notice-batch-fallback: one SendNotices batch) and now at
// versionBatchClose (cdn-batch-close, cdn-batch-close-fallback: the batch
// writes the close); the earlier pairs are kept as recorded, since they
// are what keeps the cases of those versions replaying.
func TestRecordLocalNoticeHistories(t *testing.T) {
	if os.Getenv("ABUSEDESK_RECORD") != "1" {
		t.Skip("set ABUSEDESK_RECORD=1 to record the CDN notice histories into testdata/")
	}
	c := recordingClient(t)
	cdn := recordedCDN()
	in := workflows.CaseInput{CaseID: "Crecbatchcdn", Category: models.CategoryPhishing, ForwardToOperator: true,
		Timers: workflows.Timers{NoticeTokenTTL: time.Hour}}
	runWith(t, c, cdn, nil, in)
	save(t, c, "cdn-batch-close", workflows.CaseWorkflowID(in.CaseID))

	in.CaseID = "Crecbatchfallback"
	runWith(t, c, cdn, failHostOnce(), in)
	save(t, c, "cdn-batch-close-fallback", workflows.CaseWorkflowID(in.CaseID))
}

// TestRecordCase2Histories records cases started as WorkflowCase2, the
// type new cases start as (pinned.go: no version markers):
//
//	ABUSEDESK_RECORD=1 go test -tags record -count=1 -run TestRecordCase2Histories ./workflows/
//
// A CDN case closed by its batch, one whose batch failed and whose notices
// went out one by one, and a hosted case on two domains that nobody
// answers (the operator deadline, the removal, the strikes).
func TestRecordCase2Histories(t *testing.T) {
	if os.Getenv("ABUSEDESK_RECORD") != "1" {
		t.Skip("set ABUSEDESK_RECORD=1 to record the WorkflowCase2 histories into testdata/")
	}
	c := recordingClient(t)
	cdn := recordedCDN()
	in := workflows.CaseInput{CaseID: "Crec2cdn", Category: models.CategoryPhishing, ForwardToOperator: true,
		Timers: workflows.Timers{NoticeTokenTTL: time.Hour}}
	runWithAs(t, c, workflows.WorkflowCase2, cdn, nil, in)
	save(t, c, "case2-cdn", workflows.CaseWorkflowID(in.CaseID))

	in.CaseID = "Crec2cdnfallback"
	runWithAs(t, c, workflows.WorkflowCase2, cdn, failHostOnce(), in)
	save(t, c, "case2-cdn-fallback", workflows.CaseWorkflowID(in.CaseID))

	recordHostedNoAnswer(t, c, workflows.WorkflowCase2, "Crec2hosted", "case2-hosted-no-answer")
}

// TestRecordCase3Histories records cases started as WorkflowCase3, the
// type new cases start as (changeClassifyForward pinned):
//
//	ABUSEDESK_RECORD=1 go test -tags record -count=1 -run TestRecordCase3Histories ./workflows/
//
// A CDN case classified, forwarded and closed by ClassifyForward; one whose
// ClassifyForward failed, classified and forwarded by Classify and the
// batch; and a hosted case on two domains that nobody answers.
func TestRecordCase3Histories(t *testing.T) {
	if os.Getenv("ABUSEDESK_RECORD") != "1" {
		t.Skip("set ABUSEDESK_RECORD=1 to record the WorkflowCase3 histories into testdata/")
	}
	c := recordingClient(t)
	cdn := recordedCDN()
	in := workflows.CaseInput{CaseID: "Crec3cdn", Category: models.CategoryPhishing, ForwardToOperator: true,
		Timers: workflows.Timers{NoticeTokenTTL: time.Hour}}
	forward := func(_ context.Context, f activities.ClassifyForwardInput) (activities.ClassifyForwardResult, error) {
		r := activities.ClassifyForwardResult{Classify: cdn, Forwarded: true, Batch: activities.NoticeBatchResult{Closed: true}}
		for _, n := range activities.CDNNotices(cdn.Targets, f.ToOperator, activities.ReceiptNotice()) {
			r.Batch.Results = append(r.Batch.Results, activities.NoticeResult{NoticeID: "n_" + f.CaseID + "_" + n.Step})
		}
		return r, nil
	}
	runWithActAs(t, c, workflows.WorkflowCase3, cdn, forward, in)
	save(t, c, "case3-cdn", workflows.CaseWorkflowID(in.CaseID))

	in.CaseID = "Crec3cdnfallback"
	runWithActAs(t, c, workflows.WorkflowCase3, cdn, func(context.Context, activities.ClassifyForwardInput) (activities.ClassifyForwardResult, error) {
		return activities.ClassifyForwardResult{}, errors.New("database gone")
	}, in)
	save(t, c, "case3-cdn-fallback", workflows.CaseWorkflowID(in.CaseID))

	recordHostedNoAnswer(t, c, workflows.WorkflowCase3, "Crec3hosted", "case3-hosted-no-answer")
}

// recordHostedNoAnswer records a hosted case on two domains, started as
// workflowType, that the analyst decides and nobody answers (the operator
// deadline, the removal, the strikes), as name.
func recordHostedNoAnswer(t *testing.T, c client.Client, workflowType, caseID, name string) {
	hosted := activities.ClassifyResult{URLCount: 2, Targets: []activities.Target{
		hostedTarget("a.example", "acct-a", "obj-a"), hostedTarget("b.example", "acct-b", "obj-b")}}
	timers := workflows.Timers{OperatorReminderAfter: 2 * time.Second, OperatorResponseWindow: 8 * time.Second,
		ReporterInfoWindow: 30 * time.Second, NoticeTokenTTL: time.Hour, WhoisCorrectionWindow: 4 * time.Second,
		DisputeReviewWindow: time.Hour}
	runActsAs(t, c, workflowType, withMitigationStandIns(standIns(hosted)), func(id string) {
		waitStatus(t, c, id, models.StatusAwaitingAnalyst)
		decide(t, c, id, workflows.Decision{Verdict: workflows.VerdictViolates, Clause: "malware", Reason: "breaches the terms"})
	}, workflows.CaseInput{CaseID: caseID, Category: models.CategoryMalware, Timers: timers})
	save(t, c, name, workflows.CaseWorkflowID(caseID))
}

// runWithActAs is runWithAs with ClassifyForward's stand-in given.
func runWithActAs(t *testing.T, c client.Client, workflowType string, classify activities.ClassifyResult,
	forward func(context.Context, activities.ClassifyForwardInput) (activities.ClassifyForwardResult, error), in workflows.CaseInput) {
	acts := cdnStandIns(classify, nil)
	acts[activities.ActClassifyForward] = forward
	res := runActsAs(t, c, workflowType, acts, func(string) {}, in)
	require.Equal(t, models.OutcomeForwarded, res.Outcome)
}

// recordedCDN is the classification of the recorded CDN cases: one CDN
// customer's domain, its origin's provider found.
func recordedCDN() activities.ClassifyResult {
	return activities.ClassifyResult{URLCount: 1, Targets: []activities.Target{{
		Domain: "shop.example", AccountID: "acct-shop", Service: models.ServiceCDN, Services: []string{"cdn"}, URLCount: 1,
		Provider: activities.Provider{Name: "Origin Hosting", AbuseEmail: "abuse@origin.example", OriginIP: "203.0.113.7", Found: true},
	}}}
}

// failHostOnce is a notice stand-in's fail: the relay refuses each host
// forward's first attempt.
func failHostOnce() func(step string) error {
	var mu sync.Mutex
	failed := map[string]bool{}
	return func(step string) error {
		mu.Lock()
		defer mu.Unlock()
		if strings.HasPrefix(step, "host-forward:") && !failed[step] {
			failed[step] = true
			return errors.New("451 4.3.0 relay busy")
		}
		return nil
	}
}

// runWith runs one CDN case with a notice stand-in that first asks fail
// (nil: never fails).
func runWith(t *testing.T, c client.Client, classify activities.ClassifyResult, fail func(step string) error, in workflows.CaseInput) {
	runWithAs(t, c, workflows.WorkflowCase, classify, fail, in)
}

// runWithAs is runWith with the case started as a workflow of the type
// given.
func runWithAs(t *testing.T, c client.Client, workflowType string, classify activities.ClassifyResult, fail func(step string) error, in workflows.CaseInput) {
	res := runActsAs(t, c, workflowType, cdnStandIns(classify, fail), func(string) {}, in)
	require.Equal(t, models.OutcomeForwarded, res.Outcome)
}

// cdnStandIns are standIns with notice stand-ins that first ask fail (nil:
// never fails) and a batch that writes its close.
func cdnStandIns(classify activities.ClassifyResult, fail func(step string) error) map[string]any {
	acts := standIns(classify)
	acts[activities.ActSendNotice] = func(_ context.Context, in activities.NoticeInput) (activities.NoticeResult, error) {
		if fail != nil {
			if err := fail(in.Step); err != nil {
				return activities.NoticeResult{}, err
			}
		}
		return activities.NoticeResult{NoticeID: "n_" + in.CaseID + "_" + in.Step}, nil
	}
	acts[activities.ActSendNotices] = func(_ context.Context, b activities.NoticeBatch) (activities.NoticeBatchResult, error) {
		var r activities.NoticeBatchResult
		for _, n := range b.Notices {
			if fail != nil {
				if err := fail(n.Step); err != nil {
					return activities.NoticeBatchResult{}, err
				}
			}
			r.Results = append(r.Results, activities.NoticeResult{NoticeID: "n_" + n.CaseID + "_" + n.Step})
		}
		r.Closed = b.Close != nil
		return r, nil
	}
	return acts
}
