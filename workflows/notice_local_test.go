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

// failFirst answers the notice of one step with err on its first call
// (recorded as SendNoticeFailed) and like the harness's mock after that.
func (h *harness) failFirst(step string, err error) *int {
	n := new(int)
	h.env.OnActivity(activities.ActSendNotice, mock.Anything, mock.MatchedBy(noticeStep(step))).Return(
		func(_ context.Context, in activities.NoticeInput) (activities.NoticeResult, error) {
			*n++
			if *n == 1 {
				h.record("SendNoticeFailed", in.Step)
				return activities.NoticeResult{}, err
			}
			h.record("SendNotice", in)
			return activities.NoticeResult{NoticeID: in.CaseID + "/" + in.Step}, nil
		}).Maybe()
	return n
}

// A notice whose local attempt fails (the relay refused it) is sent by the
// regular activity that follows, and the case closes as usual; the other
// notices went out once each. (A case none of whose URLs is ours sends its
// notices one by one: the batch is a CDN case's, notice_batch_test.go.)
func TestLocalNoticeFallsBackToTheActivity(t *testing.T) {
	h := newHarness(t)
	h.classify = targets()
	calls := h.failFirst("reporter-not-ours", errors.New("451 4.3.0 relay busy"))
	h.start(caseInput(models.CategoryPhishing, true))

	h.requireClosed(models.OutcomeNotOurCustomer)
	require.Equal(t, 2, *calls, "the local attempt, then the regular activity")
	per := map[string]int{}
	for _, n := range h.noticeInputs() {
		per[n.Step]++
	}
	require.Equal(t, map[string]int{"reporter-receipt": 1, "reporter-not-ours": 1}, per, "each notice sent once")
	require.Len(t, h.callsOf("SendNoticeFailed"), 1)
}

// A notice that can never be rendered is not tried again as an activity:
// the case fails as it did before notices were local.
func TestInvalidLocalNoticeIsNotRetried(t *testing.T) {
	h := newHarness(t)
	h.classify = targets()
	calls := h.failFirst("reporter-not-ours",
		temporal.NewNonRetryableApplicationError("template", activities.ErrTypeInvalidNotice, nil))
	h.start(caseInput(models.CategoryPhishing, true))

	require.True(t, h.env.IsWorkflowCompleted())
	require.Error(t, h.env.GetWorkflowError())
	require.Equal(t, 1, *calls)
}
