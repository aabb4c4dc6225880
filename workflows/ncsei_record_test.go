//go:build record

package workflows_test

// TestRecordNCSEIHistories records an ncsei case under the 48-hour removal
// clock (changeNCSEIClock) into testdata/, for TestReplayRecordedHistories:
//
//	ABUSEDESK_RECORD=1 go test -tags record -count=1 -run TestRecordNCSEIHistories ./workflows/
//
// as TestRecordMitigationHistories does: the embedded Temporal server,
// stand-in activities. The report is received 48 hours less a few seconds
// before the start, so the escalation is due at once and the deadline a
// few seconds later.

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

func TestRecordNCSEIHistories(t *testing.T) {
	if os.Getenv("ABUSEDESK_RECORD") != "1" {
		t.Skip("set ABUSEDESK_RECORD=1 to record the ncsei histories into testdata/")
	}
	c := recordingClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	acts := withMitigationStandIns(standIns(activities.ClassifyResult{URLCount: 1, Targets: []activities.Target{hostedTarget("n.example", "acct-n", "obj-n")}}))
	acts[activities.ActEscalateCase] = func(context.Context, activities.EscalationInput) error { return nil }
	acts[activities.ActFindIdenticalCopies] = func(context.Context, activities.CopiesInput) (activities.CopiesResult, error) {
		return activities.CopiesResult{Copies: []activities.HostedCopy{{ObjectID: "obj-copy", Domain: "copy.example",
			AccountID: "acct-c", URLPrefix: "https://copy.example/i/", EntityID: "https://copy.example/i/*",
			ContentHash: strings.Repeat("ab", 32)}}}, nil
	}
	startStandIns(t, c, acts)
	timers := workflows.Timers{OperatorReminderAfter: 2 * time.Second, OperatorResponseWindow: 20 * time.Second,
		ReporterInfoWindow: 30 * time.Second, NoticeTokenTTL: time.Hour, WhoisCorrectionWindow: 4 * time.Second,
		DisputeReviewWindow: time.Hour, MitigationReviewWindow: time.Hour}

	// No decision by the deadline: escalated, the object and its copy
	// disabled pending review; then the analyst finds no violation and
	// access is restored.
	in := workflows.CaseInput{CaseID: "Crecncsei", Category: models.CategoryNCSEI, ForwardToOperator: true, Timers: timers,
		ReceivedAt: time.Now().UTC().Add(-workflows.NCSEIRemovalWindow + 5*time.Second)}
	id := workflows.CaseWorkflowID(in.CaseID)
	wr, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: recordQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.SACaseCategory.ValueSet(string(in.Category)))},
		workflows.WorkflowCase, in)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		v, err := c.QueryWorkflow(ctx, id, "", workflows.QueryStatus)
		var st workflows.CaseStatus
		return err == nil && v.Get(&st) == nil && st.Status == models.StatusAwaitingAnalyst &&
			st.NextDeadline == nil && time.Now().After(in.ReceivedAt.Add(workflows.NCSEIRemovalWindow))
	}, 30*time.Second, 200*time.Millisecond, "the deadline never passed")
	decide(t, c, id, workflows.Decision{Verdict: workflows.VerdictNoViolation, Reason: "consensual, documented", Analyst: "ana"})
	require.NoError(t, wr.Get(ctx, nil))
	save(t, c, "ncsei-deadline-restored", id)
}
