package workflows

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/calendar"
	"github.com/abusedesk/abusedesk/models"
)

// Notices of the hosted path.
var (
	reporterDecision = sent{Step: "reporter-decision", Role: models.RoleReporter, Kind: activities.NoticeReporterDecision}
	// The operator-side steps of the one-domain cases below, one per domain.
	operatorReminder = operatorStep("operator-reminder", hostedDomain, activities.NoticeOperatorReminder)
	operatorRemoved  = operatorStep("operator-removed", hostedDomain, activities.NoticeOperatorRemoved)
	operatorUpheld   = operatorStep("operator-upheld", hostedDomain, activities.NoticeOperatorUpheld)
	operatorRestored = operatorStep("operator-restored", hostedDomain, activities.NoticeOperatorRestored)
	complainantCN    = sent{Step: "complainant-counter-notice", Role: models.RoleComplainant, Kind: activities.NoticeComplainantCounter}
	complainantRest  = sent{Step: "complainant-restored", Role: models.RoleComplainant, Kind: activities.NoticeComplainantRestored}
)

// operatorStep is the notice of step to the operator of domain.
func operatorStep(step, domain string, kind activities.NoticeKind) sent {
	return sent{Step: step + ":" + domain, Role: models.RoleOperator, Kind: kind}
}

func operatorViolation(domain string) sent {
	return sent{Step: "operator-violation:" + domain, Role: models.RoleOperator, Kind: activities.NoticeOperatorViolation}
}

const hostedDomain = "site.example"

var violatesIP = Decision{Verdict: VerdictViolates, Clause: "ip", Reason: "infringing copy", Analyst: "ana"}

// hostedHarness is a copyright case about one hosted object, decided
// "violates" one hour after the start.
func hostedHarness(t *testing.T) (*harness, *updateOutcome) {
	h := newHarness(t)
	h.classify = targets(hostedTarget(hostedDomain, "acct-1", "obj-1", "obj-2"))
	u := h.decide(time.Hour, violatesIP)
	return h, u
}

// requireViolatesApplied checks what a "violates" decision does before the
// operator answers.
func requireViolatesApplied(t *testing.T, h *harness, decidedAt time.Time) {
	t.Helper()
	require.Equal(t, []activities.DecisionRecord{{CaseID: testCaseID, Step: "decision-1", Verdict: "violates", Clause: "ip", Reason: "infringing copy", Analyst: "ana"}},
		h.decisionRecords())
	dis := h.callsOf("DisableObjects")
	require.Len(t, dis, 1)
	require.Equal(t, activities.ObjectsInput{CaseID: testCaseID, Step: "disable", ObjectIDs: []string{"obj-1", "obj-2"}, Reason: "ip"}, dis[0].Arg)
	require.Equal(t, decidedAt, dis[0].At)
	st := h.strikes()
	require.NotEmpty(t, st)
	require.Equal(t, activities.StrikeInput{CaseID: testCaseID, AccountID: "acct-1", Category: models.CategoryCopyright, Clause: "ip"}, st[0])
	op, _ := h.notice("operator-violation:" + hostedDomain)
	require.True(t, op.WithResponseLink)
	require.Equal(t, "ip", op.Facts["clause"])
	// The notice states the deadline the case then waits for.
	require.NotNil(t, op.Deadline)
	require.Equal(t, decidedAt.Add(DefaultTimers.OperatorResponseWindow), *op.Deadline)
	require.NotContains(t, op.Facts, "deadline", "one deadline, as a time")
	// The notice states what the restriction covers from the decision
	// itself, not from records the mitigation children write meanwhile.
	require.Equal(t, "https://"+hostedDomain+"/obj-1\nhttps://"+hostedDomain+"/obj-2", op.Facts[activities.FactCovered])
	rep, _ := h.notice("reporter-decision")
	require.Equal(t, "violates", rep.Facts["decision"])
	// Access is disabled before the operator is told.
	require.Less(t, h.index("DisableObjects", nil), h.index("SendNotice", noticeStep("operator-violation:"+hostedDomain)))
}

