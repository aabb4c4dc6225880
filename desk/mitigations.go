package desk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// Mitigations (docs/DESIGN.md "Mitigations"): the analysts' use cases on
// the restrictions of a case, and the customer's appeal. Each mitigation
// is a MitigationWorkflow; these start, signal and update it, and read
// its record through store.

// MitigationEventView is one change of a mitigation.
type MitigationEventView struct {
	Kind   string                  `json:"kind"`
	From   models.MitigationStatus `json:"from,omitempty"`
	To     models.MitigationStatus `json:"to"`
	Actor  string                  `json:"actor"`
	Reason string                  `json:"reason,omitempty"`
	At     time.Time               `json:"at"`
}

// AppealView is a customer's request for review of a mitigation.
type AppealView struct {
	Reason     string    `json:"reason"`
	Statement  string    `json:"statement"`
	AppealedAt time.Time `json:"appealed_at"`
}

// MitigationView is a mitigation as the API shows it.
type MitigationView struct {
	ID             string                  `json:"id"`
	CaseID         string                  `json:"case_id"`
	Type           models.MitigationType   `json:"type"`
	EntityType     models.MitigationEntity `json:"entity_type"`
	EntityID       string                  `json:"entity_id"`
	Domain         string                  `json:"domain"`
	AccountID      string                  `json:"account_id"`
	Countries      []string                `json:"countries,omitempty"`
	Status         models.MitigationStatus `json:"status"`
	EffectiveDate  time.Time               `json:"effective_date"`
	StatementID    string                  `json:"statement_id,omitempty"`
	Reason         string                  `json:"reason"`
	Appeal         *AppealView             `json:"appeal,omitempty"`
	ReviewDeadline *time.Time              `json:"review_deadline,omitempty"`
	ReviewOverdue  bool                    `json:"review_overdue"`
	ReviewDecision string                  `json:"review_decision,omitempty"`
	EndedAt        *time.Time              `json:"ended_at,omitempty"`
	UpdatedBy      string                  `json:"updated_by"`
	CreatedAt      time.Time               `json:"created_at"`
	UpdatedAt      time.Time               `json:"updated_at"`
	Events         []MitigationEventView   `json:"events"`
}

func mitigationView(m models.Mitigation, evs []models.MitigationEvent) MitigationView {
	v := MitigationView{ID: m.ID, CaseID: m.CaseID, Type: m.Type, EntityType: m.EntityType, EntityID: m.EntityID,
		Domain: m.Domain, AccountID: m.AccountID, Countries: splitCountries(m.Countries), Status: m.Status,
		EffectiveDate: m.EffectiveDate, StatementID: m.StatementID, Reason: m.Reason, ReviewDeadline: m.ReviewDeadline,
		ReviewOverdue: m.ReviewOverdue, ReviewDecision: m.ReviewDecision, EndedAt: m.EndedAt, UpdatedBy: m.UpdatedBy,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, Events: []MitigationEventView{}}
	if m.AppealedAt != nil {
		v.Appeal = &AppealView{Reason: m.AppealReason, Statement: m.AppealStatement, AppealedAt: *m.AppealedAt}
	}
	for _, e := range evs {
		v.Events = append(v.Events, MitigationEventView{Kind: e.Kind, From: e.From, To: e.To, Actor: e.Actor, Reason: e.Reason, At: e.At})
	}
	return v
}

// views reads the events of ms and answers their views.
func (d *Desk) mitigationViews(ctx context.Context, ms []models.Mitigation) ([]MitigationView, error) {
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	evs, err := store.MitigationEvents(ctx, d.DB, ids)
	if err != nil {
		return nil, err
	}
	out := make([]MitigationView, 0, len(ms))
	for _, m := range ms {
		out = append(out, mitigationView(m, evs[m.ID]))
	}
	return out, nil
}

// CaseMitigations lists a case's mitigations with their events (a case
// that does not exist is not found).
func (d *Desk) CaseMitigations(ctx context.Context, caseID string) ([]MitigationView, error) {
	if _, err := store.Case(ctx, d.DB, caseID); err != nil {
		return nil, err
	}
	ms, err := store.CaseMitigations(ctx, d.DB, caseID)
	if err != nil {
		return nil, err
	}
	return d.mitigationViews(ctx, ms)
}

// maxReviewList bounds the analysts' list of mitigations in review.
const maxReviewList = 500

// MitigationsInReview lists the mitigations whose appeal awaits an
// analyst: overdue ones first, then by deadline.
func (d *Desk) MitigationsInReview(ctx context.Context) ([]MitigationView, error) {
	ms, err := store.MitigationsInReview(ctx, d.DB, maxReviewList)
	if err != nil {
		return nil, err
	}
	return d.mitigationViews(ctx, ms)
}

// Mitigation reads one mitigation with its events.
func (d *Desk) Mitigation(ctx context.Context, id string) (MitigationView, error) {
	m, err := store.Mitigation(ctx, d.DB, id)
	if err != nil {
		return MitigationView{}, err
	}
	vs, err := d.mitigationViews(ctx, []models.Mitigation{m})
	if err != nil {
		return MitigationView{}, err
	}
	return vs[0], nil
}

// MitigationReviewRequest is an analyst's answer to an appeal.
type MitigationReviewRequest struct {
	Decision string `json:"decision"`
	Note     string `json:"note"`
}

