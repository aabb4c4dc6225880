package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/calendar"
	"github.com/abusedesk/abusedesk/models"
)

// CounterNoticeBusinessDays is the wait after a DMCA counter-notice before
// access is restored: 10 business days, which always lands within the
// statute's 10 to 14 (17 U.S.C. 512(g)(2)(C)).
const CounterNoticeBusinessDays = 10

// hostedContent is DESIGN.md step 4: an analyst decides; on violates access
// is disabled and the operator has a window to answer. A CSAM case arrives
// here with access already disabled (run).
func (s *caseState) hostedContent(ctx workflow.Context, targets []activities.Target) error {
	objects := hostedObjects(targets)
	csam := s.in.Category == models.CategoryCSAM
	for {
		s.phase = phaseAnalyst
		if err := s.setStatus(ctx, models.StatusAwaitingAnalyst, models.OutcomeNone, nil, ""); err != nil {
			return err
		}
		d, err := s.takeDecision(ctx)
		if err != nil {
			return err
		}
		switch d.Verdict {
		case VerdictNoViolation:
			if csam {
				if err := s.objects(ctx, a.RestoreObjects, "restore-csam", objects, d.Reason); err != nil {
					return err
				}
			}
			if err := s.tellReporter(ctx, "reporter-decision", d, "no_violation"); err != nil {
				return err
			}
			return s.close(ctx, models.OutcomeNoViolation)
		case VerdictNeedInfo:
			answered, err := s.askReporter(ctx, d)
			if err != nil {
				return err
			}
			if !answered {
				if err := s.tellReporter(ctx, "reporter-no-info", d, "no_information"); err != nil {
					return err
				}
				return s.close(ctx, models.OutcomeNoInfo)
			}
			continue
		case VerdictViolates:
			return s.violates(ctx, targets, objects, d)
		}
	}
}

// hostedObjects lists the hosted objects of targets, in target order.
func hostedObjects(targets []activities.Target) []string {
	var objects []string
	for _, t := range targets {
		for _, h := range t.Hosted {
			objects = append(objects, h.ObjectID)
		}
	}
	return objects
}

func (s *caseState) objects(ctx workflow.Context, fn any, step string, ids []string, reason string) error {
	return workflow.ExecuteActivity(withDB(ctx), fn, activities.ObjectsInput{
		CaseID: s.in.CaseID, Step: step, ObjectIDs: ids, Reason: reason,
	}).Get(ctx, nil)
}

func (s *caseState) tellReporter(ctx workflow.Context, step string, d Decision, decision string) error {
	return s.notice(ctx, activities.NoticeInput{
		Step: step, Kind: activities.NoticeReporterDecision, Role: models.RoleReporter, Domain: s.st.Domain,
		Facts: map[string]string{"decision": decision, "reason": d.Reason, "clause": d.Clause},
	}).Get(ctx, nil)
}

// askReporter sends the analyst's question and waits for the answer through
// the reporter's token link, up to the reporter info window.
func (s *caseState) askReporter(ctx workflow.Context, d Decision) (bool, error) {
	n := len(s.st.Decisions)
	if err := s.notice(ctx, activities.NoticeInput{
		Step: fmt.Sprintf("reporter-question-%d", n), Kind: activities.NoticeReporterQuestion,
		Role: models.RoleReporter, Domain: s.st.Domain, Facts: map[string]string{"question": d.Question},
	}).Get(ctx, nil); err != nil {
		return false, err
	}
	s.phase, s.answered = phaseReporter, false
	if err := s.setStatus(ctx, models.StatusAwaitingReporter, models.OutcomeNone,
		deadlineAt(ctx, s.in.Timers.ReporterInfoWindow), "reporter_answer"); err != nil {
		return false, err
	}
	ok, err := workflow.AwaitWithTimeout(ctx, s.in.Timers.ReporterInfoWindow, func() bool { return s.answered })
	return ok, err
}

