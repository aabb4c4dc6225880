package desk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// MitigationFilter selects a report's mitigations. Types are mitigation
// types (the reference's or the desk's own; a reference type also matches
// the desk's types shown as it, WireMitigationType); Sort one of type,
// effective_date, status, entity_type (default effective_date).
type MitigationFilter struct {
	Types                           []string
	Status, EntityType              string
	EffectiveAfter, EffectiveBefore *time.Time
	Page, PerPage                   int
	Sort                            string
	Desc                            bool
}

// maxTypeFilters bounds the repeated type parameter.
const maxTypeFilters = 20

// CustomerMitigations lists one page of the account's mitigations of one
// of its reports and counts them all.
func (d *Desk) CustomerMitigations(ctx context.Context, account, reportID string, f MitigationFilter) ([]models.Mitigation, int, error) {
	q := store.MitigationQuery{Account: account, CaseID: reportID, EffectiveAfter: f.EffectiveAfter,
		EffectiveBefore: f.EffectiveBefore, Desc: f.Desc, Order: "effective_date"}
	var ps []models.FieldError
	bad := func(field, format string, args ...any) {
		ps = append(ps, models.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if len(f.Types) > maxTypeFilters {
		bad("type", "at most %d types", maxTypeFilters)
	}
	for _, t := range f.Types {
		ts := mitigationTypesOf(t)
		if ts == nil {
			bad("type", "%q is not a mitigation type (%s)", trim(t), strings.Join(mitigationTypeNames(), ", "))
		}
		q.Types = append(q.Types, ts...)
	}
	if f.Status != "" {
		if !validMitigationStatus(f.Status) {
			bad("status", "%q is not one of pending, active, in_review, cancelled, removed", trim(f.Status))
		}
		q.Status = models.MitigationStatus(f.Status)
	}
	switch models.MitigationEntity(f.EntityType) {
	case "", models.EntityURLPattern, models.EntityZone, models.EntityAccount:
		q.EntityType = models.MitigationEntity(f.EntityType)
	default:
		bad("entity_type", "%q is not one of url_pattern, account, zone", trim(f.EntityType))
	}
	if f.EffectiveAfter != nil && f.EffectiveBefore != nil && !f.EffectiveAfter.Before(*f.EffectiveBefore) {
		bad("effective_before", "must be after effective_after")
	}
	switch f.Sort {
	case "":
	case "type", "effective_date", "status", "entity_type":
		q.Order = f.Sort
	default:
		bad("sort", "%q is not one of type, effective_date, status, entity_type", trim(f.Sort))
	}
	var pageErr []models.FieldError
	q.Limit, q.Offset, pageErr = paging(f.Page, f.PerPage)
	if ps = append(ps, pageErr...); len(ps) > 0 {
		return nil, 0, Problems(KindBadRequest, ps)
	}
	if _, _, err := d.accountCase(ctx, account, reportID); err != nil {
		return nil, 0, err
	}
	ms, total, err := store.AccountMitigations(ctx, d.DB, q)
	return ms, int(total), err
}

// mitigationTypesOf lists the desk's types a type parameter selects; nil
// when it names none.
func mitigationTypesOf(t string) []models.MitigationType {
	var out []models.MitigationType
	for _, k := range models.MitigationTypes {
		if string(k) == t || WireMitigationType(k) == t {
			out = append(out, k)
		}
	}
	return out
}

func mitigationTypeNames() []string {
	out := make([]string, len(models.MitigationTypes))
	for i, k := range models.MitigationTypes {
		out[i] = string(k)
	}
	return out
}

// Appeal is a customer's request to review one mitigation: Reason removed
// (the content is gone) or misclassified, with an optional statement.
type Appeal struct {
	MitigationID string `json:"id"`
	Reason       string `json:"reason"`
	Statement    string `json:"statement,omitempty"`
}

// Bounds of an appeal request.
const (
	MaxAppeals          = 100
	MaxAppealStatement  = 5000
	appealReasonRemoved = "removed"
	appealReasonWrong   = "misclassified"
)

// CustomerAppeal asks for a review of mitigations of one of the account's
// reports: each goes in_review until an analyst upholds or lifts it (the
// Mitigation workflow, through AppealMitigation). Only active mitigations
// not appealed before can be appealed; every one is checked before any is
// appealed. The answer is the mitigations as the
// appeal leaves them.
func (d *Desk) CustomerAppeal(ctx context.Context, account, reportID string, appeals []Appeal) ([]models.Mitigation, error) {
	ids, err := checkAppeals(appeals)
	if err != nil {
		return nil, err
	}
	if _, _, err := d.accountCase(ctx, account, reportID); err != nil {
		return nil, err
	}
	ms, _, err := store.AccountMitigations(ctx, d.DB, store.MitigationQuery{Account: account, CaseID: reportID, IDs: ids, Limit: MaxAppeals})
	if err != nil {
		return nil, err
	}
	byID := map[string]models.Mitigation{}
	for _, m := range ms {
		byID[m.ID] = m
	}
	var ps []models.FieldError
	for i, a := range appeals {
		m, ok := byID[a.MitigationID]
		switch {
		case !ok:
			ps = append(ps, models.FieldError{Field: fmt.Sprintf("appeals[%d].id", i), Message: "no such mitigation of this report"})
		case m.AppealedAt != nil:
			ps = append(ps, models.FieldError{Field: fmt.Sprintf("appeals[%d].id", i),
				Message: "the mitigation was already appealed on " + m.AppealedAt.UTC().Format(time.RFC3339)})
		case m.Status == models.MitigationPending:
			ps = append(ps, models.FieldError{Field: fmt.Sprintf("appeals[%d].id", i), Message: "the mitigation is not in force yet: fix the problem before " +
				m.EffectiveDate.UTC().Format(time.RFC3339) + " and it is cancelled"})
		case m.Status != models.MitigationActive:
			ps = append(ps, models.FieldError{Field: fmt.Sprintf("appeals[%d].id", i),
				Message: fmt.Sprintf("the mitigation is %s; only active mitigations can be appealed", m.Status)})
		}
	}
	if len(ps) > 0 {
		kind := KindConflict
		for _, p := range ps {
			if p.Message == "no such mitigation of this report" {
				kind = KindNotFound
			}
		}
		return nil, Problems(kind, ps)
	}
	now := time.Now().UTC()
	out := make([]models.Mitigation, 0, len(appeals))
	for _, a := range appeals {
		m := byID[a.MitigationID]
		st := strings.TrimSpace(a.Statement)
		if st == "" {
			// The reference's appeal carries no statement.
			st = "The account asks for a review (reason: " + a.Reason + "); it gave no statement."
		}
		err := d.AppealMitigation(ctx, m.ID, workflows.MitigationAppeal{Reason: a.Reason, Statement: st, By: "account:" + account, At: now})
		if err != nil {
			return nil, err
		}
		m.Status, m.AppealReason, m.AppealStatement, m.AppealedAt = models.MitigationInReview, a.Reason, st, &now
		out = append(out, m)
	}
	return out, nil
}

// checkAppeals lists every problem of an appeal request, by field, and
// answers the mitigation ids.
func checkAppeals(appeals []Appeal) ([]string, error) {
	var ps []models.FieldError
	if len(appeals) == 0 || len(appeals) > MaxAppeals {
		ps = append(ps, models.FieldError{Field: "appeals", Message: fmt.Sprintf("must list 1 to %d appeals", MaxAppeals)})
	}
	seen := map[string]bool{}
	ids := []string{}
	for i, a := range appeals {
		at := fmt.Sprintf("appeals[%d]", i)
		switch {
		case a.MitigationID == "" || len(a.MitigationID) > 64:
			ps = append(ps, models.FieldError{Field: at + ".id", Message: "required: the id of a mitigation of this report"})
		case seen[a.MitigationID]:
			ps = append(ps, models.FieldError{Field: at + ".id", Message: "appealed twice in one request"})
		}
		seen[a.MitigationID] = true
		ids = append(ids, a.MitigationID)
		if a.Reason != appealReasonRemoved && a.Reason != appealReasonWrong {
			ps = append(ps, models.FieldError{Field: at + ".reason", Message: fmt.Sprintf("%q is not one of removed, misclassified", trim(a.Reason))})
		}
		if len(a.Statement) > MaxAppealStatement {
			ps = append(ps, models.FieldError{Field: at + ".statement", Message: fmt.Sprintf("at most %d bytes", MaxAppealStatement)})
		}
	}
	if len(ps) > 0 {
		return nil, Problems(KindInvalid, ps)
	}
	return ids, nil
}

// CustomerEmail is one notice the desk sent the account about a report,
// with what became of it.
type CustomerEmail struct {
	ID            string                     `json:"id"`
	RecipientRole models.RecipientRole       `json:"recipient_role"`
	To            string                     `json:"to"`
	Subject       string                     `json:"subject"`
	Domain        string                     `json:"domain,omitempty"`
	CreatedAt     time.Time                  `json:"created_at"`
	SentAt        *time.Time                 `json:"sent_at,omitempty"`
	DeliveryState models.NoticeDeliveryState `json:"delivery_state"`
	BounceReason  string                     `json:"bounce_reason,omitempty"`
	// RedirectedTo is the notice that went to another address instead.
	RedirectedTo string `json:"redirected_to,omitempty"`
}

// CustomerEmails lists the notices the desk sent the account about one of
// its reports, oldest first, each with its delivery state (queued, sent,
// bounced, redirected).
func (d *Desk) CustomerEmails(ctx context.Context, account, reportID string) ([]CustomerEmail, error) {
	cs, domains, err := d.accountCase(ctx, account, reportID)
	if err != nil {
		return nil, err
	}
	ns, err := store.AccountNotices(ctx, d.DB, cs, account, domains)
	if err != nil {
		return nil, err
	}
	ds, err := store.NoticeDeliveries(ctx, d.DB, cs.ID)
	if err != nil {
		return nil, err
	}
	byNotice := map[string]*models.NoticeDelivery{}
	for i := range ds {
		byNotice[ds[i].NoticeID] = &ds[i]
	}
	out := make([]CustomerEmail, 0, len(ns))
	for _, n := range ns {
		dl := byNotice[n.ID]
		e := CustomerEmail{ID: n.ID, RecipientRole: n.RecipientRole, To: n.To, Subject: n.Subject, Domain: n.Domain,
			CreatedAt: n.CreatedAt.UTC(), SentAt: n.SentAt, DeliveryState: models.DeliveryStateOf(n, dl)}
		if dl != nil {
			e.BounceReason, e.RedirectedTo = dl.BounceReason, dl.RedirectedTo
		}
		out = append(out, e)
	}
	return out, nil
}