func TestHostedRemovedBeforeReminder(t *testing.T) {
	h, u := hostedHarness(t)
	waiting := h.statusAt(time.Hour + day)
	h.operatorAnswers(time.Hour+2*day, ResponseRemoved)
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	h.requireClosed(models.OutcomeContentRemoved)
	requireViolatesApplied(t, h, t0.Add(time.Hour))
	h.requireNotices(reporterDecision, operatorViolation(hostedDomain))
	require.Equal(t, models.StatusAwaitingOperator, waiting.Status)
	require.Equal(t, string(PhaseOperator), waiting.Awaiting)
	require.Equal(t, "operator_response", waiting.DeadlineKind)
	require.Equal(t, t0.Add(time.Hour+DefaultTimers.OperatorResponseWindow), waiting.NextDeadline.UTC())
	require.Empty(t, h.callsOf("RemoveObjects"))
	require.Empty(t, h.callsOf("RestoreObjects"))
	require.Len(t, h.strikes(), 1)
	closed := h.callsOf("SetStatus")
	require.Equal(t, t0.Add(time.Hour+2*day), closed[len(closed)-1].At)
}

func TestHostedRemovedAfterReminder(t *testing.T) {
	h, u := hostedHarness(t)
	h.operatorAnswers(time.Hour+5*day, ResponseRemoved)
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	h.requireClosed(models.OutcomeContentRemoved)
	requireViolatesApplied(t, h, t0.Add(time.Hour))
	h.requireNotices(reporterDecision, operatorViolation(hostedDomain), operatorReminder)
	_, rem := h.notice("operator-reminder:" + hostedDomain)
	require.Equal(t, t0.Add(time.Hour+DefaultTimers.OperatorReminderAfter), rem.At)
	require.Empty(t, h.callsOf("RemoveObjects"))
}

func TestHostedNoAnswerRemovesAndStrikes(t *testing.T) {
	h, u := hostedHarness(t)
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	h.requireClosed(models.OutcomeContentRemovedNoResponse)
	requireViolatesApplied(t, h, t0.Add(time.Hour))
	h.requireNotices(reporterDecision, operatorViolation(hostedDomain), operatorReminder, operatorRemoved)
	rm := h.callsOf("RemoveObjects")
	require.Len(t, rm, 1)
	require.Equal(t, activities.ObjectsInput{CaseID: testCaseID, Step: "remove-no-response", ObjectIDs: []string{"obj-1", "obj-2"}, Reason: "no response"}, rm[0].Arg)
	require.Equal(t, t0.Add(time.Hour+DefaultTimers.OperatorResponseWindow), rm[0].At)
	require.Equal(t, []activities.StrikeInput{
		{CaseID: testCaseID, AccountID: "acct-1", Category: models.CategoryCopyright, Clause: "ip"},
		{CaseID: testCaseID, AccountID: "acct-1", Category: models.CategoryCopyright, NoMeaningfulStep: true},
	}, h.strikes())
	require.Empty(t, h.callsOf("RestoreObjects"))
}

func TestHostedDisputeUpheld(t *testing.T) {
	h, u := hostedHarness(t)
	h.operatorAnswers(time.Hour+day, ResponseDispute)
	disputed := h.statusAt(2 * day)
	up := h.decide(3*day, Decision{Verdict: VerdictUphold, Reason: "the copy is verbatim", Analyst: "ana"})
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	requireAccepted(t, up)
	h.requireClosed(models.OutcomeRestrictionUpheld)
	require.Equal(t, models.StatusDisputed, disputed.Status)
	require.Equal(t, string(PhaseDispute), disputed.Awaiting)
	h.requireNotices(reporterDecision, operatorViolation(hostedDomain), operatorUpheld)
	n, _ := h.notice("operator-upheld:" + hostedDomain)
	require.Equal(t, "the copy is verbatim", n.Facts["reason"])
	require.Len(t, h.decisionRecords(), 2)
	require.Equal(t, "decision-2", h.decisionRecords()[1].Step)
	require.Equal(t, "uphold", h.decisionRecords()[1].Verdict)
	require.Empty(t, h.callsOf("RestoreObjects"))
	require.Empty(t, h.callsOf("RemoveObjects"))
	require.Len(t, h.strikes(), 1)
	require.Len(t, h.status().Decisions, 2)
}

