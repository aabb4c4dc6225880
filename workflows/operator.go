package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/calendar"
	"github.com/abusedesk/abusedesk/models"
)

// Changes of the hosted and registrar paths for cases over several domains
// (issue 16). A case that passed the point of a change before it existed
// replays without it (workflow.GetVersion).
const (
	// changeNoticeEveryTarget: the reminder, removal, upheld and restored
	// notices go to the operator of every domain of the case, each with a
	// step of its own ("operator-reminder:<domain>"); before, only the
	// lead domain's operator got them.
	changeNoticeEveryTarget = "notice-every-target-20261206"
	// changeOneOperatorDeadline: the operator's deadline is computed once,
	// before the first violation notice, and is both the deadline every
	// notice states (NoticeInput.Deadline) and the one the case waits for;
	// before, each notice stated its own, earlier than the real one.
	changeOneOperatorDeadline = "one-operator-deadline-20261206"
)

// awaitOperator races the operator's answer against a reminder and the
// deadline (OperatorReminderAfter, OperatorResponseWindow). deadline is
// zero in cases started before changeOneOperatorDeadline: the deadline is
// then computed here, as it was.
func (s *caseState) awaitOperator(ctx workflow.Context, targets []activities.Target, objects []string, deadline time.Time) error {
	tm := s.in.Timers
	if deadline.IsZero() {
		deadline = workflow.Now(ctx).Add(tm.OperatorResponseWindow).UTC()
	}
	reminder := workflow.Now(ctx).Add(tm.OperatorReminderAfter).UTC()
	if err := s.setStatus(ctx, models.StatusAwaitingOperator, models.OutcomeNone, &deadline, "operator_response"); err != nil {
		return err
	}
	if tm.OperatorReminderAfter < tm.OperatorResponseWindow {
		ok, err := workflow.AwaitWithTimeout(ctx, s.until(ctx, reminder), func() bool { return s.operator != nil })
		if err != nil {
			return err
		}
		if !ok {
			if err := s.operatorNotice(ctx, targets, "operator-reminder", activities.NoticeOperatorReminder, nil, deadline); err != nil {
				return err
			}
		}
	}
	ok, err := workflow.AwaitWithTimeout(ctx, s.until(ctx, deadline), func() bool { return s.operator != nil })
	if err != nil {
		return err
	}
	if !ok {
		// No answer by the deadline: the object is removed for good.
		if err := s.objects(ctx, activities.ActRemoveObjects, "remove-no-response", objects, "no response"); err != nil {
			return err
		}
		if err := s.mitigateRemoval(ctx); err != nil {
			return err
		}
		if err := s.strikes(ctx, targets, "", false, true); err != nil {
			return err
		}
		if err := s.operatorNotice(ctx, targets, "operator-removed", activities.NoticeOperatorRemoved, nil, time.Time{}); err != nil {
			return err
		}
		return s.close(ctx, models.OutcomeContentRemovedNoResponse)
	}
	switch s.operator.Response {
	case ResponseRemoved:
		s.endMitigationsIf(ctx, "the operator removed the content")
		return s.close(ctx, models.OutcomeContentRemoved)
	case ResponseCounterNotice:
		return s.counterNotice(ctx, targets, objects)
	default:
		return s.dispute(ctx, targets, objects)
	}
}

// until is the wait from now to t. With one deadline for the whole case
// (changeOneOperatorDeadline) slow notices may have used up the time
// before t: the wait is then a moment, never negative; older cases wait
// exactly as they did.
func (s *caseState) until(ctx workflow.Context, t time.Time) time.Duration {
	d := t.Sub(workflow.Now(ctx))
	if s.oneDeadline && d < time.Millisecond {
		d = time.Millisecond
	}
	return d
}

// operatorNotice sends one step's notice to the operator of every domain
// of the case, one after the other ("<step>:<domain>"); a case started
// before changeNoticeEveryTarget tells the lead domain's operator only,
// under the bare step. deadline, when set, is stated in the notice.
func (s *caseState) operatorNotice(ctx workflow.Context, targets []activities.Target, step string,
	kind activities.NoticeKind, facts map[string]string, deadline time.Time) error {
	if !s.everyTarget {
		// As before the change: the deadline as a fact (callers pass a
		// map of their own, sent once here).
		if !deadline.IsZero() {
			if facts == nil {
				facts = map[string]string{}
			}
			facts["deadline"] = deadline.Format(time.RFC1123)
		}
		return s.notice(ctx, activities.NoticeInput{
			Step: step, Kind: kind, Role: models.RoleOperator, Domain: s.st.Domain, Facts: facts,
		}).Get(ctx, nil)
	}
	for _, t := range targets {
		if err := s.notice(ctx, activities.NoticeInput{
			Step: step + ":" + t.Domain, Kind: kind, Role: models.RoleOperator, Domain: t.Domain,
			Facts: facts, Deadline: optionalTime(deadline),
		}).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// dispute sends the operator's dispute back to an analyst.
func (s *caseState) dispute(ctx workflow.Context, targets []activities.Target, objects []string) error {
	s.phase = PhaseDispute
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
	if err := s.operatorNotice(ctx, targets, "operator-upheld", activities.NoticeOperatorUpheld,
		map[string]string{"reason": d.Reason}, time.Time{}); err != nil {
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
	s.phase, s.court = PhaseCounterNotice, nil
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
	if err := s.objects(ctx, activities.ActRestoreObjects, "restore", objects, why); err != nil {
		return err
	}
	s.endMitigationsIf(ctx, "access restored ("+why+"): "+reason)
	if err := s.strikes(ctx, targets, "", true, false); err != nil {
		return err
	}
	if err := s.operatorNotice(ctx, targets, "operator-restored", activities.NoticeOperatorRestored,
		map[string]string{"why": why, "reason": reason}, time.Time{}); err != nil {
		return err
	}
	return s.close(ctx, models.OutcomeRestored)
}

// optionalTime is t, or nil when t is zero (no deadline to state).
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
