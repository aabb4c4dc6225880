package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// TestHostedDecisionValidator sends a decision the case must refuse while it
// awaits the analyst, then a valid one: the refused one must leave no trace.
func TestHostedDecisionValidator(t *testing.T) {
	for _, tc := range []struct {
		name    string
		d       Decision
		errType string
		substr  string
	}{
		{"uphold while awaiting the analyst", Decision{Verdict: VerdictUphold, Reason: "r"}, ErrTypeDecisionConflict, "not uphold"},
		{"reverse while awaiting the analyst", Decision{Verdict: VerdictReverse, Reason: "r"}, ErrTypeDecisionConflict, "not reverse"},
		{"terminate on a case", Decision{Verdict: VerdictTerminate, Reason: "r"}, ErrTypeDecisionConflict, "not terminate"},
		{"unknown verdict", Decision{Verdict: "maybe", Reason: "r"}, ErrTypeMalformedDecision, "unknown verdict"},
		{"violates without clause", Decision{Verdict: VerdictViolates, Reason: "r"}, ErrTypeMalformedDecision, "clause"},
		{"violates with an unknown clause", Decision{Verdict: VerdictViolates, Clause: "spam", Reason: "r"}, ErrTypeMalformedDecision, "clause"},
		{"violates without reason", Decision{Verdict: VerdictViolates, Clause: "ip"}, ErrTypeMalformedDecision, "reason"},
		{"no_violation without reason", Decision{Verdict: VerdictNoViolation}, ErrTypeMalformedDecision, "reason"},
		{"need_info without question", Decision{Verdict: VerdictNeedInfo, Reason: "r"}, ErrTypeMalformedDecision, "question"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.classify = targets(hostedTarget(hostedDomain, "acct-1", "obj-1"))
			bad := h.decide(time.Hour, tc.d)
			after := h.statusAt(time.Hour + time.Minute)
			good := h.decide(2*time.Hour, Decision{Verdict: VerdictNoViolation, Reason: "fine"})
			h.start(caseInput(models.CategoryCopyright, false))

			requireRejected(t, bad, tc.errType, tc.substr)
			requireAccepted(t, good)
			require.Equal(t, models.StatusAwaitingAnalyst, after.Status, "a refused decision changes nothing")
			require.Empty(t, after.Decisions)
			h.requireClosed(models.OutcomeNoViolation)
			require.Equal(t, []activities.DecisionRecord{{CaseID: testCaseID, Step: "decision-1", Verdict: "no_violation", Reason: "fine"}}, h.decisionRecords())
			require.Equal(t, []Decision{{Verdict: VerdictNoViolation, Reason: "fine"}}, h.status().Decisions)
		})
	}
}

func TestHostedSecondDecisionAfterClose(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(hostedTarget(hostedDomain, "acct-1", "obj-1"))
	h.slow("SetStatus", closing, 2*time.Hour) // the case is closed, the workflow not yet done
	first := h.decide(time.Hour, Decision{Verdict: VerdictNoViolation, Reason: "fine"})
	second := h.decide(2*time.Hour, Decision{Verdict: VerdictViolates, Clause: "ip", Reason: "changed my mind"})
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, first)
	requireRejected(t, second, ErrTypeDecisionConflict, "closed")
	h.requireClosed(models.OutcomeNoViolation)
	require.Len(t, h.decisionRecords(), 1)
	require.Empty(t, h.callsOf("DisableObjects"))
}

func TestHostedTwoDecisionsAtOnce(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(hostedTarget(hostedDomain, "acct-1", "obj-1"))
	first := h.decide(time.Hour, Decision{Verdict: VerdictNoViolation, Reason: "fine"})
	second := h.decide(time.Hour, Decision{Verdict: VerdictViolates, Clause: "ip", Reason: "bad"})
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, first)
	requireRejected(t, second, ErrTypeDecisionConflict, "")
	h.requireClosed(models.OutcomeNoViolation)
	require.Len(t, h.decisionRecords(), 1)
}

// TestHostedDecisionWhileTheFirstIsApplied: a second decision that arrives
// while the first is still being carried out (access being disabled) must be
// refused, not kept for the next decision the case waits for.
func TestHostedDecisionWhileTheFirstIsApplied(t *testing.T) {
	h, u := hostedHarness(t)
	h.slow("DisableObjects", func(any) bool { return true }, 2*time.Hour)
	during := h.decide(2*time.Hour, Decision{Verdict: VerdictViolates, Clause: "malware", Reason: "again"})
	h.operatorAnswers(2*day, ResponseDispute)
	rev := h.decide(3*day, Decision{Verdict: VerdictReverse, Reason: "licensed"})
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	requireRejected(t, during, ErrTypeDecisionConflict, "")
	requireAccepted(t, rev)
	h.requireClosed(models.OutcomeRestored)
	recs := h.decisionRecords()
	require.Len(t, recs, 2)
	require.Equal(t, "reverse", recs[1].Verdict)
}

func TestHostedDecisionWhileAwaitingOperator(t *testing.T) {
	h, u := hostedHarness(t)
	again := h.decide(2*day, Decision{Verdict: VerdictViolates, Clause: "ip", Reason: "again"})
	upheld := h.decide(2*day+time.Hour, Decision{Verdict: VerdictUphold, Reason: "early"})
	h.operatorAnswers(3*day, ResponseRemoved)
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	requireRejected(t, again, ErrTypeDecisionConflict, "operator")
	requireRejected(t, upheld, ErrTypeDecisionConflict, "operator")
	h.requireClosed(models.OutcomeContentRemoved)
	require.Len(t, h.decisionRecords(), 1)
}

func TestDecisionOnCDNCase(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("shop.example", "acct-1", true))
	h.slow("SendNotices", batchHas("reporter-forwarded"), 2*time.Hour) // keep the case open
	d := h.decide(time.Hour, Decision{Verdict: VerdictViolates, Clause: "malware", Reason: "r"})
	h.start(caseInput(models.CategoryMalware, true))

	requireRejected(t, d, ErrTypeDecisionConflict, "not a hosting case")
	h.requireClosed(models.OutcomeForwarded)
	require.Empty(t, h.decisionRecords())
	require.Empty(t, h.status().Decisions)
}
