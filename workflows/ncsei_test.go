package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// The ncsei removal clock (ncsei.go): escalation at the share, access
// disabled at 48 hours with the identical copies, stopped by a decision.

// copyOne is an identical copy of obj-1 stored by another account.
var copyOne = activities.HostedCopy{ObjectID: "copy-1", Domain: "other.example", AccountID: "acct-2",
	URLPrefix: "https://other.example/img/", EntityID: "https://other.example/img/*", ContentHash: strings.Repeat("ab", 32)}

var (
	noViolation = Decision{Verdict: VerdictNoViolation, Reason: "consensual, documented", Analyst: "ana"}
	violatesNC  = Decision{Verdict: VerdictViolates, Clause: "other_illegal", Reason: "non-consensual", Analyst: "ana"}
)

// ncseiHarness is an ncsei case about hosted obj-1, whose known copies
// are copies.
func ncseiHarness(t *testing.T, copies ...activities.HostedCopy) *harness {
	h := newHarness(t)
	h.classify = targets(hostedTarget(hostedDomain, "acct-1", "obj-1"))
	h.env.OnActivity(activities.ActFindIdenticalCopies, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.CopiesInput) (activities.CopiesResult, error) {
			h.record("FindIdenticalCopies", in)
			return activities.CopiesResult{Copies: copies}, nil
		}).Maybe()
	h.env.OnActivity(activities.ActEscalateCase, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EscalationInput) error { h.record("EscalateCase", in); return nil }).Maybe()
	return h
}

func ncseiInput() CaseInput { return caseInput(models.CategoryNCSEI, true) }

// deadlineMitigations are the "<type> <entity> <account> <step prefix?>"
// of the mitigations started, in order.
func (h *harness) mitigationSummary() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, m := range h.mitigations {
		out = append(out, m.Step+" "+m.AccountID)
	}
	return out
}

// TestNCSEIClockEscalatesAndDisablesAtTheDeadline: no analyst decides; at
// half the window the case escalates, at 48 hours the reported object and
// its identical copy are disabled pending review, and the case still
// waits for the analyst, whose violates decision replaces the deadline's
// mitigations with its own (copies included).
func TestNCSEIClockEscalatesAndDisablesAtTheDeadline(t *testing.T) {
	h := ncseiHarness(t, copyOne)
	waiting := h.statusAt(time.Hour)
	afterEsc := h.statusAt(25 * time.Hour)
	afterDeadline := h.statusAt(49 * time.Hour)
	u := h.decide(50*time.Hour, violatesNC)
	h.operatorAnswers(3*day, ResponseRemoved)
	h.start(ncseiInput())

	require.Equal(t, models.StatusAwaitingAnalyst, waiting.Status)
	require.Equal(t, string(PhaseAnalyst), waiting.Awaiting)
	require.NotNil(t, waiting.NextDeadline)
	require.Equal(t, t0.Add(48*time.Hour), *waiting.NextDeadline)
	require.Equal(t, DeadlineNCSEIRemoval, waiting.DeadlineKind)
	require.Equal(t, *waiting.NextDeadline, *afterEsc.NextDeadline, "the escalation keeps the deadline")

	esc := h.callsOf("EscalateCase")
	require.Len(t, esc, 1)
	require.Equal(t, t0.Add(24*time.Hour), esc[0].At)
	require.Equal(t, activities.EscalationInput{CaseID: testCaseID, Step: "ncsei-escalation", Deadline: t0.Add(48 * time.Hour),
		Reason: "escalated: no analyst decision within 24h of the 48-hour TAKE IT DOWN window"}, esc[0].Arg)

	dis := h.callsOf("DisableObjects")
	require.Len(t, dis, 3)
	require.Equal(t, t0.Add(48*time.Hour), dis[0].At)
	require.Equal(t, activities.ObjectsInput{CaseID: testCaseID, Step: "disable-ncsei-deadline",
		ObjectIDs: []string{"obj-1"}, Reason: NCSEIDeadlineReason}, dis[0].Arg)
	require.Equal(t, activities.ObjectsInput{CaseID: testCaseID, Step: "disable-ncsei-copies",
		ObjectIDs: []string{"copy-1"}, Reason: identicalCopy + NCSEIDeadlineReason}, dis[1].Arg)
	require.Equal(t, models.StatusAwaitingAnalyst, afterDeadline.Status)
	require.Equal(t, string(PhaseAnalyst), afterDeadline.Awaiting)
	require.Nil(t, afterDeadline.NextDeadline)

	requireAccepted(t, u)
	// The violation disables the copy with the reported object.
	require.Equal(t, activities.ObjectsInput{CaseID: testCaseID, Step: "disable",
		ObjectIDs: []string{"obj-1", "copy-1"}, Reason: "other_illegal"}, dis[2].Arg)
	require.Equal(t, []string{
		"ncsei-deadline:" + MitigationStep(models.MitigationContentDisabled, "https://"+hostedDomain+"/obj-1") + " acct-1",
		"ncsei-deadline:" + MitigationStep(models.MitigationContentDisabled, copyOne.EntityID) + " acct-2",
		MitigationStep(models.MitigationContentDisabled, "https://"+hostedDomain+"/obj-1") + " acct-1",
		MitigationStep(models.MitigationContentDisabled, copyOne.EntityID) + " acct-2",
	}, h.mitigationSummary())
	require.Equal(t, NCSEIDeadlineReason, h.mitigations[0].Reason)
	require.Equal(t, "restriction:"+testCaseID+":disable-ncsei-deadline:obj-1", h.mitigations[0].StatementKey)
	require.Equal(t, "restriction:"+testCaseID+":disable-ncsei-copies:copy-1", h.mitigations[1].StatementKey)
	require.True(t, strings.HasPrefix(h.mitigations[1].Reason, identicalCopy), h.mitigations[1].Reason)
	require.True(t, strings.HasPrefix(h.mitigations[3].Reason, identicalCopy), h.mitigations[3].Reason)
	// The deadline's mitigations end when the decision's are in force;
	// the operator's removal ends the decision's.
	ends := h.args("MitigationEnd")
	require.Len(t, ends, 4)
	require.Equal(t, MitigationWorkflowID(h.mitigations[0].MitigationID), ends[0])
	require.Equal(t, MitigationWorkflowID(h.mitigations[1].MitigationID), ends[1])
	h.requireClosed(models.OutcomeContentRemoved)
}

