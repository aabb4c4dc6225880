package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

const regDomain = "parked.example"

// The registrar path's notices, one per domain ("<step>:<domain>").
func registrantStep(step, domain string, kind activities.NoticeKind) sent {
	return sent{Step: step + ":" + domain, Role: models.RoleRegistrant, Kind: kind}
}

var (
	registrantWhois     = registrantStep("registrant-whois", regDomain, activities.NoticeRegistrantWhois)
	registrantReminder  = registrantStep("registrant-reminder", regDomain, activities.NoticeRegistrantReminder)
	registrantSuspended = registrantStep("registrant-suspended", regDomain, activities.NoticeRegistrantSuspended)
	registrantLocked    = registrantStep("registrant-locked", regDomain, activities.NoticeRegistrantLocked)
)

// registrantCorrects signals, d after the start, the registrant's
// confirmation through the link of domain's WHOIS notice (the mocked
// SendNotice names a notice "<case>/<step>").
func (h *harness) registrantCorrects(d time.Duration, domain string) {
	h.at(d, func() {
		h.env.SignalWorkflow(SignalOperatorResponse, OperatorResponse{
			NoticeID: testCaseID + "/registrant-whois:" + domain, Response: ResponseRemoved, ReceivedAt: h.env.Now().UTC()})
	})
}

func registrarHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.classify = targets(registrarTarget(regDomain, "acct-1"))
	return h
}

func TestWhoisNoCorrectionSuspended(t *testing.T) {
	h := registrarHarness(t)
	window := DefaultTimers.WhoisCorrectionWindow
	waiting := h.statusAt(day)
	early := h.decide(2*day, Decision{Verdict: VerdictUphold, Reason: "too early"})
	review := h.statusAt(window + time.Hour)
	d := h.decide(window+day, Decision{Verdict: VerdictUphold, Reason: "fake address", Analyst: "ana"})
	h.start(caseInput(models.CategoryRegistrarWhois, false))

	requireRejected(t, early, ErrTypeDecisionConflict, "registrant")
	requireAccepted(t, d)
	h.requireClosed(models.OutcomeDomainSuspended)
	h.requireNotices(registrantWhois, registrantReminder, registrantSuspended)

	require.Equal(t, models.StatusAwaitingRegistrant, waiting.Status)
	require.Equal(t, "whois_correction", waiting.DeadlineKind)
	require.Equal(t, t0.Add(window), waiting.NextDeadline.UTC())
	require.Equal(t, models.ServiceRegistrar, waiting.Service)
	require.Equal(t, models.StatusRegistrarReview, review.Status)
	require.Equal(t, string(PhaseRegistrarWhois), review.Awaiting)

	n, _ := h.notice("registrant-whois:" + regDomain)
	require.True(t, n.WithResponseLink)
	require.Equal(t, regDomain, n.Domain)
	_, rem := h.notice("registrant-reminder:" + regDomain)
	require.Equal(t, t0.Add(window/2), rem.At)

	ds := h.callsOf("SetDomainStatus")
	require.Len(t, ds, 1)
	require.Equal(t, activities.DomainInput{CaseID: testCaseID, Step: "suspend:" + regDomain, Domain: regDomain, Status: EPPServerHold}, ds[0].Arg)
	require.Equal(t, t0.Add(window+day), ds[0].At)
	require.Equal(t, []activities.DecisionRecord{{CaseID: testCaseID, Step: "decision-1", Verdict: "uphold", Reason: "fake address", Analyst: "ana"}}, h.decisionRecords())
}

func TestWhoisNoCorrectionDeclined(t *testing.T) {
	h := registrarHarness(t)
	d := h.decide(DefaultTimers.WhoisCorrectionWindow+day, Decision{Verdict: VerdictDecline, Reason: "data plausible"})
	h.start(caseInput(models.CategoryRegistrarWhois, false))

	requireAccepted(t, d)
	h.requireClosed(models.OutcomeNoViolation)
	h.requireNotices(registrantWhois, registrantReminder)
	require.Empty(t, h.callsOf("SetDomainStatus"))
}

