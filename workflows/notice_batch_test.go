package workflows

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// batchHas matches a SendNotices input holding a notice of step.
func batchHas(step string) func(any) bool {
	return func(v any) bool {
		in, _ := v.(activities.NoticeBatch)
		for _, n := range in.Notices {
			if n.Step == step {
				return true
			}
		}
		return false
	}
}

// failBatch answers every SendNotices with err (recorded as
// SendNoticesFailed with the batch), as a relay that refuses the first mail.
func (h *harness) failBatch(err error) {
	h.env.OnActivity(activities.ActSendNotices, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.NoticeBatch) (activities.NoticeBatchResult, error) {
			h.record("SendNoticesFailed", in)
			return activities.NoticeBatchResult{}, err
		}).Maybe()
}

func batchSteps(b activities.NoticeBatch) []string {
	var out []string
	for _, n := range b.Notices {
		out = append(out, n.Step)
	}
	return out
}

// A CDN case classifies its URLs, then sends the receipt, both forwards and
// the reply to the reporter as one batch, and closes: no notice goes out on
// its own.
func TestCDNNoticesGoOutInOneBatch(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("shop.example", "acct-1", true))
	h.start(caseInput(models.CategoryPhishing, true))

	h.requireClosed(models.OutcomeForwarded)
	batches := h.args("SendNotices")
	require.Len(t, batches, 1)
	b := batches[0].(activities.NoticeBatch)
	require.Equal(t, testCaseID, b.CaseID)
	require.Equal(t, []string{"reporter-receipt", "operator-forward:shop.example", "host-forward:shop.example",
		"reporter-forwarded"}, batchSteps(b))
	for _, n := range b.Notices {
		require.Equal(t, testCaseID, n.CaseID, n.Step)
		require.Equal(t, DefaultTimers.NoticeTokenTTL, n.TokenTTL, n.Step)
	}
	// The batch writes the close (versionBatchClose): no SetStatus of its
	// own, and the search attributes say closed.
	require.Equal(t, &activities.StatusInput{CaseID: testCaseID, Status: models.StatusClosed,
		Outcome: models.OutcomeForwarded, Service: models.ServiceCDN, Domain: "shop.example", AccountID: "acct-1"}, b.Close)
	require.Len(t, h.args("SetStatus"), 1, "the close, written by the batch, and no SetStatus after it")
	host, _ := h.notice("host-forward:shop.example")
	require.True(t, host.IncludeOriginIP)
	require.Equal(t, "203.0.113.7", host.Facts["origin_ip"])
	reply, _ := h.notice("reporter-forwarded")
	require.Equal(t, "yes", reply.Facts["forwarded_to_operator"])
	require.Equal(t, models.ServiceCDN, h.status().Service)
	require.Equal(t, "shop.example", h.status().Domain)
}

// A category that is never forwarded leaves the operator out of the batch.
func TestCDNBatchWithoutTheOperator(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("shop.example", "acct-1", true))
	h.start(caseInput(models.CategoryPhishing, false))

	h.requireClosed(models.OutcomeForwarded)
	batches := h.args("SendNotices")
	require.Len(t, batches, 1)
	require.Equal(t, []string{"reporter-receipt", "host-forward:shop.example", "reporter-forwarded"},
		batchSteps(batches[0].(activities.NoticeBatch)))
}

// A batch that fails (the relay refused a mail) is not tried again as a
// batch: each of its notices goes out as the regular SendNotice activity,
// once, and the case closes as usual.
func TestNoticeBatchFallsBackToTheActivities(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("shop.example", "acct-1", true))
	h.failBatch(errors.New("451 4.3.0 relay busy"))
	h.start(caseInput(models.CategoryPhishing, true))

	h.requireClosed(models.OutcomeForwarded)
	require.Len(t, h.callsOf("SendNoticesFailed"), 1, "one local attempt of the batch")
	per := map[string]int{}
	for _, n := range h.noticeInputs() {
		per[n.Step]++
		require.Equal(t, testCaseID, n.CaseID)
	}
	require.Equal(t, map[string]int{"reporter-receipt": 1, "operator-forward:shop.example": 1,
		"host-forward:shop.example": 1, "reporter-forwarded": 1}, per, "each notice sent once, by the activity")
	// The failed batch wrote no close: SetStatus does, after the notices.
	failed := h.args("SendNoticesFailed")[0].(activities.NoticeBatch)
	require.NotNil(t, failed.Close, "the batch carried the close")
	closes := h.args("SetStatus")
	require.Len(t, closes, 1)
	require.Equal(t, models.StatusClosed, closes[0].(activities.StatusInput).Status)
}

// A batch holding a notice that can never be rendered fails the case, as
// that notice on its own would: it is not tried again notice by notice.
func TestInvalidNoticeBatchIsNotRetried(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("shop.example", "acct-1", true))
	h.failBatch(temporal.NewNonRetryableApplicationError("template", activities.ErrTypeInvalidNotice, nil))
	h.start(caseInput(models.CategoryPhishing, true))

	require.True(t, h.env.IsWorkflowCompleted())
	require.Error(t, h.env.GetWorkflowError())
	require.Empty(t, h.noticeInputs(), "no notice sent on its own")
}

// Cases that are not CDN-only keep their receipt on its own, right after
// the classification: a CSAM report on the CDN (its clearinghouse report
// comes before the forwards) and a case none of whose URLs is ours.
func TestReceiptAloneOutsideTheCDNBatch(t *testing.T) {
	for name, c := range map[string]struct {
		cat     models.Category
		targets activities.ClassifyResult
	}{
		"csam on the cdn": {models.CategoryCSAM, targets(cdnTarget("shop.example", "acct-1", true))},
		"not ours":        {models.CategoryPhishing, targets()},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.classify = c.targets
			h.start(caseInput(c.cat, true))
			require.True(t, h.env.IsWorkflowCompleted())
			require.NoError(t, h.env.GetWorkflowError())
			steps := h.noticeInputs()
			require.NotEmpty(t, steps)
			require.Equal(t, "reporter-receipt", steps[0].Step)
			for _, b := range h.args("SendNotices") {
				require.NotContains(t, batchSteps(b.(activities.NoticeBatch)), "reporter-receipt")
			}
			classified := h.callsOf("Classify")
			require.Len(t, classified, 1)
		})
	}
}
