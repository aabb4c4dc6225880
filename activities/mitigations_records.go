package activities

import (
	"errors"
	"strings"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/internal/urlnorm"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// The registrar's and the termination review's restrictions as mitigation
// records (docs/DESIGN.md "Mitigations"): a domain hold or lock, and a
// service termination, written in the transaction of the restriction by
// the activity that applies it. They have no Mitigation workflow: a
// domain is released by its case (SetDomainStatus with Clear), and a
// termination is final.

// domainMitigationType is the mitigation an EPP status is.
func domainMitigationType(status string) (models.MitigationType, bool) {
	switch status {
	case "serverHold":
		return models.MitigationDomainHold, true
	case "clientTransferProhibited":
		return models.MitigationDomainLock, true
	}
	return "", false
}

// domainMitigation records (or, with in.Clear, ends) the mitigation of a
// domain status set by a case.
func (a *Activities) domainMitigation(tx *gorm.DB, in DomainInput) error {
	typ, ok := domainMitigationType(in.Status)
	if !ok {
		return nil
	}
	step := "domain:" + models.MitigationStep(typ, in.Domain)
	id := models.MitigationID(in.CaseID, step)
	if in.Clear {
		_, _, err := store.ChangeMitigation(tx.Statement.Context, tx, store.MitigationChange{ID: id, Kind: models.MitigationEventStatus,
			To: models.MitigationRemoved, Actor: "system", Reason: in.Step, At: a.now()}, nil)
		if errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, store.ErrMitigationEnded) {
			return nil // set before mitigations were recorded, or ended already
		}
		return err
	}
	var acct string
	tx.Model(&models.Domain{}).Where("name = ?", in.Domain).Pluck("account_id", &acct)
	m := models.Mitigation{ID: id, CaseID: in.CaseID, Step: step, AccountID: acct, Domain: in.Domain, Type: typ,
		EntityType: models.EntityZone, EntityID: in.Domain, Status: models.MitigationActive, EffectiveDate: a.now(),
		StatementID: "domain_restriction:" + in.CaseID + ":" + in.Step, Reason: "registrar: " + in.Status, UpdatedBy: "system"}
	_, _, err := store.CreateMitigation(tx.Statement.Context, tx, m, nil)
	return err
}

// terminationMitigations records a termination: one service_termination
// on the account and, when hosting ends, one content_disabled per hosted
// object of the account (its whole URL prefix: the edge answers 451 for
// everything the account stored).
func (a *Activities) terminationMitigations(tx *gorm.DB, in TerminateInput, objs []models.HostedObject) error {
	ctx := tx.Statement.Context
	now := a.now()
	base := models.Mitigation{CaseID: in.ReviewID, AccountID: in.AccountID, Status: models.MitigationActive,
		EffectiveDate: now, StatementID: "termination:" + in.ReviewID, UpdatedBy: actorOr(in.Analyst)}
	m := base
	m.Step = "termination:" + in.Service
	m.ID, m.Type = models.MitigationID(in.ReviewID, m.Step), models.MitigationServiceTermination
	m.EntityType, m.EntityID = models.EntityAccount, in.AccountID
	m.Reason = "service terminated: " + in.Service + " (" + in.Kind + ")"
	if _, _, err := store.CreateMitigation(ctx, tx, m, nil); err != nil {
		return err
	}
	for _, o := range objs {
		d := base
		entity := strings.TrimSuffix(urlnorm.Prefix(o.URLPrefix), models.PrefixMark) + models.PrefixMark
		d.Step = "termination:" + models.MitigationStep(models.MitigationContentDisabled, entity)
		d.ID, d.Type, d.Domain = models.MitigationID(in.ReviewID, d.Step), models.MitigationContentDisabled, o.Domain
		d.EntityType, d.EntityID = models.EntityURLPattern, entity
		d.Reason = "account terminated: its hosted content is disabled"
		if _, _, err := store.CreateMitigation(ctx, tx, d, nil); err != nil {
			return err
		}
	}
	return nil
}
