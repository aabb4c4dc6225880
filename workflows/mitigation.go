package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// maxReviewNote bounds an analyst's note on an appeal (it is stored and
// sent to the customer).
const maxReviewNote = 2000

// mitigationState is one running mitigation (docs/DESIGN.md "Mitigations").
type mitigationState struct {
	in     MitigationInput
	st     MitigationState
	cancel *MitigationCancel
	end    *MitigationEnd
	appeal *MitigationAppeal
	review *MitigationReview
}

// MitigationWorkflow carries one mitigation from pending (or active) to its
// end: a timer makes a pending mitigation active at its effective date
// unless it is cancelled first; an appeal puts it in review until an
// analyst upholds it (active again) or lifts it (removed), and a review
// past its deadline is marked overdue, never decided for the analyst; the
// end of the restriction elsewhere (SignalMitigationEnd) removes it. Its
// history is a handful of events per change, so it needs no ContinueAsNew.
func MitigationWorkflow(ctx workflow.Context, in MitigationInput) (MitigationResult, error) {
	s := &mitigationState{in: in, st: MitigationState{MitigationID: in.MitigationID, EffectiveDate: in.EffectiveDate}}
	if s.in.ReviewWindow <= 0 {
		s.in.ReviewWindow = DefaultMitigationReviewWindow
	}
	if err := s.register(ctx); err != nil {
		return MitigationResult{}, err
	}
	if err := s.run(ctx); err != nil {
		return MitigationResult{}, err
	}
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return MitigationResult{Status: s.st.Status}, nil
}

func (s *mitigationState) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryMitigation, func() (MitigationState, error) { return s.st, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateMitigationReview,
		func(_ workflow.Context, r MitigationReview) (MitigationState, error) {
			s.review = &r
			return s.st, nil
		},
		workflow.UpdateHandlerOptions{Validator: s.validateReview},
	); err != nil {
		return err
	}
	workflow.Go(ctx, s.receiveSignals)
	return nil
}

func (s *mitigationState) receiveSignals(ctx workflow.Context) {
	cancelCh := workflow.GetSignalChannel(ctx, SignalMitigationCancel)
	appealCh := workflow.GetSignalChannel(ctx, SignalMitigationAppeal)
	endCh := workflow.GetSignalChannel(ctx, SignalMitigationEnd)
	for {
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(cancelCh, func(c workflow.ReceiveChannel, _ bool) {
			var r MitigationCancel
			c.Receive(ctx, &r)
			if s.cancel == nil {
				s.cancel = &r
			}
		})
		sel.AddReceive(appealCh, func(c workflow.ReceiveChannel, _ bool) {
			var r MitigationAppeal
			c.Receive(ctx, &r)
			// One appeal per mitigation, of a mitigation in force.
			if s.appeal == nil && s.st.Status == models.MitigationActive {
				s.appeal = &r
			}
		})
		sel.AddReceive(endCh, func(c workflow.ReceiveChannel, _ bool) {
			var r MitigationEnd
			c.Receive(ctx, &r)
			if s.end == nil {
				s.end = &r
			}
		})
		sel.Select(ctx)
	}
}

// ValidateMitigationReview checks an analyst's answer on its own (the
// desk calls it too, so a malformed answer is a 422 before Temporal).
func ValidateMitigationReview(r MitigationReview) error {
	if r.Decision != ReviewUphold && r.Decision != ReviewLift {
		return malformed("decision %q is not %s or %s", r.Decision, ReviewUphold, ReviewLift)
	}
	if r.Analyst == "" {
		return malformed("the review needs the analyst who decides it")
	}
	if len(r.Note) > maxReviewNote {
		return malformed("the note is longer than %d bytes", maxReviewNote)
	}
	return nil
}

func (s *mitigationState) validateReview(r MitigationReview) error {
	if err := ValidateMitigationReview(r); err != nil {
		return err
	}
	if s.st.Status != models.MitigationInReview {
		return conflict("the mitigation is %s, not in review", s.st.Status)
	}
	if s.review != nil || s.ended() {
		return conflict("the review is already being decided")
	}
	return nil
}

func (s *mitigationState) ended() bool { return s.end != nil || s.cancel != nil }

