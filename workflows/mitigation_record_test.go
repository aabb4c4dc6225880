//go:build record

package workflows_test

// TestRecordMitigationHistories records the histories of the mitigation
// records (docs/DESIGN.md "Mitigations") into testdata/, for
// TestReplayRecordedHistories:
//
//	ABUSEDESK_RECORD=1 go test -tags record -count=1 -run TestRecordMitigationHistories ./workflows/
//
// as TestRecordMultiDomainHistories does (record_test.go): the embedded
// Temporal server, stand-in activities.

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

func TestRecordMitigationHistories(t *testing.T) {
	if os.Getenv("ABUSEDESK_RECORD") != "1" {
		t.Skip("set ABUSEDESK_RECORD=1 to record the mitigation histories into testdata/")
	}
	c := recordingClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	target := hostedTarget("m.example", "acct-m", "obj-m")
	target.Hosted[0].URLPrefix = "https://m.example/obj-m"
	target.Hosted[0].URLs = []string{"https://m.example/obj-m/a.html", "https://m.example/obj-m/b.html"}
	acts := withMitigationStandIns(standIns(activities.ClassifyResult{URLCount: 2, Targets: []activities.Target{target}}))
	startStandIns(t, c, acts)
	timers := workflows.Timers{OperatorReminderAfter: 2 * time.Second, OperatorResponseWindow: 20 * time.Second,
		ReporterInfoWindow: 30 * time.Second, NoticeTokenTTL: time.Hour, WhoisCorrectionWindow: 4 * time.Second,
		DisputeReviewWindow: time.Hour, MitigationReviewWindow: 2 * time.Second}

	// Hosted, violates (one mitigation per reported URL), the operator
	// removes the content: the mitigations end.
	in := workflows.CaseInput{CaseID: "Crecmitigated", Category: models.CategoryMalware, Timers: timers}
	id := workflows.CaseWorkflowID(in.CaseID)
	wr, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: recordQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.SACaseCategory.ValueSet(string(in.Category)))},
		workflows.WorkflowCase, in)
	require.NoError(t, err)
	waitStatus(t, c, id, models.StatusAwaitingAnalyst)
	decide(t, c, id, workflows.Decision{Verdict: workflows.VerdictViolates, Clause: "malware", Reason: "drive-by download", Analyst: "ana"})
	waitStatus(t, c, id, models.StatusAwaitingOperator)
	require.NoError(t, c.SignalWorkflow(ctx, id, "", workflows.SignalOperatorResponse, workflows.OperatorResponse{
		NoticeID: "n_Crecmitigated_operator-violation:m.example", Response: workflows.ResponseRemoved, ReceivedAt: time.Now().UTC()}))
	require.NoError(t, wr.Get(ctx, nil))
	save(t, c, "hosted-mitigations-removed", id)
	// One of its mitigations, ended by the case.
	mid := workflows.MitigationWorkflowID(workflows.MitigationID(in.CaseID, mitigationStep("https://m.example/obj-m/a.html")))
	require.NoError(t, c.GetWorkflow(ctx, mid, "").Get(ctx, nil))
	save(t, c, "mitigation-ended-by-case", mid)

	// An interstitial: pending, active at its effective date, appealed,
	// overdue, lifted.
	mi := workflows.MitigationInput{MitigationID: "mit_recorded", CaseID: "Crecinterstitial", Step: "placed:mit_recorded",
		AccountID: "acct-m", Domain: "m.example", Type: models.MitigationPhishingInterstitial, EntityType: models.EntityURLPattern,
		EntityID: "https://m.example/login", Reason: "phishing", By: "ana", Pending: true,
		EffectiveDate: time.Now().Add(2 * time.Second).UTC(), ReviewWindow: 2 * time.Second}
	mwid := workflows.MitigationWorkflowID(mi.MitigationID)
	mr, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: mwid, TaskQueue: recordQueue}, workflows.WorkflowMitigation, mi)
	require.NoError(t, err)
	waitMitigation(t, c, mwid, func(st workflows.MitigationState) bool { return st.Status == models.MitigationActive })
	require.NoError(t, c.SignalWorkflow(ctx, mwid, "", workflows.SignalMitigationAppeal, workflows.MitigationAppeal{
		Reason: workflows.AppealRemoved, Statement: "we removed the kit", By: "account:acct-m", At: time.Now().UTC()}))
	waitMitigation(t, c, mwid, func(st workflows.MitigationState) bool { return st.ReviewOverdue })
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: mwid, UpdateName: workflows.UpdateMitigationReview,
		Args:         []any{workflows.MitigationReview{Decision: workflows.ReviewLift, Analyst: "ana", Note: "gone"}},
		WaitForStage: client.WorkflowUpdateStageCompleted})
	require.NoError(t, err)
	require.NoError(t, h.Get(ctx, nil))
	require.NoError(t, mr.Get(ctx, nil))
	save(t, c, "mitigation-appeal-lifted", mwid)
}

// mitigationStep is the case's step of a content_disabled mitigation.
func mitigationStep(entity string) string {
	return workflows.MitigationStep(models.MitigationContentDisabled, entity)
}

func waitMitigation(t *testing.T, c client.Client, id string, ok func(workflows.MitigationState) bool) {
	require.Eventually(t, func() bool {
		v, err := c.QueryWorkflow(context.Background(), id, "", workflows.QueryMitigation)
		if err != nil {
			return false
		}
		var st workflows.MitigationState
		return v.Get(&st) == nil && ok(st)
	}, 30*time.Second, 100*time.Millisecond, "mitigation %s never reached the state", id)
}
