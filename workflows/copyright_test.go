package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// incompleteCopyright is the input of a copyright complaint that lacks
// some 512(c)(3) elements (issue 14).
func incompleteCopyright() CaseInput {
	in := caseInput(models.CategoryCopyright, true)
	in.CopyrightIncomplete = true
	return in
}

func dmcaForward(domain string) sent {
	return sent{Step: "operator-forward-dmca:" + domain, Role: models.RoleOperator, Kind: activities.NoticeForwardOperator}
}

// A CDN case forwards the complaint and closes at once; when the
// complainant completes it two days later, the operator gets the DMCA
// notice as a step of its own.
func TestIncompleteCopyrightCompletedAfterClose(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("shop.example", "acct-1", true))
	st := h.statusAt(day)
	h.signal(2*day, SignalCopyrightCompleted, CopyrightCompleted{CompletedAt: t0.Add(2 * day)})
	h.start(incompleteCopyright())

	h.requireClosed(models.OutcomeForwarded)
	require.Equal(t, models.StatusClosed, st.Status, "closed after the forwards, as any CDN case")
	h.requireNotices(operatorForward("shop.example"), hostForward("shop.example"), reporterForwarded, dmcaForward("shop.example"))
	first, firstCall := h.notice("operator-forward:shop.example")
	dmca, dmcaCall := h.notice("operator-forward-dmca:shop.example")
	require.Equal(t, t0, firstCall.At)
	require.Equal(t, t0.Add(2*day), dmcaCall.At, "the DMCA notice goes out when the completion arrives")
	require.Equal(t, first.Domain, dmca.Domain)
	require.Equal(t, testCaseID, dmca.CaseID)
	require.Len(t, h.args("SetStatus"), 1, "the read model is written once, when the case closes")
	require.Empty(t, h.callsOf("RecordStrike"))
}

// Without a completion the case's run ends after the reporter info window
// with the complaint only.
func TestIncompleteCopyrightNeverCompleted(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("shop.example", "acct-1", true))
	h.start(incompleteCopyright())

	h.requireClosed(models.OutcomeForwarded)
	h.requireNotices(operatorForward("shop.example"), hostForward("shop.example"), reporterForwarded)
	require.Equal(t, t0.Add(DefaultTimers.ReporterInfoWindow), h.env.Now().UTC(), "the run waited the reporter info window")
}

// A complete copyright notice closes as before, waiting for nothing.
func TestCompleteCopyrightWaitsForNoCompletion(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("shop.example", "acct-1", true))
	h.start(caseInput(models.CategoryCopyright, true))

	h.requireClosed(models.OutcomeForwarded)
	h.requireNotices(operatorForward("shop.example"), hostForward("shop.example"), reporterForwarded)
	require.Equal(t, t0, h.env.Now().UTC())
}

// Completed before the forwards went out: they rendered the complete
// notice, so no second one is sent.
func TestIncompleteCopyrightCompletedBeforeForwarding(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("shop.example", "acct-1", true))
	h.slow("Classify", func(any) bool { return true }, day)
	h.signal(1, SignalCopyrightCompleted, CopyrightCompleted{CompletedAt: t0})
	h.start(incompleteCopyright())

	h.requireClosed(models.OutcomeForwarded)
	h.requireNotices(operatorForward("shop.example"), hostForward("shop.example"), reporterForwarded)
}

// A hosted case's operator notice comes after the analyst's decision and
// is rendered from the case as it is then: the completion needs no notice
// of its own, and the case runs its usual course.
func TestIncompleteCopyrightHostedCompletedBeforeDecision(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(hostedTarget("site.example", "acct-1", "obj-1"))
	h.signal(day, SignalCopyrightCompleted, CopyrightCompleted{CompletedAt: t0.Add(day)})
	h.decide(2*day, Decision{Verdict: VerdictNoViolation, Reason: "licensed"})
	h.start(incompleteCopyright())

	h.requireClosed(models.OutcomeNoViolation)
	h.requireNotices(sent{Step: "reporter-decision", Role: models.RoleReporter, Kind: activities.NoticeReporterDecision})
}

// A case with a CDN and a hosted domain: the CDN operator got the
// complaint; the completion, while the hosted domain waits for the
// analyst, sends it the DMCA notice at once, and the case runs on.
func TestIncompleteCopyrightMixedCompletedWhileAwaitingAnalyst(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("a-cdn.example", "acct-1", true), hostedTarget("b-hosted.example", "acct-1", "obj-1"))
	h.signal(day, SignalCopyrightCompleted, CopyrightCompleted{CompletedAt: t0.Add(day)})
	st := h.statusAt(day + 1)
	h.decide(2*day, Decision{Verdict: VerdictNoViolation, Reason: "licensed"})
	h.start(incompleteCopyright())

	h.requireClosed(models.OutcomeNoViolation)
	require.Equal(t, models.StatusAwaitingAnalyst, st.Status)
	h.requireNotices(operatorForward("a-cdn.example"), hostForward("a-cdn.example"), reporterForwarded, dmcaForward("a-cdn.example"),
		sent{Step: "reporter-decision", Role: models.RoleReporter, Kind: activities.NoticeReporterDecision})
	_, dmcaCall := h.notice("operator-forward-dmca:a-cdn.example")
	require.WithinDuration(t, t0.Add(day), dmcaCall.At, time.Second, "sent when the completion arrives")
	require.WithinDuration(t, t0.Add(2*day), h.env.Now().UTC(), time.Second, "the case ends with its decision: the watch is over")
}
