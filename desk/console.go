package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// The console at volume (issue 15): claiming cases, the counts at the top
// of the queue, and one decision applied to many cases.

// AssigneeNone in CaseFilter.Assignee selects the cases nobody claimed.
const AssigneeNone = store.AssigneeNone

// Assignment is who claimed a case, and when (store.Assignment).
type Assignment = store.Assignment

// ClaimAnswer is who holds a case after a claim or release.
type ClaimAnswer struct {
	CaseID     string     `json:"case_id"`
	Assignee   string     `json:"assignee"` // "" after a release
	AssignedAt *time.Time `json:"assigned_at,omitempty"`
	Previous   string     `json:"previous,omitempty"`
}

// Claim makes analyst the case's assignee; another analyst's claim is a
// conflict unless force. Claims are journaled ("case_claimed").
func (d *Desk) Claim(ctx context.Context, caseID, analyst string, force bool) (ClaimAnswer, error) {
	return d.setAssignee(ctx, caseID, analyst, analyst, force)
}

// Release gives the case up; releasing another analyst's claim is a
// conflict unless force. Journaled as "case_released".
func (d *Desk) Release(ctx context.Context, caseID, analyst string, force bool) (ClaimAnswer, error) {
	return d.setAssignee(ctx, caseID, "", analyst, force)
}

func (d *Desk) setAssignee(ctx context.Context, caseID, assignee, actor string, force bool) (ClaimAnswer, error) {
	if actor == "" {
		return ClaimAnswer{}, Fail(KindForbidden, "", "no analyst name")
	}
	kind := "case_claimed"
	if assignee == "" {
		kind = "case_released"
	}
	var prev string
	a, err := store.SetAssignee(ctx, d.DB, caseID, assignee, actor, force, func(tx *gorm.DB, previous string) error {
		prev = previous
		key := fmt.Sprintf("%s:%s:%d", kind, caseID, time.Now().UnixNano())
		return d.journal(tx, actor, caseID, kind, key, map[string]any{"assignee": assignee, "previous": previous, "force": force})
	})
	var held *store.HeldError
	if errors.As(err, &held) {
		return ClaimAnswer{}, Conflict("assignee", "case is claimed by %s (force to take it over)", held.Holder)
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ClaimAnswer{}, NotFound("id", "no case %q", caseID)
	}
	if err != nil {
		return ClaimAnswer{}, err
	}
	return ClaimAnswer{CaseID: caseID, Assignee: a.Assignee, AssignedAt: a.AssignedAt, Previous: prev}, nil
}

// Assignments says who claimed each of the cases ids (absent: nobody).
func (d *Desk) Assignments(ctx context.Context, ids []string) (map[string]Assignment, error) {
	return store.Assignments(ctx, d.DB, ids)
}

// withAssignees fills the assignee of each view (a queue page).
func (d *Desk) withAssignees(ctx context.Context, views []CaseView) error {
	ids := make([]string, len(views))
	for i, v := range views {
		ids[i] = v.CaseID
	}
	as, err := store.Assignments(ctx, d.DB, ids)
	if err != nil {
		return err
	}
	for i, v := range views {
		if a, ok := as[v.CaseID]; ok {
			views[i].Assignee, views[i].AssignedAt = a.Assignee, a.AssignedAt
		}
	}
	return nil
}

// QueueSummary is what the top of the queue shows: cases per status, how
// many are open, and how long the oldest open case has waited.
type QueueSummary struct {
	Counts map[models.Status]int64 `json:"counts"`
	Open   int64                   `json:"open"`
	// OldestOpen is the creation time of the oldest case not closed.
	OldestOpen *time.Time `json:"oldest_open,omitempty"`
	// OldestOpenAgeSeconds is its age when the summary was read.
	OldestOpenAgeSeconds int64 `json:"oldest_open_age_seconds"`
}