func TestWhoisCorrected(t *testing.T) {
	for _, at := range []time.Duration{2 * day, 10 * day} { // before and after the reminder
		h := registrarHarness(t)
		h.registrantCorrects(at, regDomain)
		h.start(caseInput(models.CategoryRegistrarWhois, false))

		h.requireClosed(models.OutcomeDomainCorrected)
		want := []sent{registrantWhois}
		if at > DefaultTimers.WhoisCorrectionWindow/2 {
			want = append(want, registrantReminder)
		}
		h.requireNotices(want...)
		require.Empty(t, h.callsOf("SetDomainStatus"))
		require.Empty(t, h.decisionRecords())
		closed := h.callsOf("SetStatus")
		require.Equal(t, t0.Add(at), closed[len(closed)-1].At)
	}
}

func TestHijackingLockedThenUpheld(t *testing.T) {
	h := registrarHarness(t)
	review := h.statusAt(time.Hour)
	wrong := h.decide(2*time.Hour, Decision{Verdict: VerdictViolates, Clause: "other_illegal", Reason: "r"})
	d := h.decide(day, Decision{Verdict: VerdictUphold, Reason: "transfer was unauthorised"})
	h.start(caseInput(models.CategoryRegistrarHijacking, false))

	requireRejected(t, wrong, ErrTypeDecisionConflict, "not violates")
	requireAccepted(t, d)
	h.requireClosed(models.OutcomeDomainLocked)
	h.requireNotices(registrantLocked)
	ds := h.callsOf("SetDomainStatus")
	require.Len(t, ds, 1, "the lock stays")
	require.Equal(t, activities.DomainInput{CaseID: testCaseID, Step: "lock:" + regDomain, Domain: regDomain, Status: EPPClientTransferProhibited}, ds[0].Arg)
	require.Equal(t, t0, ds[0].At, "locked at once")
	require.Equal(t, models.StatusRegistrarReview, review.Status)
	require.Equal(t, string(PhaseHijack), review.Awaiting)
	require.Len(t, h.decisionRecords(), 1)
}

func TestHijackingLockedThenReversed(t *testing.T) {
	h := registrarHarness(t)
	d := h.decide(day, Decision{Verdict: VerdictReverse, Reason: "owner moved it"})
	h.start(caseInput(models.CategoryRegistrarHijacking, false))

	requireAccepted(t, d)
	h.requireClosed(models.OutcomeNoViolation)
	require.Equal(t, []any{
		activities.DomainInput{CaseID: testCaseID, Step: "lock:" + regDomain, Domain: regDomain, Status: EPPClientTransferProhibited},
		activities.DomainInput{CaseID: testCaseID, Step: "unlock:" + regDomain, Domain: regDomain, Status: EPPClientTransferProhibited, Clear: true},
	}, h.args("SetDomainStatus"))
	ds := h.callsOf("SetDomainStatus")
	require.Equal(t, t0, ds[0].At)
	require.Equal(t, t0.Add(day), ds[1].At)
}

func TestRegistrarOnlyDomainScope(t *testing.T) {
	for _, tc := range []struct {
		cat models.Category
		why string
	}{
		{models.CategoryTrademark, "trademark"},
		{models.CategoryOther, "scope"},
		{models.CategoryPhishing, "scope"},
		{models.CategoryCopyright, "scope"},
	} {
		t.Run(string(tc.cat), func(t *testing.T) {
			h := registrarHarness(t)
			h.start(caseInput(tc.cat, true))

			h.requireClosed(models.OutcomeRegistrarAnswered)
			h.requireNotices(sent{Step: "reporter-registrar:" + regDomain, Role: models.RoleReporter, Kind: activities.NoticeReporterRegistrar})
			n, _ := h.notice("reporter-registrar:" + regDomain)
			require.Equal(t, tc.why, n.Facts["why"])
			require.Equal(t, regDomain, n.Domain)
			require.Empty(t, h.callsOf("SetDomainStatus"))
		})
	}
}
