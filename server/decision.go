package server

import (
	"context"
	"net/http"
	"time"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// DecisionAnswer answers POST /v1/cases/{id}/decisions: the case's state
// after the decision (as the read model has it once the workflow moved on).
type DecisionAnswer struct {
	CaseID       string         `json:"case_id"`
	Verdict      string         `json:"verdict"`
	Status       models.Status  `json:"status"`
	Outcome      models.Outcome `json:"outcome,omitempty"`
	NextDeadline *time.Time     `json:"next_deadline,omitempty"`
}

// ReviewJSON is one termination review as GET /v1/reviews answers it.
type ReviewJSON struct {
	ID            string    `json:"id"`
	AccountID     string    `json:"account_id"`
	Kind          string    `json:"kind"`
	Status        string    `json:"status"`
	TriggerCaseID string    `json:"trigger_case_id"`
	Verdict       string    `json:"verdict,omitempty"`
	Reason        string    `json:"reason,omitempty"`
	Analyst       string    `json:"analyst,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func reviewJSON(r models.Review) ReviewJSON {
	return ReviewJSON{ID: r.ID, AccountID: r.AccountID, Kind: r.Kind, Status: r.Status, TriggerCaseID: r.TriggerCaseID,
		Verdict: r.Verdict, Reason: r.Reason, Analyst: r.Analyst, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// decisionSettle bounds how long a decision's answer waits for the read
// model to leave the status the case had (the workflow writes it in a local
// activity right after the Update, normally within milliseconds).
const decisionSettle = 5 * time.Second

// DecideAndWait applies a decision (Decide) and answers the case's state
// after it: it waits, at most decisionSettle, for the case's row to move
// past the status it had before, then answers what the row says.
func (s *Server) DecideAndWait(ctx context.Context, caseID string, d workflows.Decision) (DecisionAnswer, error) {
	if err := checkClause(d); err != nil {
		return DecisionAnswer{}, err
	}
	var before models.Case
	if err := s.DB.WithContext(ctx).Select("id", "status").First(&before, "id = ?", caseID).Error; err != nil {
		return DecisionAnswer{}, err
	}
	if _, err := s.Decide(ctx, caseID, d); err != nil {
		return DecisionAnswer{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, decisionSettle)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		var cs models.Case
		if err := s.DB.WithContext(ctx).Select("id", "status", "outcome", "next_deadline").First(&cs, "id = ?", caseID).Error; err != nil {
			return DecisionAnswer{}, err
		}
		if cs.Status != before.Status || wctx.Err() != nil {
			return DecisionAnswer{CaseID: cs.ID, Verdict: string(d.Verdict), Status: cs.Status, Outcome: cs.Outcome,
				NextDeadline: cs.NextDeadline}, nil
		}
		select {
		case <-wctx.Done():
		case <-tick.C:
		}
	}
}

// checkClause refuses a violates decision without one of the terms clauses,
// against the field clause (the workflow's validator says the same, but
// reports it against the verdict).
func checkClause(d workflows.Decision) error {
	if d.Verdict != workflows.VerdictViolates {
		return nil
	}
	for _, c := range workflows.Clauses {
		if c == d.Clause {
			return nil
		}
	}
	if d.Clause == "" {
		return fail(http.StatusUnprocessableEntity, "clause", "a violates decision needs the terms clause the content violates, one of %v", workflows.Clauses)
	}
	return fail(http.StatusUnprocessableEntity, "clause", "clause %q is not one of the terms clauses %v", d.Clause, workflows.Clauses)
}
