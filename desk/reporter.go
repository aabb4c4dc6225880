package desk

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// Re-exported for the front ends, which do not import workflows.
var (
	// Clauses are the terms clauses a violates decision names.
	Clauses = workflows.Clauses
)

// VerdictViolates is the verdict that needs a clause.
const VerdictViolates = string(workflows.VerdictViolates)

// ReporterCase loads a case after checking the reporter's token; an
// unknown case and a wrong token get the same NotFound.
func (d *Desk) ReporterCase(ctx context.Context, id, token string) (models.Case, error) {
	if token == "" {
		return models.Case{}, Fail(KindUnauthorized, "token", "the reporter token is required")
	}
	cs, err := store.Case(ctx, d.DB, id)
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Case{}, err
	}
	want := intake.HashToken(token)
	if err != nil || subtle.ConstantTimeCompare([]byte(want), []byte(cs.TokenHash)) != 1 {
		return models.Case{}, NotFound("token", "no case with this id and token")
	}
	return cs, nil
}

// ReporterView is what a reporter sees of their case: never operator or
// origin-IP details.
type ReporterView struct {
	CaseID      string           `json:"case_id"`
	Category    models.Category  `json:"category"`
	Status      models.Status    `json:"status"`
	Outcome     models.Outcome   `json:"outcome,omitempty"`
	CreatedAt   time.Time        `json:"created_at"`
	ClosedAt    *time.Time       `json:"closed_at,omitempty"`
	Description string           `json:"description"`
	URLs        []string         `json:"urls"`
	Question    string           `json:"question,omitempty"`
	Messages    []ReporterNotice `json:"messages"`
}

// ReporterNotice is a message sent to the reporter.
type ReporterNotice struct {
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	At      time.Time `json:"at"`
}

// ReporterView is what the reporter's status page shows of a case.
func (d *Desk) ReporterView(ctx context.Context, cs models.Case) (ReporterView, error) {
	v := ReporterView{CaseID: cs.ID, Category: cs.Category, Status: cs.Status, Outcome: cs.Outcome,
		CreatedAt: cs.CreatedAt, ClosedAt: cs.ClosedAt, Description: cs.Description, Messages: []ReporterNotice{}}
	var err error
	if v.URLs, err = store.CaseURLs(ctx, d.DB, cs.ID, "", 1000); err != nil {
		return v, err
	}
	ns, err := store.MessagesToReporter(ctx, d.DB, cs.ID)
	if err != nil {
		return v, err
	}
	for _, n := range ns {
		v.Messages = append(v.Messages, ReporterNotice{Subject: n.Subject, Body: n.BodyText, At: n.CreatedAt})
	}
	if cs.Status == models.StatusAwaitingReporter {
		v.Question = d.openQuestion(ctx, cs.ID)
	}
	return v, nil
}

// openQuestion is the analyst's question the reporter is asked now: the
// latest need_info decision the case's workflow holds (the question is
// recorded there, not in the database); "" when the workflow does not
// answer.
func (d *Desk) openQuestion(ctx context.Context, caseID string) string {
	st, ok := d.caseStatus(ctx, caseID)
	if !ok {
		return ""
	}
	for i := len(st.Decisions) - 1; i >= 0; i-- {
		if st.Decisions[i].Verdict == workflows.VerdictNeedInfo {
			return st.Decisions[i].Question
		}
	}
	return ""
}
