package activities

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// Mitigations (docs/DESIGN.md "Mitigations"): the Mitigation workflow
// applies each restriction as a record and moves it through its
// lifecycle; these activities write it (store/mitigations.go) and journal
// every change, so each is an audit entry.

// NoticeCustomerAppealOutcome tells the customer the analyst's answer to
// an appeal of a mitigation and the redress left to them.
const NoticeCustomerAppealOutcome NoticeKind = "customer_appeal_outcome"

// Journal kinds of mitigations. A mitigation that is itself the restriction
// (an interstitial, a legal block) is journalled as "restriction", which
// gives it its statement of reasons; the other changes are "mitigation".
const (
	JournalMitigation  = "mitigation"
	journalRestriction = "restriction"
)

// ErrTypeMitigationEnded: a change asked of a mitigation that has ended.
const ErrTypeMitigationEnded = "MitigationEnded"

// MitigationSpec is a mitigation to apply (ApplyMitigation).
type MitigationSpec struct {
	// ID is the mitigation's id when it is created; a mitigation already
	// stored for CaseID and Step keeps its own.
	ID         string
	CaseID     string
	Step       string
	AccountID  string
	Domain     string
	Type       models.MitigationType
	EntityType models.MitigationEntity
	EntityID   string
	Countries  []string
	// Status is pending (active at EffectiveDate) or active.
	Status        models.MitigationStatus
	EffectiveDate time.Time
	Reason        string
	// StatementKey is the audit journal key of the restriction whose
	// statement of reasons already explains this mitigation (the hosted
	// path's DisableObjects); empty: ApplyMitigation journals the
	// mitigation as a restriction of its own, with its statement.
	StatementKey string
	By           string
}

// MitigationResult names the stored mitigation.
type MitigationResult struct {
	ID     string
	Status models.MitigationStatus
}

// MitigationChangeInput is one change of a mitigation (ChangeMitigation).
type MitigationChangeInput struct {
	MitigationID string
	// Kind is models.MitigationEventStatus, MitigationEventAppeal or
	// MitigationEventOverdue.
	Kind            string
	To              models.MitigationStatus
	Actor           string
	Reason          string
	At              time.Time
	AppealReason    string
	AppealStatement string
	ReviewDeadline  *time.Time
	ReviewDecision  string
}

// ApplyMitigation stores a mitigation once per case and step and answers
// its id. Where no earlier restriction's statement explains it, it is
// journalled as a restriction (its statement of reasons, then the audit
// entry); otherwise as a mitigation pointing at that statement.
func (a *Activities) ApplyMitigation(ctx context.Context, in MitigationSpec) (MitigationResult, error) {
	if in.ID == "" || in.CaseID == "" || in.Step == "" {
		return MitigationResult{}, temporal.NewNonRetryableApplicationError("a mitigation needs an id, a case and a step", "InvalidMitigation", nil)
	}
	key := in.StatementKey
	kind := JournalMitigation
	if key == "" {
		key, kind = journalRestriction+":"+in.CaseID+":"+in.Step, journalRestriction
	}
	at := in.EffectiveDate
	if in.Status == models.MitigationActive || at.IsZero() {
		at = a.now()
	}
	m := models.Mitigation{ID: in.ID, CaseID: in.CaseID, Step: in.Step, AccountID: in.AccountID, Domain: in.Domain,
		Type: in.Type, EntityType: in.EntityType, EntityID: in.EntityID, Countries: strings.Join(in.Countries, ","),
		Status: in.Status, EffectiveDate: at.UTC(), StatementID: key, Reason: in.Reason, UpdatedBy: in.By, UpdatedAt: a.now()}
	got, _, err := store.CreateMitigation(ctx, a.DB, m, func(tx *gorm.DB, m models.Mitigation) error {
		return a.journal(tx, actorOr(in.By), in.CaseID, kind, kind+":"+in.CaseID+":"+in.Step, map[string]any{
			"mitigation_id": m.ID, "type": m.Type, "entity_type": m.EntityType, "entity_id": m.EntityID,
			"countries": m.Countries, "status": m.Status, "effective_date": m.EffectiveDate,
			"reason": m.Reason, "statement": key, "domain": m.Domain,
		})
	})
	if err != nil {
		return MitigationResult{}, err
	}
	return MitigationResult{ID: got.ID, Status: got.Status}, nil
}

// ChangeMitigation changes a mitigation's status (or records its appeal or
// an overdue review) with its event, journalled in the same transaction.
// A change already made changes nothing; a mitigation that ended takes no
// change (ErrTypeMitigationEnded, not retried).
func (a *Activities) ChangeMitigation(ctx context.Context, in MitigationChangeInput) error {
	at := in.At
	if at.IsZero() {
		at = a.now()
	}
	ch := store.MitigationChange{ID: in.MitigationID, Kind: in.Kind, To: in.To, Actor: actorOr(in.Actor), Reason: in.Reason,
		At: at, AppealReason: in.AppealReason, AppealStatement: in.AppealStatement, ReviewDeadline: in.ReviewDeadline,
		ReviewDecision: in.ReviewDecision}
	if ch.Kind == "" {
		ch.Kind = models.MitigationEventStatus
	}
	_, _, err := store.ChangeMitigation(ctx, a.DB, ch, func(tx *gorm.DB, before, after models.Mitigation) error {
		return a.journal(tx, ch.Actor, before.CaseID, JournalMitigation,
			JournalMitigation+":"+before.ID+":"+ch.Kind+":"+string(before.Status)+">"+string(after.Status),
			map[string]any{"mitigation_id": before.ID, "event": ch.Kind, "from": before.Status, "to": after.Status,
				"reason": ch.Reason, "review_decision": ch.ReviewDecision, "review_deadline": ch.ReviewDeadline})
	})
	switch {
	case errors.Is(err, store.ErrMitigationEnded):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeMitigationEnded, err)
	case errors.Is(err, gorm.ErrRecordNotFound):
		return temporal.NewNonRetryableApplicationError("no mitigation "+in.MitigationID, "InvalidMitigation", err)
	}
	return err
}

func actorOr(a string) string {
	if a == "" {
		return "system"
	}
	return a
}
