//go:build record

package workflows_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/workflows"
)

// TestRecordReferralHistory records a Referral workflow (docs/DESIGN.md
// "Threats to life or safety") into testdata/ for
// TestReplayRecordedHistories:
//
//	ABUSEDESK_RECORD=1 go test -tags record -count=1 -run TestRecordReferralHistory ./workflows/
func TestRecordReferralHistory(t *testing.T) {
	if os.Getenv("ABUSEDESK_RECORD") != "1" {
		t.Skip("set ABUSEDESK_RECORD=1 to record the referral history into testdata/")
	}
	c := recordingClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	acts := map[string]any{
		activities.ActRecordReferral: func(context.Context, activities.ReferralInput) error { return nil },
		activities.ActSendReferralNotice: func(_ context.Context, in activities.ReferralRef) (activities.NoticeResult, error) {
			return activities.NoticeResult{NoticeID: "n_" + in.CaseID + "_referral_" + in.MemberState}, nil
		},
		activities.ActRecordReferralSent: func(context.Context, activities.ReferralRef) (activities.ReferralSent, error) {
			return activities.ReferralSent{SentAt: time.Now().UTC()}, nil
		},
	}
	startStandIns(t, c, acts)

	in := workflows.ReferralInput{CaseID: "Crecordedreferral", MemberState: "DE", Authority: "lka@polizei.example",
		Suspicion: "recorded suspicion", Urgent: true, By: "analyst-alice", RequestedAt: time.Now().UTC()}
	id := workflows.ReferralWorkflowID(in.CaseID, in.MemberState)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: recordQueue}, workflows.WorkflowReferral, in)
	require.NoError(t, err)
	require.NoError(t, run.Get(ctx, nil))
	save(t, c, "referral-sent", id)
}
