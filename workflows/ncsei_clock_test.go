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

// TestNCSEIClockKeepsRunningWhileTheReporterIsAsked: need_info does not
// stop the legal deadline: the case escalates and disables while it waits
// for the reporter, and an unanswered question returns the case to the
// analyst instead of closing it with the content disabled.
func TestNCSEIClockKeepsRunningWhileTheReporterIsAsked(t *testing.T) {
	h := ncseiHarness(t)
	u := h.decide(time.Hour, Decision{Verdict: VerdictNeedInfo, Question: "Which image?", Analyst: "ana"})
	asking := h.statusAt(30 * time.Hour)
	back := h.statusAt(time.Hour + DefaultTimers.ReporterInfoWindow + time.Minute)
	u2 := h.decide(16*day, noViolation)
	h.start(ncseiInput())

	requireAccepted(t, u)
	require.Equal(t, models.StatusAwaitingReporter, asking.Status)
	esc := h.callsOf("EscalateCase")
	require.Len(t, esc, 1)
	require.Equal(t, t0.Add(24*time.Hour), esc[0].At)
	dis := h.callsOf("DisableObjects")
	require.Len(t, dis, 1)
	require.Equal(t, t0.Add(48*time.Hour), dis[0].At)
	require.Equal(t, models.StatusAwaitingAnalyst, back.Status)
	require.Equal(t, string(PhaseAnalyst), back.Awaiting)
	requireAccepted(t, u2)
	h.requireClosed(models.OutcomeNoViolation)
	require.Equal(t, -1, h.index("SendNotice", noticeStep("reporter-no-info")), "the case did not close for want of an answer")
	require.Len(t, h.callsOf("RestoreObjects"), 1)
}

// TestNCSEIClockRunsFromReceiptAndShare: the clock counts from the
// report's receipt (CaseInput.ReceivedAt) and escalates at the configured
// share.
func TestNCSEIClockRunsFromReceiptAndShare(t *testing.T) {
	h := ncseiHarness(t)
	in := ncseiInput()
	in.ReceivedAt = t0.Add(-10 * time.Hour)
	in.Timers.NCSEIEscalateShare = 0.25
	st := h.statusAt(time.Hour)
	u := h.decide(40*time.Hour, noViolation)
	h.start(in)

	require.Equal(t, t0.Add(38*time.Hour), *st.NextDeadline)
	esc := h.callsOf("EscalateCase")
	require.Len(t, esc, 1)
	require.Equal(t, t0.Add(2*time.Hour), esc[0].At)
	require.Contains(t, esc[0].Arg.(activities.EscalationInput).Reason, "within 12h of")
	require.Equal(t, t0.Add(38*time.Hour), h.callsOf("DisableObjects")[0].At)
	requireAccepted(t, u)
	h.requireClosed(models.OutcomeNoViolation)
}

// TestNCSEIClockOnlyForNCSEI: another category's hosted case has no
// clock.
func TestNCSEIClockOnlyForNCSEI(t *testing.T) {
	h := ncseiHarness(t)
	st := h.statusAt(time.Hour)
	u := h.decide(5*day, noViolation)
	h.start(caseInput(models.CategoryDefamation, true))

	require.Nil(t, st.NextDeadline)
	requireAccepted(t, u)
	h.requireClosed(models.OutcomeNoViolation)
	require.Empty(t, h.callsOf("EscalateCase"))
	require.Empty(t, h.callsOf("DisableObjects"))
}

// TestNCSEIOnTheCDN: an ncsei complaint about a pass-through site goes to
// the hosting provider and the operator (the reporter's default choice for
// both is send-anon, applied when each notice is rendered:
// intake.ResolveChoices, models.Case.ReporterSeenBy) and closes forwarded,
// with no clock.
func TestNCSEIOnTheCDN(t *testing.T) {
	h := ncseiHarness(t)
	h.classify = targets(cdnTarget("shop.example", "acct-1", true))
	h.start(ncseiInput())

	h.requireClosed(models.OutcomeForwarded)
	h.requireNotices(hostForward("shop.example"), reporterForwarded, operatorForward("shop.example"))
	require.Empty(t, h.callsOf("EscalateCase"))
	require.Empty(t, h.callsOf("DisableObjects"))
}

// TestNCSEIDeadlineDoesNotWaitForTheEscalationMail: an escalation that
// keeps failing (the mail relay is down) never holds up the deadline.
func TestNCSEIDeadlineDoesNotWaitForTheEscalationMail(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(hostedTarget(hostedDomain, "acct-1", "obj-1"))
	h.env.OnActivity(activities.ActEscalateCase, mock.Anything, mock.Anything).Return(errors.New("relay down")).Maybe()
	h.env.OnActivity(activities.ActFindIdenticalCopies, mock.Anything, mock.Anything).Return(activities.CopiesResult{}, nil).Maybe()
	u := h.decide(60*time.Hour, noViolation)
	h.start(ncseiInput())

	dis := h.callsOf("DisableObjects")
	require.Len(t, dis, 1)
	require.Equal(t, t0.Add(48*time.Hour), dis[0].At)
	requireAccepted(t, u)
	h.requireClosed(models.OutcomeNoViolation)
}