// ReviewMitigation applies an analyst's answer to the appeal of a
// mitigation in review (UpdateMitigationReview) and answers the
// mitigation after it.
func (d *Desk) ReviewMitigation(ctx context.Context, id string, req MitigationReviewRequest, analyst string) (MitigationView, error) {
	r := workflows.MitigationReview{Decision: req.Decision, Analyst: analyst, Note: trimmed(req.Note)}
	if err := workflows.ValidateMitigationReview(r); err != nil {
		return MitigationView{}, Invalid("decision", "%s", appMessage(err))
	}
	m, err := store.Mitigation(ctx, d.DB, id)
	if err != nil {
		return MitigationView{}, err
	}
	if m.Status != models.MitigationInReview {
		return MitigationView{}, Conflict("decision", "the mitigation is %s, not in review", m.Status)
	}
	var st workflows.MitigationState
	wid := workflows.MitigationWorkflowID(id)
	if err := d.Engine.Update(ctx, wid, workflows.UpdateMitigationReview, r, &st); err != nil {
		return MitigationView{}, d.closedAsConflict(ctx, wid, "the mitigation has ended", err)
	}
	return d.settledMitigation(ctx, id, m.Status)
}

// MitigationCancelRequest records why a mitigation is no longer needed.
type MitigationCancelRequest struct {
	Reason string `json:"reason"`
}

// CancelMitigation records that the customer fixed the problem: a
// pending mitigation is cancelled before it takes effect, one in force is
// removed.
func (d *Desk) CancelMitigation(ctx context.Context, id string, req MitigationCancelRequest, analyst string) (MitigationView, error) {
	reason := trimmed(req.Reason)
	switch {
	case reason == "":
		return MitigationView{}, Invalid("reason", "say what the customer did (the reason is recorded and audited)")
	case len(reason) > maxMitigationReason:
		return MitigationView{}, Invalid("reason", "at most %d bytes", maxMitigationReason)
	}
	m, err := store.Mitigation(ctx, d.DB, id)
	if err != nil {
		return MitigationView{}, err
	}
	if m.Status.Ended() {
		return MitigationView{}, Conflict("reason", "the mitigation has already ended (%s)", m.Status)
	}
	wid := workflows.MitigationWorkflowID(id)
	if err := d.Engine.Signal(ctx, wid, workflows.SignalMitigationCancel, workflows.MitigationCancel{By: analyst, Reason: reason}); err != nil {
		return MitigationView{}, d.closedAsConflict(ctx, wid, "the mitigation has ended", err)
	}
	return d.settledMitigation(ctx, id, m.Status)
}

// maxAppealStatement bounds a customer's appeal statement (the column).
const maxAppealStatement = 5000

// AppealMitigation is a customer's request for review of a mitigation in
// force (the caller has checked the customer's account owns it): it puts
// the mitigation in review, with an analyst's deadline. Reason is removed
// (the customer removed the content) or misclassified; the statement is
// required. A pending mitigation is not in force yet (the customer fixes
// the problem before its effective date instead), and a mitigation is
// appealed once: both are conflicts.
func (d *Desk) AppealMitigation(ctx context.Context, mitigationID string, a workflows.MitigationAppeal) error {
	a.Statement = trimmed(a.Statement)
	var ps []models.FieldError
	if a.Reason != workflows.AppealRemoved && a.Reason != workflows.AppealMisclassified {
		ps = append(ps, models.FieldError{Field: "reason", Message: "must be " + workflows.AppealRemoved + " or " + workflows.AppealMisclassified})
	}
	switch {
	case a.Statement == "":
		ps = append(ps, models.FieldError{Field: "statement", Message: "say why the mitigation should be lifted"})
	case len(a.Statement) > maxAppealStatement:
		ps = append(ps, models.FieldError{Field: "statement", Message: "at most 5000 bytes"})
	}
	if len(ps) > 0 {
		return Problems(KindInvalid, ps)
	}
	m, err := store.Mitigation(ctx, d.DB, mitigationID)
	if err != nil {
		return err
	}
	switch {
	case m.AppealedAt != nil:
		return Conflict("reason", "the mitigation was already appealed on %s", m.AppealedAt.UTC().Format(time.RFC3339))
	case m.Status == models.MitigationPending:
		return Conflict("reason", "the mitigation is not in force yet: fix the problem before %s and it is cancelled",
			m.EffectiveDate.UTC().Format(time.RFC3339))
	case m.Status != models.MitigationActive:
		return Conflict("reason", "the mitigation is %s and cannot be appealed", m.Status)
	}
	if a.At.IsZero() {
		a.At = time.Now().UTC()
	}
	wid := workflows.MitigationWorkflowID(mitigationID)
	return d.closedAsConflict(ctx, wid, "the mitigation has ended",
		d.Engine.Signal(ctx, wid, workflows.SignalMitigationAppeal, a))
}

// settledMitigation waits, at most decisionSettle, for the mitigation's
// record to exist and leave status before ("" for a new one), then
// answers it.
func (d *Desk) settledMitigation(ctx context.Context, id string, before models.MitigationStatus) (MitigationView, error) {
	wctx, cancel := context.WithTimeout(ctx, decisionSettle)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		m, err := store.Mitigation(ctx, d.DB, id)
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return MitigationView{}, err
		}
		if err == nil && (m.Status != before || wctx.Err() != nil) {
			return d.Mitigation(ctx, id)
		}
		select {
		case <-wctx.Done():
			if err != nil {
				return MitigationView{}, err
			}
		case <-tick.C:
		}
	}
}

func newMitigationID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "mit_" + hex.EncodeToString(b)
}

func trimmed(s string) string { return strings.TrimSpace(s) }

// appMessage is the message of a validator's refusal.
func appMessage(err error) string {
	var app interface{ Message() string }
	if errors.As(err, &app) {
		return app.Message()
	}
	return err.Error()
}

func splitCountries(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