func TestHostedDisputeReversed(t *testing.T) {
	h, u := hostedHarness(t)
	h.operatorAnswers(time.Hour+day, ResponseDispute)
	rev := h.decide(3*day, Decision{Verdict: VerdictReverse, Reason: "licensed", Analyst: "ana"})
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	requireAccepted(t, rev)
	h.requireClosed(models.OutcomeRestored)
	h.requireNotices(reporterDecision, operatorViolation(hostedDomain), operatorRestored)
	rs := h.callsOf("RestoreObjects")
	require.Len(t, rs, 1)
	require.Equal(t, activities.ObjectsInput{CaseID: testCaseID, Step: "restore", ObjectIDs: []string{"obj-1", "obj-2"}, Reason: "reversed"}, rs[0].Arg)
	require.Equal(t, t0.Add(3*day), rs[0].At)
	require.Equal(t, []activities.StrikeInput{
		{CaseID: testCaseID, AccountID: "acct-1", Category: models.CategoryCopyright, Clause: "ip"},
		{CaseID: testCaseID, AccountID: "acct-1", Category: models.CategoryCopyright, Withdraw: true},
	}, h.strikes())
	n, _ := h.notice("operator-restored:" + hostedDomain)
	require.Equal(t, "reversed", n.Facts["why"])
	require.Equal(t, "licensed", n.Facts["reason"])
}

func TestHostedCounterNoticeRestoresAfterTenBusinessDays(t *testing.T) {
	// One counter-notice arriving on each day of the week.
	for i := 0; i < 7; i++ {
		answer := time.Hour + time.Duration(i)*day + 3*time.Hour
		t.Run(t0.Add(answer).Weekday().String(), func(t *testing.T) {
			h, u := hostedHarness(t)
			var received time.Time
			h.at(answer, func() {
				received = h.env.Now().UTC()
				h.env.SignalWorkflow(SignalOperatorResponse, OperatorResponse{NoticeID: "n-1", Response: ResponseCounterNotice, ReceivedAt: received})
			})
			waiting := h.statusAt(answer + time.Hour)
			h.start(caseInput(models.CategoryCopyright, false))

			requireAccepted(t, u)
			h.requireClosed(models.OutcomeRestored)
			want := []sent{reporterDecision, operatorViolation(hostedDomain), complainantCN, complainantRest, operatorRestored}
			if answer > time.Hour+DefaultTimers.OperatorReminderAfter {
				want = append(want, operatorReminder)
			}
			h.requireNotices(want...)

			require.Equal(t, models.StatusCounterNotice, waiting.Status)
			require.Equal(t, string(PhaseCounterNotice), waiting.Awaiting)
			require.Equal(t, "restore", waiting.DeadlineKind)
			require.NotNil(t, waiting.RestoreAt)

			rs := h.callsOf("RestoreObjects")
			require.Len(t, rs, 1)
			require.Equal(t, "counter_notice", rs[0].Arg.(activities.ObjectsInput).Reason)
			restoredAt := rs[0].At
			require.Equal(t, waiting.RestoreAt.UTC(), restoredAt)
			require.True(t, calendar.IsBusinessDay(restoredAt), restoredAt.Weekday())
			n := calendar.BusinessDaysBetween(received, restoredAt)
			require.GreaterOrEqual(t, n, 10, "restored %s after a counter-notice of %s", restoredAt, received)
			require.LessOrEqual(t, n, 14, "restored %s after a counter-notice of %s", restoredAt, received)

			cn, cnCall := h.notice("complainant-counter-notice")
			require.Equal(t, received, cnCall.At)
			require.Equal(t, "n-1", cn.Facts["counter_notice_id"])
			require.Equal(t, restoredAt.Format("Monday, 2 January 2006"), cn.Facts["restore_at"])
			_, restCall := h.notice("complainant-restored")
			require.Equal(t, restoredAt, restCall.At)
			st := h.strikes()
			require.Len(t, st, 2)
			require.True(t, st[1].Withdraw)
			require.Empty(t, h.callsOf("RemoveObjects"))
		})
	}
}

