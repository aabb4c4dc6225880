package activities

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/internal/urlnorm"
	"github.com/abusedesk/abusedesk/models"
)

// HostingControl disables, restores and removes hosted objects. The
// built-in DBHosting keeps the blocks in the database and the server serves
// them to edge nodes (GET /v1/blocklist, GET /edge/...).
type HostingControl interface {
	Disable(tx *gorm.DB, obj models.HostedObject, caseID, noticeID, reason string) error
	Restore(tx *gorm.DB, objectID string) error
	Remove(tx *gorm.DB, obj models.HostedObject, caseID, reason string) error
}

// DBHosting is the built-in HostingControl.
type DBHosting struct{}

// Disable blocks an object (idempotent). The block keeps the object's URL
// prefix in normal form (internal/urlnorm), the form the edge matches in.
func (DBHosting) Disable(tx *gorm.DB, o models.HostedObject, caseID, noticeID, reason string) error {
	b := models.Block{ObjectID: o.ObjectID, Domain: o.Domain, URLPrefix: urlnorm.Prefix(o.URLPrefix), CaseID: caseID, NoticeID: noticeID, Reason: reason}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&b).Error
}

// Restore unblocks an object unless it was removed for good.
func (DBHosting) Restore(tx *gorm.DB, objectID string) error {
	return tx.Where("object_id = ? AND removed = ?", objectID, false).Delete(&models.Block{}).Error
}

// Remove marks an object removed permanently.
func (DBHosting) Remove(tx *gorm.DB, o models.HostedObject, caseID, reason string) error {
	b := models.Block{ObjectID: o.ObjectID, Domain: o.Domain, URLPrefix: urlnorm.Prefix(o.URLPrefix), CaseID: caseID, Reason: reason, Removed: true}
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "object_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"removed", "reason", "url_prefix"})}).Create(&b).Error
}

// DisableObjects disables access to the case's hosted objects.
func (a *Activities) DisableObjects(ctx context.Context, in ObjectsInput) error {
	err := a.eachObject(ctx, in, "restriction", func(tx *gorm.DB, o models.HostedObject) error {
		var noticeID string
		tx.Model(&models.Notice{}).Where("case_id = ? AND recipient_role = ?", in.CaseID, models.RoleOperator).
			Order("created_at desc").Limit(1).Pluck("id", &noticeID)
		return a.Hosting.Disable(tx, o, in.CaseID, noticeID, in.Reason)
	})
	return a.thenCSAM(ctx, in, err)
}

// thenCSAM records the CSAM path's mitigations after its restriction
// (csamMitigations); other steps' mitigations are the workflow's.
func (a *Activities) thenCSAM(ctx context.Context, in ObjectsInput, err error) error {
	if err != nil || !csamStep(in.Step) {
		return err
	}
	return a.csamMitigations(ctx, in)
}

// RestoreObjects restores access to the case's hosted objects.
func (a *Activities) RestoreObjects(ctx context.Context, in ObjectsInput) error {
	err := a.eachObject(ctx, in, "restoration", func(tx *gorm.DB, o models.HostedObject) error {
		return a.Hosting.Restore(tx, o.ObjectID)
	})
	return a.thenCSAM(ctx, in, err)
}

// RemoveObjects removes the case's hosted objects permanently.
func (a *Activities) RemoveObjects(ctx context.Context, in ObjectsInput) error {
	err := a.eachObject(ctx, in, "removal", func(tx *gorm.DB, o models.HostedObject) error {
		return a.Hosting.Remove(tx, o, in.CaseID, in.Reason)
	})
	return a.thenCSAM(ctx, in, err)
}

func (a *Activities) eachObject(ctx context.Context, in ObjectsInput, kind string, fn func(*gorm.DB, models.HostedObject) error) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, id := range in.ObjectIDs {
			var o models.HostedObject
			if err := tx.First(&o, "object_id = ?", id).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					continue
				}
				return err
			}
			if err := fn(tx, o); err != nil {
				return err
			}
			if err := a.journal(tx, "system", in.CaseID, kind, kind+":"+in.CaseID+":"+in.Step+":"+id,
				map[string]any{"object_id": id, "reason": in.Reason}); err != nil {
				return err
			}
		}
		return nil
	})
}
