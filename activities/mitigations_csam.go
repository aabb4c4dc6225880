package activities

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// csamStep reports whether an objects activity's step belongs to the CSAM
// path (workflows/route.go "disable-csam", workflows/hosted.go
// "restore-csam" and "remove-csam").
func csamStep(step string) bool { return strings.HasSuffix(step, "-csam") }

// csamMitigations keeps the CSAM path's restrictions as mitigation records
// (docs/DESIGN.md "Mitigations"), which the edge serves: hosted CSAM is
// disabled on receipt, before any decision, and never through a
// Mitigation workflow (there is nothing for a customer to appeal), so the
// records are written here, by the activity that restricts. Every write is
// idempotent per case and step, so a retried activity writes once.
func (a *Activities) csamMitigations(ctx context.Context, in ObjectsInput) error {
	db := a.DB.WithContext(ctx)
	switch {
	case strings.HasPrefix(in.Step, "disable"):
		return a.csamApply(ctx, db, in, models.MitigationContentDisabled)
	case strings.HasPrefix(in.Step, "restore"):
		return a.csamEnd(ctx, db, in, "")
	case strings.HasPrefix(in.Step, "remove"):
		if err := a.csamEnd(ctx, db, in, models.MitigationContentDisabled); err != nil {
			return err
		}
		return a.csamApply(ctx, db, in, models.MitigationContentRemoved)
	}
	return nil
}

// csamApply records one active mitigation of type typ per reported URL
// under the case's objects.
func (a *Activities) csamApply(ctx context.Context, db *gorm.DB, in ObjectsInput, typ models.MitigationType) error {
	var objects []models.HostedObject
	if err := db.Where("object_id IN ?", in.ObjectIDs).Find(&objects).Error; err != nil {
		return err
	}
	var urls []string
	if err := db.Model(&models.CaseURL{}).Where("case_id = ?", in.CaseID).Order("seq").Pluck("url", &urls).Error; err != nil {
		return err
	}
	var acct string
	for _, o := range objects {
		acct = o.AccountID
	}
	for _, cov := range models.CoveredEntities(objects, urls, "") {
		step := "csam:" + models.MitigationStep(typ, cov.EntityID)
		m := models.Mitigation{
			ID: models.MitigationID(in.CaseID, step), CaseID: in.CaseID, Step: step, AccountID: acct,
			Domain: cov.Domain, Type: typ, EntityType: models.EntityURLPattern, EntityID: cov.EntityID,
			Status: models.MitigationActive, EffectiveDate: a.now(),
			StatementID: "restriction:" + in.CaseID + ":" + in.Step + ":" + cov.ObjectID,
			Reason:      "CSAM: access disabled on receipt (" + in.Reason + ")", UpdatedBy: "system",
		}
		if typ == models.MitigationContentRemoved {
			m.StatementID = "removal:" + in.CaseID + ":" + in.Step + ":" + cov.ObjectID
			m.Reason = "CSAM: content removed (" + in.Reason + ")"
		}
		if _, _, err := store.CreateMitigation(ctx, db, m, nil); err != nil {
			return err
		}
	}
	return nil
}

// csamEnd ends the case's CSAM mitigations (of type only, when given).
func (a *Activities) csamEnd(ctx context.Context, db *gorm.DB, in ObjectsInput, only models.MitigationType) error {
	ms, err := store.CaseMitigations(ctx, db, in.CaseID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if !strings.HasPrefix(m.Step, "csam:") || m.Status.Ended() || (only != "" && m.Type != only) {
			continue
		}
		_, _, err := store.ChangeMitigation(ctx, db, store.MitigationChange{ID: m.ID, Kind: models.MitigationEventStatus,
			To: models.MitigationRemoved, Actor: "system", Reason: in.Step + ": " + in.Reason, At: a.now()}, nil)
		if err != nil && !errors.Is(err, store.ErrMitigationEnded) {
			return err
		}
	}
	return nil
}
