package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// Cases over several domains: every domain's operator (or registrant) is
// told at every step, and every notice states the one deadline the case
// waits for (changeNoticeEveryTarget, changeOneOperatorDeadline,
// changeRegistrarAllDomains).

var multiDomains = []string{"a.example", "b.example"}

// multiHostedHarness is a copyright case about two hosted domains of two
// accounts, decided "violates" one hour after the start; the second
// violation notice takes three hours to go out (a slow relay).
func multiHostedHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.classify = targets(hostedTarget("a.example", "acct-a", "obj-a"), hostedTarget("b.example", "acct-b", "obj-b"))
	h.slow("SendNotice", noticeStep("operator-violation:b.example"), 3*time.Hour)
	h.decide(time.Hour, violatesIP)
	return h
}

// perDomain is the notice of step to each of multiDomains.
func perDomain(step string, kind activities.NoticeKind) []sent {
	var out []sent
	for _, d := range multiDomains {
		out = append(out, operatorStep(step, d, kind))
	}
	return out
}

func TestMultiDomainNoAnswerTellsEveryOperatorOneDeadline(t *testing.T) {
	h := multiHostedHarness(t)
	waiting := h.statusAt(day)
	h.start(caseInput(models.CategoryCopyright, false))

	h.requireClosed(models.OutcomeContentRemovedNoResponse)
	want := []sent{reporterDecision}
	want = append(want, perDomain("operator-violation", activities.NoticeOperatorViolation)...)
	want = append(want, perDomain("operator-reminder", activities.NoticeOperatorReminder)...)
	want = append(want, perDomain("operator-removed", activities.NoticeOperatorRemoved)...)
	h.requireNotices(want...)

	// One deadline, set when the first notice went out; the second notice,
	// three hours later, states the same one, and so do the reminders.
	deadline := t0.Add(time.Hour + DefaultTimers.OperatorResponseWindow)
	for _, d := range multiDomains {
		v, _ := h.notice("operator-violation:" + d)
		require.NotNil(t, v.Deadline, d)
		require.Equal(t, deadline, *v.Deadline, d)
		require.Equal(t, d, v.Domain)
		require.True(t, v.WithResponseLink)
		r, _ := h.notice("operator-reminder:" + d)
		require.NotNil(t, r.Deadline, d)
		require.Equal(t, deadline, *r.Deadline, d)
		require.Equal(t, d, r.Domain)
		rm, _ := h.notice("operator-removed:" + d)
		require.Equal(t, d, rm.Domain)
	}
	_, second := h.notice("operator-violation:b.example")
	require.Equal(t, t0.Add(4*time.Hour), second.At, "the slow notice went out three hours later")
	// The case waits for exactly the deadline it stated.
	require.Equal(t, deadline, waiting.NextDeadline.UTC())
	rm := h.callsOf("RemoveObjects")
	require.Len(t, rm, 1)
	require.Equal(t, deadline, rm[0].At)
	_, removed := h.notice("operator-removed:a.example")
	require.Equal(t, deadline, removed.At)
}

func TestMultiDomainDisputeUpheldTellsEveryOperator(t *testing.T) {
	h := multiHostedHarness(t)
	h.operatorAnswers(day, ResponseDispute)
	h.decide(2*day, Decision{Verdict: VerdictUphold, Reason: "still infringing"})
	h.start(caseInput(models.CategoryCopyright, false))

	h.requireClosed(models.OutcomeRestrictionUpheld)
	want := []sent{reporterDecision}
	want = append(want, perDomain("operator-violation", activities.NoticeOperatorViolation)...)
	want = append(want, perDomain("operator-upheld", activities.NoticeOperatorUpheld)...)
	h.requireNotices(want...)
	for _, d := range multiDomains {
		n, _ := h.notice("operator-upheld:" + d)
		require.Equal(t, "still infringing", n.Facts["reason"])
		require.Equal(t, d, n.Domain)
	}
}

