package desk

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// DecisionRequest is an analyst's decision on a case (or, with Clause
// naming the service, on a termination review).
type DecisionRequest struct {
	Verdict    string `json:"verdict"`
	Reason     string `json:"reason"`
	Clause     string `json:"clause"`
	Question   string `json:"question"`
	LegalBasis string `json:"legal_basis"`
	// ScopePrefix, on a violates decision, is the path prefix the
	// mitigation covers instead of each reported URL (desk/edge_scope.go).
	ScopePrefix string `json:"scope_prefix,omitempty"`
}

// Decision is the workflow's decision of analyst.
func (r DecisionRequest) Decision(analyst string) workflows.Decision {
	return workflows.Decision{Verdict: workflows.Verdict(r.Verdict), Reason: strings.TrimSpace(r.Reason), Clause: r.Clause,
		Question: strings.TrimSpace(r.Question), LegalBasis: strings.TrimSpace(r.LegalBasis), Analyst: analyst,
		ScopePrefix: strings.TrimSpace(r.ScopePrefix)}
}

// DecisionAnswer is the case's state after a decision (as the read model
// has it once the workflow moved on).
type DecisionAnswer struct {
	CaseID       string         `json:"case_id"`
	Verdict      string         `json:"verdict"`
	Status       models.Status  `json:"status"`
	Outcome      models.Outcome `json:"outcome,omitempty"`
	NextDeadline *time.Time     `json:"next_deadline,omitempty"`
}

// decisionSettle bounds how long a decision's answer waits for the read
// model to leave the status the case had (the workflow writes it in a local
// activity right after the Update, normally within milliseconds).
const decisionSettle = 5 * time.Second

// DecideAndWait applies a decision (Decide) and answers the case's state
// after it: it waits, at most decisionSettle, for the case's row to move
// past the status it had before, then answers what the row says.
func (d *Desk) DecideAndWait(ctx context.Context, caseID string, req DecisionRequest, analyst string) (DecisionAnswer, error) {
	dec := req.Decision(analyst)
	if err := checkClause(dec); err != nil {
		return DecisionAnswer{}, err
	}
	if err := d.checkScope(ctx, caseID, dec); err != nil {
		return DecisionAnswer{}, err
	}
	before, err := store.Case(ctx, d.DB, caseID)
	if err != nil {
		return DecisionAnswer{}, err
	}
	if err := d.decide(ctx, before, dec); err != nil {
		return DecisionAnswer{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, decisionSettle)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		cs, err := store.Case(ctx, d.DB, caseID)
		if err != nil {
			return DecisionAnswer{}, err
		}
		if cs.Status != before.Status || wctx.Err() != nil {
			return DecisionAnswer{CaseID: cs.ID, Verdict: string(dec.Verdict), Status: cs.Status, Outcome: cs.Outcome,
				NextDeadline: cs.NextDeadline}, nil
		}
		select {
		case <-wctx.Done():
		case <-tick.C:
		}
	}
}

// Decide applies an analyst decision as a Temporal Update; the validator's
// refusal comes back as a conflict or an invalid decision (Classify).
func (d *Desk) Decide(ctx context.Context, caseID string, req DecisionRequest, analyst string) error {
	dec := req.Decision(analyst)
	if err := d.checkScope(ctx, caseID, dec); err != nil {
		return err
	}
	cs, err := store.Case(ctx, d.DB, caseID)
	if err != nil {
		return err
	}
	return d.decide(ctx, cs, dec)
}

func (d *Desk) decide(ctx context.Context, cs models.Case, dec workflows.Decision) error {
	if err := workflows.ValidateDecisionShape(dec); err != nil {
		return err
	}
	if cs.Status == models.StatusClosed {
		return Conflict("verdict", "case is closed (%s)", cs.Outcome)
	}
	var res workflows.DecisionResult
	err := d.Engine.Update(ctx, workflows.CaseWorkflowID(cs.ID), workflows.UpdateDecide, dec, &res)
	err = d.closedAsConflict(ctx, workflows.CaseWorkflowID(cs.ID), "case is closed", err)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) && cs.Status == models.StatusReceived && !cs.WorkflowStarted {
		// Stored, its workflow not started yet (the intake's start queue,
		// or the reconciler after a failed start): as the workflow says
		// while it classifies.
		return Conflict("verdict", "the case is still being classified; try again in a moment")
	}
	return err
}

