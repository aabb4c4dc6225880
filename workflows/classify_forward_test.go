package workflows

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// cdnRun runs a CDN case on two CDN domains as workflowType and returns the
// harness (the notices it asked for, the status writes).
func cdnRun(t *testing.T, workflowType string, fail bool) *harness {
	h := newHarness(t)
	asked := versionsAsked(h)
	h.askClassifyForward = workflowType != WorkflowCase2
	h.classify = targets(cdnTarget("shop.example", "acct-1", true), cdnTarget("blog.example", "acct-2", false))
	if fail {
		h.env.OnActivity(activities.ActClassifyForward, mock.Anything, mock.Anything).
			Return(activities.ClassifyForwardResult{}, errors.New("database gone")).Once()
	}
	h.startAs(workflowType, caseInput(models.CategoryPhishing, true))
	h.requireClosed(models.OutcomeForwarded)
	if workflowType == WorkflowCase3 {
		require.Empty(t, asked(), "WorkflowCase3 pins every change it meets")
	}
	return h
}

// noticesOf are the notices a case asked for, in order.
func noticesOf(h *harness) []activities.NoticeInput {
	var out []activities.NoticeInput
	for _, a := range h.args("SendNotice") {
		out = append(out, a.(activities.NoticeInput))
	}
	return out
}

// A CDN case of WorkflowCase3 is classified, forwarded and closed by one
// local activity, ClassifyForward: the same notices (steps, recipients,
// facts, token lifetime) and the same close as WorkflowCase2's Classify
// and batch.
func TestCase3ClassifiesAndForwardsInOneActivity(t *testing.T) {
	before := cdnRun(t, WorkflowCase2, false)
	require.Len(t, before.args("Classify"), 1)
	require.Len(t, before.args("SendNotices"), 1)

	h := cdnRun(t, WorkflowCase3, false)
	require.Len(t, h.args("ClassifyForward"), 1)
	require.Empty(t, h.args("Classify"), "no Classify of its own")
	in := h.args("ClassifyForward")[0].(activities.ClassifyForwardInput)
	require.Equal(t, activities.ClassifyForwardInput{CaseID: in.CaseID, ToOperator: true, TokenTTL: in.TokenTTL}, in)
	require.NotZero(t, in.TokenTTL)
	require.Equal(t, noticesOf(before), noticesOf(h))
	require.Equal(t, before.args("SetStatus"), h.args("SetStatus"))
	steps := []string{}
	for _, n := range noticesOf(h) {
		steps = append(steps, n.Step)
	}
	require.Equal(t, []string{"reporter-receipt", "operator-forward:shop.example", "host-forward:shop.example",
		"operator-forward:blog.example", "reporter-forwarded"}, steps)
}

// When ClassifyForward fails, the case classifies and forwards as a case
// before it did: Classify, then the batch with the close.
func TestCase3FallsBackWhenClassifyForwardFails(t *testing.T) {
	before := cdnRun(t, WorkflowCase2, false)
	h := cdnRun(t, WorkflowCase3, true)
	require.Len(t, h.args("Classify"), 1)
	require.Len(t, h.args("SendNotices"), 1)
	require.Equal(t, noticesOf(before), noticesOf(h))
	require.Equal(t, before.args("SetStatus"), h.args("SetStatus"))
}

// A hosted case of WorkflowCase3 is only classified by ClassifyForward and
// goes on as before: the receipt, the analyst's decision, the operator.
func TestCase3HostedClassifiedOnce(t *testing.T) {
	h, u := hostedHarness(t)
	h.operatorAnswers(time.Hour+2*day, ResponseRemoved)
	h.startAs(WorkflowCase3, caseInput(models.CategoryCopyright, false))
	requireAccepted(t, u)
	h.requireClosed(models.OutcomeContentRemoved)
	require.Len(t, h.args("ClassifyForward"), 1)
	require.Empty(t, h.args("Classify"))
	require.Empty(t, h.args("SendNotices"))
	require.Equal(t, "reporter-receipt", noticesOf(h)[0].Step)
	h.requireNotices(reporterDecision, operatorViolation(hostedDomain))
}

// WorkflowCase3 pins changeClassifyForward and every change WorkflowCase2
// pins, at the same versions.
func TestCase3Pins(t *testing.T) {
	v, ok := case3Pins(changeClassifyForward)
	require.True(t, ok)
	require.Equal(t, 1, int(v))
	_, ok = case2Pins(changeClassifyForward)
	require.False(t, ok, "asked by WorkflowCase2")
	for _, change := range []string{changeLocalNotices, changeBulkFanOut, changeBatchIDPrefix, changeCopyrightCompletion,
		changeNoticeEveryTarget, changeOneOperatorDeadline, changeMitigationRecords, changeNCSEIClock,
		changeNetworkCases, changeRegistrarAllDomains} {
		v2, ok2 := case2Pins(change)
		v3, ok3 := case3Pins(change)
		require.True(t, ok2 && ok3, change)
		require.Equal(t, v2, v3, change)
	}
	_, ok = case3Pins("a-later-change")
	require.False(t, ok)
}