// Summary reads the queue's counts in one bounded query.
func (d *Desk) Summary(ctx context.Context) (QueueSummary, error) {
	rows, err := store.StatusCounts(ctx, d.DB)
	if err != nil {
		return QueueSummary{}, err
	}
	out := QueueSummary{Counts: map[models.Status]int64{}}
	for _, r := range rows {
		out.Counts[r.Status] = r.Count
		if r.Status == models.StatusClosed {
			continue
		}
		out.Open += r.Count
		if !r.Oldest.IsZero() && (out.OldestOpen == nil || r.Oldest.Before(*out.OldestOpen)) {
			t := r.Oldest
			out.OldestOpen = &t
		}
	}
	if out.OldestOpen != nil {
		out.OldestOpenAgeSeconds = int64(time.Since(*out.OldestOpen).Seconds())
	}
	return out, nil
}

// MaxBulkCases bounds one bulk decision.
const MaxBulkCases = 100

// BulkDecision is one decision for many cases.
type BulkDecision struct {
	CaseIDs []string `json:"case_ids"`
	Verdict string   `json:"verdict"`
	Clause  string   `json:"clause"`
	Reason  string   `json:"reason"`
}

// BulkResult is what became of one case of a bulk decision: its state
// after the decision, or the error (with its HTTP status) for that case.
type BulkResult struct {
	CaseID  string              `json:"case_id"`
	Decided bool                `json:"decided"`
	Status  models.Status       `json:"status,omitempty"`
	Outcome models.Outcome      `json:"outcome,omitempty"`
	Code    int                 `json:"code"`
	Error   string              `json:"error,omitempty"`
	Details []models.FieldError `json:"problems,omitempty"`
}

// BulkDecide applies one decision to each case in turn, each through
// DecideAndWait (its own validated Update); one case's refusal does not
// stop the others. The request as a whole is refused (no case touched)
// when it names no case, more than MaxBulkCases, or a decision that is
// malformed whatever the case.
func (d *Desk) BulkDecide(ctx context.Context, req BulkDecision, analyst string) ([]BulkResult, error) {
	ids := uniqueIDs(req.CaseIDs)
	if len(ids) == 0 {
		return nil, Invalid("case_ids", "choose at least one case")
	}
	if len(ids) > MaxBulkCases {
		return nil, Invalid("case_ids", "at most %d cases at once (got %d)", MaxBulkCases, len(ids))
	}
	dr := DecisionRequest{Verdict: req.Verdict, Clause: req.Clause, Reason: req.Reason}
	if dr.Verdict == string(workflows.VerdictNeedInfo) {
		return nil, Invalid("verdict", "need_info asks each reporter its own question; decide it case by case")
	}
	dec := dr.Decision(analyst)
	if err := checkClause(dec); err != nil {
		return nil, err
	}
	if err := workflows.ValidateDecisionShape(dec); err != nil {
		return nil, err
	}
	out := make([]BulkResult, 0, len(ids))
	for _, id := range ids {
		if ctx.Err() != nil {
			out = append(out, BulkResult{CaseID: id, Code: KindUnavailable.Status(), Error: "not tried: the request ended"})
			continue
		}
		ans, err := d.DecideAndWait(ctx, id, dr, analyst)
		if err != nil {
			code, problems := StatusOf(err)
			msg := problemText(problems)
			if code >= 500 {
				d.Log.Error("bulk decision failed", "case", id, "err", err)
				msg = "internal error; the case may not be decided"
			}
			out = append(out, BulkResult{CaseID: id, Code: code, Error: msg, Details: problems})
			continue
		}
		out = append(out, BulkResult{CaseID: id, Decided: true, Status: ans.Status, Outcome: ans.Outcome, Code: 200})
	}
	return out, nil
}

// uniqueIDs trims the ids and drops empty and repeated ones, keeping order.
func uniqueIDs(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}

// problemText is the problems' messages in one line.
func problemText(ps []models.FieldError) string {
	msgs := make([]string, 0, len(ps))
	for _, p := range ps {
		msgs = append(msgs, p.Message)
	}
	if len(msgs) == 0 {
		return "refused"
	}
	return strings.Join(msgs, "; ")
}