// violates disables access, records the strike, notifies the operator and
// the reporter, then waits on the operator.
func (s *caseState) violates(ctx workflow.Context, targets []activities.Target, objects []string, d Decision) error {
	csam := s.in.Category == models.CategoryCSAM
	if !csam {
		if err := s.objects(ctx, a.DisableObjects, "disable", objects, d.Clause); err != nil {
			return err
		}
	}
	if err := s.strikes(ctx, targets, d.Clause, false, false); err != nil {
		return err
	}
	if err := s.tellReporter(ctx, "reporter-decision", d, "violates"); err != nil {
		return err
	}
	if csam {
		// The operator is never told of a CSAM report; the content stays down.
		if err := s.objects(ctx, a.RemoveObjects, "remove-csam", objects, d.Clause); err != nil {
			return err
		}
		return s.close(ctx, models.OutcomeContentRemoved)
	}
	// From the first notice on, an operator's answer counts (one may answer
	// while the notices to the other domains are still going out).
	s.phase, s.operator = phaseOperator, nil
	for _, t := range targets {
		if err := s.notice(ctx, activities.NoticeInput{
			Step: "operator-violation:" + t.Domain, Kind: activities.NoticeOperatorViolation,
			Role: models.RoleOperator, Domain: t.Domain, WithResponseLink: true,
			TokenTTL: s.in.Timers.NoticeTokenTTL,
			Facts: map[string]string{"clause": d.Clause, "reason": d.Reason,
				"deadline": workflow.Now(ctx).Add(s.in.Timers.OperatorResponseWindow).UTC().Format(time.RFC1123)},
		}).Get(ctx, nil); err != nil {
			return err
		}
	}
	return s.awaitOperator(ctx, targets, objects)
}

// awaitOperator races the operator's answer against a reminder and the
// deadline (OperatorReminderAfter, OperatorResponseWindow).
func (s *caseState) awaitOperator(ctx workflow.Context, targets []activities.Target, objects []string) error {
	tm := s.in.Timers
	deadline := workflow.Now(ctx).Add(tm.OperatorResponseWindow).UTC()
	reminder := workflow.Now(ctx).Add(tm.OperatorReminderAfter).UTC()
	if err := s.setStatus(ctx, models.StatusAwaitingOperator, models.OutcomeNone, &deadline, "operator_response"); err != nil {
		return err
	}
	if tm.OperatorReminderAfter < tm.OperatorResponseWindow {
		ok, err := workflow.AwaitWithTimeout(ctx, reminder.Sub(workflow.Now(ctx)), func() bool { return s.operator != nil })
		if err != nil {
			return err
		}
		if !ok {
			if err := s.notice(ctx, activities.NoticeInput{
				Step: "operator-reminder", Kind: activities.NoticeOperatorReminder, Role: models.RoleOperator,
				Domain: s.st.Domain, Facts: map[string]string{"deadline": deadline.Format(time.RFC1123)},
			}).Get(ctx, nil); err != nil {
				return err
			}
		}
	}
	ok, err := workflow.AwaitWithTimeout(ctx, deadline.Sub(workflow.Now(ctx)), func() bool { return s.operator != nil })
	if err != nil {
		return err
	}
	if !ok {
		// No answer by the deadline: the object is removed for good.
		if err := s.objects(ctx, a.RemoveObjects, "remove-no-response", objects, "no response"); err != nil {
			return err
		}
		if err := s.strikes(ctx, targets, "", false, true); err != nil {
			return err
		}
		if err := s.notice(ctx, activities.NoticeInput{
			Step: "operator-removed", Kind: activities.NoticeOperatorRemoved, Role: models.RoleOperator, Domain: s.st.Domain,
		}).Get(ctx, nil); err != nil {
			return err
		}
		return s.close(ctx, models.OutcomeContentRemovedNoResponse)
	}
	switch s.operator.Response {
	case ResponseRemoved:
		return s.close(ctx, models.OutcomeContentRemoved)
	case ResponseCounterNotice:
		return s.counterNotice(ctx, targets, objects)
	default:
		return s.dispute(ctx, targets, objects)
	}
}