// closedAsConflict turns Temporal's answer to a workflow that has
// completed (a NotFound) into a conflict with msg, when the workflow is
// indeed there and closed; a workflow that does not exist stays NotFound.
func (d *Desk) closedAsConflict(ctx context.Context, workflowID, msg string, err error) error {
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) {
		return err
	}
	if closed, cerr := d.Engine.Closed(ctx, workflowID); cerr == nil && closed {
		return Conflict("verdict", "%s", msg)
	}
	return err
}

// checkClause refuses a violates decision without one of the terms clauses,
// against the field clause (the workflow's validator says the same, but
// reports it against the verdict).
func checkClause(dec workflows.Decision) error {
	if dec.Verdict != workflows.VerdictViolates {
		return nil
	}
	for _, c := range workflows.Clauses {
		if c == dec.Clause {
			return nil
		}
	}
	if dec.Clause == "" {
		return Invalid("clause", "a violates decision needs the terms clause the content violates, one of %v", workflows.Clauses)
	}
	return Invalid("clause", "clause %q is not one of the terms clauses %v", dec.Clause, workflows.Clauses)
}

// CourtActionAnswer answers a recorded court action.
type CourtActionAnswer struct {
	CaseID string `json:"case_id"`
	Status string `json:"status"`
}

// CourtAction records that the complainant filed a court action against a
// counter-notice, by analyst.
func (d *Desk) CourtAction(ctx context.Context, caseID, analyst, reference string) (CourtActionAnswer, error) {
	cs, err := store.Case(ctx, d.DB, caseID)
	if err != nil {
		return CourtActionAnswer{}, err
	}
	if cs.Status != models.StatusCounterNotice {
		return CourtActionAnswer{}, Conflict("reference", "the case is %s, not waiting out a counter-notice", cs.Status)
	}
	if err := d.Engine.Signal(ctx, workflows.CaseWorkflowID(cs.ID), workflows.SignalCourtAction,
		workflows.CourtAction{By: analyst, Reference: reference}); err != nil {
		return CourtActionAnswer{}, err
	}
	return CourtActionAnswer{CaseID: cs.ID, Status: "court action recorded"}, nil
}

// Reviews lists termination reviews, optionally in one status.
func (d *Desk) Reviews(ctx context.Context, status string) ([]ReviewView, error) {
	rs, err := store.Reviews(ctx, d.DB, status)
	if err != nil {
		return nil, err
	}
	out := make([]ReviewView, 0, len(rs))
	for _, r := range rs {
		out = append(out, reviewView(r))
	}
	return out, nil
}

// ReviewAnswer is a termination review's state after a decision.
type ReviewAnswer struct {
	ReviewID string `json:"review_id"`
	Verdict  string `json:"verdict"`
	Status   string `json:"status"`
}

// reviewClosed is the status of a decided review.
const reviewClosed = string(models.ReviewClosed)

// DecideReview applies an analyst's decision on the termination review of
// an account's kind and answers the review's state after it (waiting, at
// most decisionSettle, for its row to move on, as DecideAndWait does).
// service names the service a terminate verdict ends (hosting by default;
// cdn or registrar with a legal basis); the request's clause, when set,
// names it instead (the body's field for it, kept for API clients).
func (d *Desk) DecideReview(ctx context.Context, accountID, kind, service string, req DecisionRequest, analyst string) (ReviewAnswer, error) {
	dec := req.Decision(analyst)
	dec.Clause, dec.Service = "", service
	if v := strings.TrimSpace(req.Clause); v != "" {
		dec.Service = v
	}
	if err := workflows.ValidateTermination(dec); err != nil {
		return ReviewAnswer{}, err
	}
	id := workflows.ReviewWorkflowID(accountID, kind)
	before, err := store.Review(ctx, d.DB, id)
	if err != nil {
		return ReviewAnswer{}, err // no such review: not found
	}
	if before.Status == reviewClosed {
		return ReviewAnswer{}, Conflict("verdict", "the review is already decided (%s)", before.Verdict)
	}
	var res workflows.DecisionResult
	if err := d.Engine.Update(ctx, id, workflows.UpdateDecide, dec, &res); err != nil {
		return ReviewAnswer{}, d.closedAsConflict(ctx, id, "case is closed", err)
	}
	wctx, cancel := context.WithTimeout(ctx, decisionSettle)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		rv, err := store.Review(ctx, d.DB, id)
		if err != nil {
			return ReviewAnswer{}, err
		}
		if rv.Status != before.Status || wctx.Err() != nil {
			return ReviewAnswer{ReviewID: id, Verdict: string(dec.Verdict), Status: rv.Status}, nil
		}
		select {
		case <-wctx.Done():
		case <-tick.C:
		}
	}
}