func TestMultiDomainReversedTellsEveryOperator(t *testing.T) {
	h := multiHostedHarness(t)
	h.operatorAnswers(day, ResponseDispute)
	h.decide(2*day, Decision{Verdict: VerdictReverse, Reason: "fair use"})
	h.start(caseInput(models.CategoryCopyright, false))

	h.requireClosed(models.OutcomeRestored)
	want := []sent{reporterDecision}
	want = append(want, perDomain("operator-violation", activities.NoticeOperatorViolation)...)
	want = append(want, perDomain("operator-restored", activities.NoticeOperatorRestored)...)
	h.requireNotices(want...)
	for _, d := range multiDomains {
		n, _ := h.notice("operator-restored:" + d)
		require.Equal(t, "reversed", n.Facts["why"])
		require.Equal(t, d, n.Domain)
	}
	require.Equal(t, []string{"obj-a", "obj-b"}, h.args("RestoreObjects")[0].(activities.ObjectsInput).ObjectIDs)
}

func multiRegistrarHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.classify = targets(registrarTarget("a.example", "acct-a"), registrarTarget("b.example", "acct-b"))
	return h
}

// One registrant corrects, the other does not: the reminder and the
// suspension reach only the domain not corrected.
func TestMultiDomainWhoisSuspendsOnlyTheUncorrected(t *testing.T) {
	h := multiRegistrarHarness(t)
	window := DefaultTimers.WhoisCorrectionWindow
	h.registrantCorrects(2*day, "a.example")
	d := h.decide(window+day, Decision{Verdict: VerdictUphold, Reason: "fake address"})
	h.start(caseInput(models.CategoryRegistrarWhois, false))

	requireAccepted(t, d)
	h.requireClosed(models.OutcomeDomainSuspended)
	h.requireNotices(
		registrantStep("registrant-whois", "a.example", activities.NoticeRegistrantWhois),
		registrantStep("registrant-whois", "b.example", activities.NoticeRegistrantWhois),
		registrantStep("registrant-reminder", "b.example", activities.NoticeRegistrantReminder),
		registrantStep("registrant-suspended", "b.example", activities.NoticeRegistrantSuspended))
	deadline := t0.Add(window).Format(time.RFC1123)
	for _, step := range []string{"registrant-whois:a.example", "registrant-whois:b.example", "registrant-reminder:b.example"} {
		n, _ := h.notice(step)
		require.Equal(t, deadline, n.Facts["deadline"], step)
	}
	require.Equal(t, []any{activities.DomainInput{CaseID: testCaseID, Step: "suspend:b.example", Domain: "b.example", Status: EPPServerHold}},
		h.args("SetDomainStatus"))
}

func TestMultiDomainWhoisAllCorrected(t *testing.T) {
	h := multiRegistrarHarness(t)
	h.registrantCorrects(day, "a.example")
	h.registrantCorrects(3*day, "b.example")
	h.start(caseInput(models.CategoryRegistrarWhois, false))

	h.requireClosed(models.OutcomeDomainCorrected)
	closed := h.callsOf("SetStatus")
	require.Equal(t, t0.Add(3*day), closed[len(closed)-1].At, "open until the last domain is corrected")
	require.Empty(t, h.callsOf("SetDomainStatus"))
}

func TestMultiDomainHijackingLocksAndUnlocksEveryDomain(t *testing.T) {
	h := multiRegistrarHarness(t)
	h.decide(day, Decision{Verdict: VerdictReverse, Reason: "owner moved them"})
	h.start(caseInput(models.CategoryRegistrarHijacking, false))

	h.requireClosed(models.OutcomeNoViolation)
	h.requireNotices(
		registrantStep("registrant-locked", "a.example", activities.NoticeRegistrantLocked),
		registrantStep("registrant-locked", "b.example", activities.NoticeRegistrantLocked))
	var want []any
	for _, step := range []string{"lock", "unlock"} {
		for _, d := range multiDomains {
			want = append(want, activities.DomainInput{CaseID: testCaseID, Step: step + ":" + d, Domain: d,
				Status: EPPClientTransferProhibited, Clear: step == "unlock"})
		}
	}
	require.Equal(t, want, h.args("SetDomainStatus"))
}

func TestMultiDomainRegistrarScopeAnswersEveryDomain(t *testing.T) {
	h := multiRegistrarHarness(t)
	h.start(caseInput(models.CategoryTrademark, true))

	h.requireClosed(models.OutcomeRegistrarAnswered)
	h.requireNotices(
		sent{Step: "reporter-registrar:a.example", Role: models.RoleReporter, Kind: activities.NoticeReporterRegistrar},
		sent{Step: "reporter-registrar:b.example", Role: models.RoleReporter, Kind: activities.NoticeReporterRegistrar})
}