// TestNCSEINoViolationBeforeTheDeadlineStopsTheClock: a decision in time
// stops the clock: no escalation, nothing disabled, no copies looked up.
func TestNCSEINoViolationBeforeTheDeadlineStopsTheClock(t *testing.T) {
	h := ncseiHarness(t, copyOne)
	u := h.decide(10*time.Hour, noViolation)
	h.start(ncseiInput())

	requireAccepted(t, u)
	h.requireClosed(models.OutcomeNoViolation)
	require.Empty(t, h.callsOf("EscalateCase"))
	require.Empty(t, h.callsOf("DisableObjects"))
	require.Empty(t, h.callsOf("RestoreObjects"))
	require.Empty(t, h.callsOf("FindIdenticalCopies"))
	require.Empty(t, h.mitigations)
	closed := h.callsOf("SetStatus")
	require.Equal(t, t0.Add(10*time.Hour), closed[len(closed)-1].At)
}

// TestNCSEINoViolationAfterTheDeadlineRestores: the analyst finds no
// violation after the deadline: access to the object and its copy is
// restored and the deadline's mitigations end.
func TestNCSEINoViolationAfterTheDeadlineRestores(t *testing.T) {
	h := ncseiHarness(t, copyOne)
	u := h.decide(60*time.Hour, noViolation)
	h.start(ncseiInput())

	requireAccepted(t, u)
	h.requireClosed(models.OutcomeNoViolation)
	require.Len(t, h.callsOf("EscalateCase"), 1)
	res := h.callsOf("RestoreObjects")
	require.Len(t, res, 1)
	require.Equal(t, activities.ObjectsInput{CaseID: testCaseID, Step: "restore-ncsei",
		ObjectIDs: []string{"obj-1", "copy-1"}, Reason: noViolation.Reason}, res[0].Arg)
	require.Equal(t, t0.Add(60*time.Hour), res[0].At)
	ends := h.args("MitigationEnd")
	require.Len(t, ends, 2)
	require.Empty(t, h.strikes())
}

// TestNCSEIViolatesBeforeTheDeadlineCoversCopies: a violates decision in
// time stops the clock and disables the identical copies with the
// reported object, each its own mitigation in its own account.
func TestNCSEIViolatesBeforeTheDeadlineCoversCopies(t *testing.T) {
	h := ncseiHarness(t, copyOne)
	u := h.decide(2*time.Hour, violatesNC)
	h.operatorAnswers(day, ResponseRemoved)
	h.start(ncseiInput())

	requireAccepted(t, u)
	h.requireClosed(models.OutcomeContentRemoved)
	require.Empty(t, h.callsOf("EscalateCase"))
	dis := h.callsOf("DisableObjects")
	require.Len(t, dis, 1)
	require.Equal(t, []string{"obj-1", "copy-1"}, dis[0].Arg.(activities.ObjectsInput).ObjectIDs)
	require.Equal(t, []string{
		MitigationStep(models.MitigationContentDisabled, "https://"+hostedDomain+"/obj-1") + " acct-1",
		MitigationStep(models.MitigationContentDisabled, copyOne.EntityID) + " acct-2",
	}, h.mitigationSummary())
	// Only the reported content's account gets a strike.
	require.Equal(t, []string{"acct-1"}, strikeAccounts(h))
}

func strikeAccounts(h *harness) []string {
	var out []string
	for _, s := range h.strikes() {
		out = append(out, s.AccountID)
	}
	return out
}
