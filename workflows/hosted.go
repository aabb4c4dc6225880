package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// CounterNoticeBusinessDays is the wait after a DMCA counter-notice before
// access is restored: 10 business days, which always lands within the
// statute's 10 to 14 (17 U.S.C. 512(g)(2)(C)).
const CounterNoticeBusinessDays = 10

// hostedContent is docs/DESIGN.md step 4: an analyst decides; on violates access
// is disabled and the operator has a window to answer. A CSAM case arrives
// here with access already disabled (run).
func (s *caseState) hostedContent(ctx workflow.Context, targets []activities.Target) error {
	objects := hostedObjects(targets)
	csam := s.in.Category == models.CategoryCSAM
	s.startNCSEIClock(ctx, targets) // ncsei: the 48-hour removal clock (ncsei.go)
	for {
		s.phase = PhaseAnalyst
		deadline, kind := s.ncsei.next()
		if err := s.setStatus(ctx, models.StatusAwaitingAnalyst, models.OutcomeNone, deadline, kind); err != nil {
			return err
		}
		d, err := s.decideUnderClock(ctx)
		if err != nil {
			return err
		}
		switch d.Verdict {
		case VerdictNoViolation:
			if csam {
				if err := s.objects(ctx, activities.ActRestoreObjects, "restore-csam", objects, d.Reason); err != nil {
					return err
				}
			}
			if err := s.ncseiRestore(ctx, d); err != nil {
				return err
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
			if !answered && !s.ncsei.owesDecision() {
				if err := s.tellReporter(ctx, "reporter-no-info", d, "no_information"); err != nil {
					return err
				}
				return s.close(ctx, models.OutcomeNoInfo)
			}
			continue
		case VerdictViolates:
			if objects, err = s.ncseiViolates(ctx, objects); err != nil {
				return err
			}
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

func (s *caseState) objects(ctx workflow.Context, activity string, step string, ids []string, reason string) error {
	return workflow.ExecuteActivity(withDB(ctx), activity, activities.ObjectsInput{
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
	s.phase, s.answered = PhaseReporter, false
	if err := s.setStatus(ctx, models.StatusAwaitingReporter, models.OutcomeNone,
		deadlineAt(ctx, s.in.Timers.ReporterInfoWindow), "reporter_answer"); err != nil {
		return false, err
	}
	ok, err := s.awaitClock(ctx, s.in.Timers.ReporterInfoWindow, func() bool { return s.answered })
	return ok, err
}

// violates disables access, records the strike, notifies the operator and
// the reporter, then waits on the operator.
func (s *caseState) violates(ctx workflow.Context, targets []activities.Target, objects []string, d Decision) error {
	s.everyTarget = getVersion(ctx, changeNoticeEveryTarget, workflow.DefaultVersion, 1) == 1
	s.oneDeadline = getVersion(ctx, changeOneOperatorDeadline, workflow.DefaultVersion, 1) == 1
	csam := s.in.Category == models.CategoryCSAM
	if !csam {
		if err := s.objects(ctx, activities.ActDisableObjects, "disable", objects, d.Clause); err != nil {
			return err
		}
		// The restriction as mitigation records (changeMitigationRecords).
		if err := s.mitigateViolationNCSEI(ctx, targets, d); err != nil {
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
		if err := s.objects(ctx, activities.ActRemoveObjects, "remove-csam", objects, d.Clause); err != nil {
			return err
		}
		return s.close(ctx, models.OutcomeContentRemoved)
	}
	// From the first notice on, an operator's answer counts (one may answer
	// while the notices to the other domains are still going out).
	s.phase, s.operator = PhaseOperator, nil
	// The deadline every notice states is the one the case waits for
	// (changeOneOperatorDeadline); before, each notice computed its own.
	var deadline time.Time
	if s.oneDeadline {
		deadline = workflow.Now(ctx).Add(s.in.Timers.OperatorResponseWindow).UTC()
	}
	for _, t := range targets {
		in := activities.NoticeInput{
			Step: "operator-violation:" + t.Domain, Kind: activities.NoticeOperatorViolation,
			Role: models.RoleOperator, Domain: t.Domain, WithResponseLink: true,
			TokenTTL: s.in.Timers.NoticeTokenTTL,
			Facts:    map[string]string{"clause": d.Clause, "reason": d.Reason},
			Deadline: optionalTime(deadline),
		}
		if !s.oneDeadline {
			in.Facts["deadline"] = workflow.Now(ctx).Add(s.in.Timers.OperatorResponseWindow).UTC().Format(time.RFC1123)
		}
		if cov := s.coveredOn(t.Domain); cov != "" {
			in.Facts[activities.FactCovered] = cov
		}
		if err := s.notice(ctx, in).Get(ctx, nil); err != nil {
			return err
		}
	}
	return s.awaitOperator(ctx, targets, objects, deadline)
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
		if err := workflow.ExecuteActivity(withDB(ctx), activities.ActRecordStrike, activities.StrikeInput{
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