func TestHostedCounterNoticeUsesItsReceivedTime(t *testing.T) {
	// The server relays the counter-notice a day after it came in: the
	// business days count from when it was received.
	h, u := hostedHarness(t)
	received := t0.Add(time.Hour + day)
	h.at(time.Hour+2*day, func() {
		h.env.SignalWorkflow(SignalOperatorResponse, OperatorResponse{NoticeID: "n-1", Response: ResponseCounterNotice, ReceivedAt: received})
	})
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	h.requireClosed(models.OutcomeRestored)
	rs := h.callsOf("RestoreObjects")
	require.Len(t, rs, 1)
	require.Equal(t, calendar.AddBusinessDays(received, CounterNoticeBusinessDays), rs[0].At)
}

func TestHostedCounterNoticeWithCourtAction(t *testing.T) {
	h, u := hostedHarness(t)
	h.operatorAnswers(time.Hour+day, ResponseCounterNotice)
	h.signal(6*day, SignalCourtAction, CourtAction{By: "complainant", Reference: "1:26-cv-0001"})
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	h.requireClosed(models.OutcomeCourtAction)
	h.requireNotices(reporterDecision, operatorViolation(hostedDomain), complainantCN)
	require.Empty(t, h.callsOf("RestoreObjects"))
	require.Empty(t, h.callsOf("RemoveObjects"))
	require.Len(t, h.strikes(), 1, "the strike stays")
	closed := h.callsOf("SetStatus")
	require.Equal(t, t0.Add(6*day), closed[len(closed)-1].At)
}

func TestHostedCourtActionBeforeCounterNoticeIsIgnored(t *testing.T) {
	h, u := hostedHarness(t)
	h.signal(time.Hour+day, SignalCourtAction, CourtAction{By: "complainant"})
	h.operatorAnswers(time.Hour+2*day, ResponseCounterNotice)
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	h.requireClosed(models.OutcomeRestored)
}

func TestHostedNeedInfoAnswered(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(hostedTarget(hostedDomain, "acct-1", "obj-1"))
	ask := h.decide(time.Hour, Decision{Verdict: VerdictNeedInfo, Question: "Which page exactly?", Analyst: "ana"})
	asking := h.statusAt(2 * time.Hour)
	h.signal(3*day, SignalReporterAnswer, ReporterAnswer{AnsweredAt: t0.Add(3 * day)})
	back := h.statusAt(3*day + time.Hour)
	dec := h.decide(4*day, Decision{Verdict: VerdictNoViolation, Reason: "parody", Analyst: "ana"})
	h.start(caseInput(models.CategoryDefamation, false))

	requireAccepted(t, ask)
	requireAccepted(t, dec)
	h.requireClosed(models.OutcomeNoViolation)
	require.Equal(t, models.StatusAwaitingReporter, asking.Status)
	require.Equal(t, string(PhaseReporter), asking.Awaiting)
	require.Equal(t, "reporter_answer", asking.DeadlineKind)
	require.Equal(t, t0.Add(time.Hour+DefaultTimers.ReporterInfoWindow), asking.NextDeadline.UTC())
	require.Equal(t, models.StatusAwaitingAnalyst, back.Status)
	require.Equal(t, string(PhaseAnalyst), back.Awaiting)
	require.Nil(t, back.NextDeadline)

	h.requireNotices(sent{Step: "reporter-question-1", Role: models.RoleReporter, Kind: activities.NoticeReporterQuestion}, reporterDecision)
	q, _ := h.notice("reporter-question-1")
	require.Equal(t, "Which page exactly?", q.Facts["question"])
	rep, _ := h.notice("reporter-decision")
	require.Equal(t, "no_violation", rep.Facts["decision"])
	require.Equal(t, "parody", rep.Facts["reason"])
	recs := h.decisionRecords()
	require.Len(t, recs, 2)
	require.Equal(t, []string{"decision-1", "decision-2"}, []string{recs[0].Step, recs[1].Step})
	require.Equal(t, []string{"need_info", "no_violation"}, []string{recs[0].Verdict, recs[1].Verdict})
	require.Empty(t, h.callsOf("DisableObjects"))
}

