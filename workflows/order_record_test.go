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
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// TestRecordOrderHistories records two Order workflows (docs/DESIGN.md
// "Orders") into testdata/ for TestReplayRecordedHistories:
//
//	ABUSEDESK_RECORD=1 go test -tags record -count=1 -run TestRecordOrderHistories ./workflows/
func TestRecordOrderHistories(t *testing.T) {
	if os.Getenv("ABUSEDESK_RECORD") != "1" {
		t.Skip("set ABUSEDESK_RECORD=1 to record the order histories into testdata/")
	}
	c := recordingClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	targets := map[string]activities.OrderTargets{
		"ord_recorded_tco": {Entities: []activities.OrderEntity{{URL: "https://shop.example/v.mp4", EntityID: "https://shop.example/v.mp4",
			Domain: "shop.example", AccountID: "acct-cdn", Type: models.MitigationLegalBlock}},
			NotOurs: []string{"https://elsewhere.example/x"}, Accounts: []string{"acct-cdn"}},
		"ord_recorded_refused": {NotOurs: []string{"https://elsewhere.example/x"}},
	}
	acts := withMitigationStandIns(standIns(activities.ClassifyResult{}))
	acts[activities.ActResolveOrder] = func(_ context.Context, in activities.OrderRef) (activities.OrderTargets, error) {
		return targets[in.OrderID], nil
	}
	acts[activities.ActRecordOrderStep] = func(context.Context, activities.OrderStepInput) (activities.OrderStepResult, error) {
		return activities.OrderStepResult{At: time.Now().UTC()}, nil
	}
	acts[activities.ActSendOrderNotice] = func(_ context.Context, in activities.OrderNoticeInput) (activities.NoticeResult, error) {
		return activities.NoticeResult{NoticeID: "n_" + in.OrderID + "_" + in.Step}, nil
	}
	startStandIns(t, c, acts)

	now := time.Now().UTC()
	later := now.Add(2 * time.Second)
	for name, in := range map[string]workflows.OrderInput{
		"order-tco-customer-delayed": {OrderID: "ord_recorded_tco", Kind: models.OrderTCORemoval, ReceivedAt: now,
			Countries: []string{"DE"}, NotifyCustomerAfter: &later, Reason: "tco order", By: "authority-bka"},
		"order-refused": {OrderID: "ord_recorded_refused", Kind: models.OrderDSAArt9, ReceivedAt: now, By: "test-admin"},
	} {
		id := workflows.OrderWorkflowID(in.OrderID)
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: recordQueue}, workflows.WorkflowOrder, in)
		require.NoError(t, err)
		require.NoError(t, run.Get(ctx, nil))
		save(t, c, name, id)
	}
}