// dispute sends the operator's dispute back to an analyst.
func (s *caseState) dispute(ctx workflow.Context, targets []activities.Target, objects []string) error {
	s.phase = phaseDispute
	var due *time.Time
	if s.in.Timers.DisputeReviewWindow > 0 {
		due = deadlineAt(ctx, s.in.Timers.DisputeReviewWindow)
	}
	if err := s.setStatus(ctx, models.StatusDisputed, models.OutcomeNone, due, "dispute_review"); err != nil {
		return err
	}
	d, err := s.takeDecision(ctx)
	if err != nil {
		return err
	}
	if d.Verdict == VerdictReverse {
		return s.restore(ctx, targets, objects, "reversed", d.Reason)
	}
	if err := s.notice(ctx, activities.NoticeInput{
		Step: "operator-upheld", Kind: activities.NoticeOperatorUpheld, Role: models.RoleOperator,
		Domain: s.st.Domain, Facts: map[string]string{"reason": d.Reason},
	}).Get(ctx, nil); err != nil {
		return err
	}
	return s.close(ctx, models.OutcomeRestrictionUpheld)
}

// counterNotice forwards a DMCA counter-notice to the complainant and
// restores access after CounterNoticeBusinessDays unless a court action is
// signalled first.
func (s *caseState) counterNotice(ctx workflow.Context, targets []activities.Target, objects []string) error {
	received := s.operator.ReceivedAt
	if received.IsZero() {
		received = workflow.Now(ctx)
	}
	restoreAt := calendar.AddBusinessDays(received.UTC(), CounterNoticeBusinessDays)
	s.st.RestoreAt = &restoreAt
	if err := s.notice(ctx, activities.NoticeInput{
		Step: "complainant-counter-notice", Kind: activities.NoticeComplainantCounter, Role: models.RoleComplainant,
		Domain: s.st.Domain, Facts: map[string]string{"restore_at": restoreAt.Format("Monday, 2 January 2006"),
			"counter_notice_id": s.operator.NoticeID},
	}).Get(ctx, nil); err != nil {
		return err
	}
	s.phase, s.court = phaseCounterNotice, nil
	if err := s.setStatus(ctx, models.StatusCounterNotice, models.OutcomeNone, &restoreAt, "restore"); err != nil {
		return err
	}
	courtFiled, err := workflow.AwaitWithTimeout(ctx, restoreAt.Sub(workflow.Now(ctx)), func() bool { return s.court != nil })
	if err != nil {
		return err
	}
	if courtFiled {
		return s.close(ctx, models.OutcomeCourtAction)
	}
	if err := s.notice(ctx, activities.NoticeInput{
		Step: "complainant-restored", Kind: activities.NoticeComplainantRestored, Role: models.RoleComplainant,
		Domain: s.st.Domain,
	}).Get(ctx, nil); err != nil {
		return err
	}
	return s.restore(ctx, targets, objects, "counter_notice", "no court action was filed")
}

// restore re-enables access, withdraws the case's strike, tells the operator.
func (s *caseState) restore(ctx workflow.Context, targets []activities.Target, objects []string, why, reason string) error {
	if err := s.objects(ctx, a.RestoreObjects, "restore", objects, why); err != nil {
		return err
	}
	if err := s.strikes(ctx, targets, "", true, false); err != nil {
		return err
	}
	if err := s.notice(ctx, activities.NoticeInput{
		Step: "operator-restored", Kind: activities.NoticeOperatorRestored, Role: models.RoleOperator,
		Domain: s.st.Domain, Facts: map[string]string{"why": why, "reason": reason},
	}).Get(ctx, nil); err != nil {
		return err
	}
	return s.close(ctx, models.OutcomeRestored)
}

// strikes records (or withdraws) one strike per account of the case.
func (s *caseState) strikes(ctx workflow.Context, targets []activities.Target, clause string, withdraw, noStep bool) error {
	seen := map[string]bool{}
	for _, t := range targets {
		if seen[t.AccountID] {
			continue
		}
		seen[t.AccountID] = true
		var res activities.StrikeResult
		if err := workflow.ExecuteActivity(withDB(ctx), a.RecordStrike, activities.StrikeInput{
			CaseID: s.in.CaseID, AccountID: t.AccountID, Category: s.in.Category, Clause: clause,
			Withdraw: withdraw, NoMeaningfulStep: noStep,
		}).Get(ctx, &res); err != nil {
			return err
		}
		if err := s.reviewIfDue(ctx, t.AccountID, res); err != nil {
			return err
		}
	}
	return nil
}