func TestHostedNeedInfoUnanswered(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(hostedTarget(hostedDomain, "acct-1", "obj-1"))
	ask := h.decide(time.Hour, Decision{Verdict: VerdictNeedInfo, Question: "Which page exactly?"})
	h.start(caseInput(models.CategoryDefamation, false))

	requireAccepted(t, ask)
	h.requireClosed(models.OutcomeNoInfo)
	h.requireNotices(
		sent{Step: "reporter-question-1", Role: models.RoleReporter, Kind: activities.NoticeReporterQuestion},
		sent{Step: "reporter-no-info", Role: models.RoleReporter, Kind: activities.NoticeReporterDecision},
	)
	n, c := h.notice("reporter-no-info")
	require.Equal(t, "no_information", n.Facts["decision"])
	require.Equal(t, t0.Add(time.Hour+DefaultTimers.ReporterInfoWindow), c.At)
	require.Empty(t, h.callsOf("DisableObjects"))
}

func TestHostedNoViolation(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(hostedTarget(hostedDomain, "acct-1", "obj-1"))
	dec := h.decide(time.Hour, Decision{Verdict: VerdictNoViolation, Reason: "not phishing", Analyst: "ana"})
	h.start(caseInput(models.CategoryPhishing, true))

	requireAccepted(t, dec)
	h.requireClosed(models.OutcomeNoViolation)
	h.requireNotices(reporterDecision)
	rep, _ := h.notice("reporter-decision")
	require.Equal(t, "no_violation", rep.Facts["decision"])
	require.Equal(t, "not phishing", rep.Facts["reason"])
	require.Empty(t, h.callsOf("DisableObjects"))
	require.Empty(t, h.callsOf("RestoreObjects"))
	require.Empty(t, h.callsOf("RecordStrike"))
	require.Len(t, h.decisionRecords(), 1)
}

func TestHostedMultipleAccountsStrikeEach(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(
		hostedTarget("a.example", "acct-a", "obj-a"),
		hostedTarget("b.example", "acct-b", "obj-b"),
		hostedTarget("c.example", "acct-a", "obj-c"),
	)
	h.decide(time.Hour, violatesIP)
	h.operatorAnswers(2*day, ResponseRemoved)
	h.start(caseInput(models.CategoryCopyright, false))

	h.requireClosed(models.OutcomeContentRemoved)
	h.requireNotices(reporterDecision, operatorViolation("a.example"), operatorViolation("b.example"), operatorViolation("c.example"))
	var accts []string
	for _, s := range h.strikes() {
		accts = append(accts, s.AccountID)
	}
	require.Equal(t, []string{"acct-a", "acct-b"}, accts, "one strike per account")
	dis := h.args("DisableObjects")
	require.Equal(t, []string{"obj-a", "obj-b", "obj-c"}, dis[0].(activities.ObjectsInput).ObjectIDs)
}

// TestHostedOperatorAnswerWhileNoticesGoOut: with several domains, an
// operator who answers the first notice while the next is still being sent
// must not be ignored.
func TestHostedOperatorAnswerWhileNoticesGoOut(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(hostedTarget("a.example", "acct-a", "obj-a"), hostedTarget("b.example", "acct-a", "obj-b"))
	h.slow("SendNotice", noticeStep("operator-violation:b.example"), 3*time.Hour)
	h.decide(time.Hour, violatesIP)
	h.operatorAnswers(2*time.Hour, ResponseRemoved)
	h.start(caseInput(models.CategoryCopyright, false))

	h.requireClosed(models.OutcomeContentRemoved)
	require.Empty(t, h.callsOf("RemoveObjects"))
	for _, n := range h.sent() {
		require.NotEqual(t, activities.NoticeOperatorReminder, n.Kind, fmt.Sprint(h.sent()))
	}
}