// run is the lifecycle: apply, wait for the effective date, then answer
// appeals until the mitigation ends.
func (s *mitigationState) run(ctx workflow.Context) error {
	status := models.MitigationActive
	if s.in.Pending {
		status = models.MitigationPending
	}
	var res activities.MitigationResult
	if err := workflow.ExecuteActivity(withDB(ctx), activities.ActApplyMitigation, activities.MitigationSpec{
		ID: s.in.MitigationID, CaseID: s.in.CaseID, Step: s.in.Step, AccountID: s.in.AccountID, Domain: s.in.Domain,
		Type: s.in.Type, EntityType: s.in.EntityType, EntityID: s.in.EntityID, Countries: s.in.Countries,
		Status: status, EffectiveDate: s.in.EffectiveDate, Reason: s.in.Reason, StatementKey: s.in.StatementKey, By: s.in.By,
	}).Get(ctx, &res); err != nil {
		return err
	}
	s.st.MitigationID, s.st.Status = res.ID, res.Status
	if s.st.Status == models.MitigationPending {
		if wait := s.in.EffectiveDate.Sub(workflow.Now(ctx)); wait > 0 {
			if _, err := workflow.AwaitWithTimeout(ctx, wait, s.ended); err != nil {
				return err
			}
		}
		if s.ended() {
			// Made unnecessary before it took effect: it never restricted.
			by, why := s.endedBy()
			return s.change(ctx, activities.MitigationChangeInput{To: models.MitigationCancelled, Actor: by, Reason: why})
		}
		if err := s.change(ctx, activities.MitigationChangeInput{To: models.MitigationActive, Actor: "system",
			Reason: "effective date reached"}); err != nil {
			return err
		}
	}
	for {
		if err := workflow.Await(ctx, func() bool { return s.ended() || (s.appeal != nil && !s.st.Appealed) }); err != nil {
			return err
		}
		if s.ended() {
			by, why := s.endedBy()
			return s.change(ctx, activities.MitigationChangeInput{To: models.MitigationRemoved, Actor: by, Reason: why})
		}
		done, err := s.reviewAppeal(ctx)
		if err != nil || done {
			return err
		}
	}
}

// reviewAppeal puts the mitigation in review and waits for the analyst;
// done when the mitigation ended.
func (s *mitigationState) reviewAppeal(ctx workflow.Context) (bool, error) {
	a := s.appeal
	s.st.Appealed = true
	deadline := workflow.Now(ctx).Add(s.in.ReviewWindow).UTC()
	if err := s.change(ctx, activities.MitigationChangeInput{Kind: models.MitigationEventAppeal, To: models.MitigationInReview,
		Actor: a.By, Reason: "appeal: " + a.Reason, AppealReason: a.Reason, AppealStatement: a.Statement,
		ReviewDeadline: &deadline}); err != nil {
		return false, err
	}
	s.st.ReviewDeadline = &deadline
	decided := func() bool { return s.review != nil || s.ended() }
	ok, err := workflow.AwaitWithTimeout(ctx, deadline.Sub(workflow.Now(ctx)), decided)
	if err != nil {
		return false, err
	}
	if !ok {
		// Past the deadline: flagged for analysts, still theirs to decide.
		if err := s.change(ctx, activities.MitigationChangeInput{Kind: models.MitigationEventOverdue,
			To: models.MitigationInReview, Actor: "system", Reason: "review deadline passed"}); err != nil {
			return false, err
		}
		s.st.ReviewOverdue = true
		if err := workflow.Await(ctx, decided); err != nil {
			return false, err
		}
	}
	if s.review == nil {
		by, why := s.endedBy()
		return true, s.change(ctx, activities.MitigationChangeInput{To: models.MitigationRemoved, Actor: by, Reason: why})
	}
	r := *s.review
	to := models.MitigationActive
	if r.Decision == ReviewLift {
		to = models.MitigationRemoved
	}
	if err := s.change(ctx, activities.MitigationChangeInput{To: to, Actor: r.Analyst, Reason: r.Note,
		ReviewDecision: r.Decision}); err != nil {
		return false, err
	}
	s.st.ReviewDeadline, s.st.ReviewOverdue = nil, false
	if err := s.tellOutcome(ctx, r); err != nil {
		return false, err
	}
	return to == models.MitigationRemoved, nil
}

// tellOutcome sends the customer the analyst's answer and their redress.
func (s *mitigationState) tellOutcome(ctx workflow.Context, r MitigationReview) error {
	return workflow.ExecuteActivity(withNotice(ctx), activities.ActSendNotice, activities.NoticeInput{
		CaseID: s.in.CaseID, Step: "mitigation-appeal-outcome:" + s.st.MitigationID,
		Kind: activities.NoticeCustomerAppealOutcome, Role: models.RoleOperator, Domain: s.in.Domain, AccountID: s.in.AccountID,
		Facts: map[string]string{"mitigation_id": s.st.MitigationID, "type": string(s.in.Type), "entity": s.in.EntityID,
			"decision": r.Decision, "note": r.Note},
	}).Get(ctx, nil)
}

// endedBy is who ended the mitigation and why (the cancel first).
func (s *mitigationState) endedBy() (string, string) {
	if s.cancel != nil {
		return s.cancel.By, s.cancel.Reason
	}
	return s.end.By, s.end.Reason
}

// change runs one change of the mitigation and keeps its status.
func (s *mitigationState) change(ctx workflow.Context, in activities.MitigationChangeInput) error {
	in.MitigationID = s.st.MitigationID
	if in.Kind == "" {
		in.Kind = models.MitigationEventStatus
	}
	if in.Actor == "" {
		in.Actor = "system"
	}
	in.At = workflow.Now(ctx).UTC()
	if err := workflow.ExecuteActivity(withDB(ctx), activities.ActChangeMitigation, in).Get(ctx, nil); err != nil {
		return err
	}
	s.st.Status = in.To
	return nil
}
