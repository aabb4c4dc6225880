package statements

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// Restricts reports whether an audit journal kind is a restriction that
// carries a statement of reasons.
func Restricts(kind string) bool {
	switch kind {
	case KindRestriction, KindRemoval, KindTermination, KindDomainRestriction, KindOrderRestriction:
		return true
	}
	return false
}

// journalDetails are the details the activities journal with the
// restriction kinds (activities/hosting.go, status.go).
type journalDetails struct {
	ObjectID   string `json:"object_id"`
	Reason     string `json:"reason"`
	Domain     string `json:"domain"`
	Status     string `json:"status"`
	Account    string `json:"account"`
	Service    string `json:"service"`
	Kind       string `json:"kind"`
	LegalBasis string `json:"legal_basis"`
	// A mitigation journalled as a restriction (activities.ApplyMitigation).
	MitigationID string `json:"mitigation_id"`
	Type         string `json:"type"`
	EntityType   string `json:"entity_type"`
	Countries    string `json:"countries"`
	// An order of an authority (activities.JournalOrderRestriction).
	OrderID      string `json:"order_id"`
	ReferenceURL string `json:"decision_ground_reference_url"`
	Territorial  string `json:"territorial_scope"`
	ContentType  string `json:"content_type"`
	MemberState  string `json:"member_state"`
	Authority    string `json:"authority"`
	Effect       string `json:"effect"`
}

// Record builds the statement of reasons of one journalled restriction and
// stores it in tx, the transaction of the restriction itself, so the two
// commit together. It is idempotent per dedupKey (a retried activity stores
// nothing new). A domain lock against hijacking (clientTransferProhibited)
// protects the registrant and restricts nobody for their content: it gets
// no statement.
func Record(tx *gorm.DB, at time.Time, caseID, kind, dedupKey string, details any) error {
	if !Restricts(kind) {
		return nil
	}
	f, ok, err := Gather(tx, at, caseID, kind, dedupKey, details)
	if err != nil || !ok {
		return err
	}
	return Store(tx, f, Build(f))
}

// Gather reads the facts of a restriction from the database: the case,
// the analyst's decision behind it, the hosted object or the termination.
// ok is false when the restriction needs no statement.
func Gather(tx *gorm.DB, at time.Time, caseID, kind, dedupKey string, details any) (f Facts, ok bool, err error) {
	var d journalDetails
	raw, err := json.Marshal(details)
	if err != nil {
		return f, false, fmt.Errorf("statements: details of %s: %w", dedupKey, err)
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return f, false, fmt.Errorf("statements: details of %s: %w", dedupKey, err)
	}
	if kind == KindDomainRestriction && d.Status != workflows.EPPServerHold {
		return f, false, nil
	}
	if d.Type == string(models.MitigationDomainLock) {
		// A lock protects the registrant: it restricts nobody.
		return f, false, nil
	}
	if kind == KindOrderRestriction {
		return Facts{Kind: kind, DedupKey: dedupKey, At: at.UTC(), CaseID: caseID, Order: orderOf(d)}, true, nil
	}
	db := tx.Session(&gorm.Session{NewDB: true})
	f = Facts{Kind: kind, DedupKey: dedupKey, At: at.UTC(), CaseID: caseID, Reason: d.Reason, Mitigation: mitigationOf(d)}
	if kind == KindTermination {
		return f, true, gatherTermination(db, &f, d)
	}
	if err := gatherCase(db, &f, caseID); err != nil {
		return f, false, err
	}
	var ds []models.Decision
	if err := db.Where("case_id = ? AND verdict IN ?", caseID, []string{"violates", "uphold"}).
		Order("id DESC").Limit(1).Find(&ds).Error; err != nil {
		return f, false, fmt.Errorf("statements: decision of %s: %w", caseID, err)
	}
	if len(ds) > 0 {
		f.Decision = &ds[0]
		if f.Decision.Clause == "" {
			// An upheld decision stands on the clause of the decision it upheld.
			var v []models.Decision
			if err := db.Where("case_id = ? AND verdict = ? AND clause <> ''", caseID, "violates").
				Order("id DESC").Limit(1).Find(&v).Error; err != nil {
				return f, false, fmt.Errorf("statements: decision of %s: %w", caseID, err)
			}
			if len(v) > 0 {
				f.Decision.Clause = v[0].Clause
			}
		}
	}
	if d.ObjectID != "" {
		o := models.HostedObject{ObjectID: d.ObjectID}
		if err := db.Where("object_id = ?", d.ObjectID).Take(&o).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return f, false, fmt.Errorf("statements: hosted object %s: %w", d.ObjectID, err)
		}
		f.Object = &o
	}
	return f, true, nil
}

// gatherCase reads the report's category and date; a case the read model
// lacks leaves them unknown rather than holding up the restriction.
func gatherCase(db *gorm.DB, f *Facts, caseID string) error {
	var c models.Case
	err := db.Select("id", "category", "created_at", "copyright_incomplete").Where("id = ?", caseID).Take(&c).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("statements: case %s: %w", caseID, err)
	}
	f.Category, f.ReportedAt, f.Complaint = c.Category, c.CreatedAt, c.CopyrightIncomplete
	return nil
}

// gatherTermination reads the termination (written earlier in the same
// transaction) and the case that triggered its review.
func gatherTermination(db *gorm.DB, f *Facts, d journalDetails) error {
	t := models.Termination{ReviewID: f.CaseID, AccountID: d.Account, Service: d.Service, Kind: d.Kind, LegalBasis: d.LegalBasis}
	if err := db.Where("review_id = ?", f.CaseID).Take(&t).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("statements: termination %s: %w", f.CaseID, err)
	}
	f.Termination = &t
	var r models.Review
	err := db.Where("id = ?", f.CaseID).Take(&r).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return gatherBehind(db, f, time.Time{})
	case err != nil:
		return fmt.Errorf("statements: review %s: %w", f.CaseID, err)
	}
	if err := gatherBehind(db, f, r.CreatedAt); err != nil {
		return err
	}
	f.ReportedAt = r.CreatedAt
	if r.TriggerCaseID != "" {
		trigger := *f
		if err := gatherCase(db, &trigger, r.TriggerCaseID); err != nil {
			return err
		}
		f.Category = trigger.Category
		if !trigger.ReportedAt.IsZero() {
			f.ReportedAt = trigger.ReportedAt
		}
	}
	return nil
}

// Store saves a built statement once per PUID. A statement that fails
// Validate is kept as StatusInvalid with its problems (never submitted):
// a bug in Build must not hold up the restriction it explains.
func Store(tx *gorm.DB, f Facts, s SOR) error {
	body, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("statements: encode %s: %w", s.PUID, err)
	}
	st := Statement{PUID: s.PUID, CaseID: f.CaseID, Kind: f.Kind, DedupKey: f.DedupKey, Body: string(body),
		SubmitStatus: StatusPending, CreatedAt: f.At, UpdatedAt: f.At}
	if problems := Validate(s); len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.Field + ": " + p.Message
		}
		st.SubmitStatus, st.SubmitError = StatusInvalid, "invalid statement: "+strings.Join(msgs, "; ")
	}
	err = tx.Session(&gorm.Session{NewDB: true}).
		Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "puid"}}, DoNothing: true}).Create(&st).Error
	if err != nil {
		return fmt.Errorf("statements: store %s: %w", s.PUID, err)
	}
	return nil
}
