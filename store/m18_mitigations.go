package store

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/internal/urlnorm"
	"github.com/abusedesk/abusedesk/models"
)

// migrateMitigations creates the mitigations and their status changes
// (issue 17; docs/DESIGN.md "Mitigations"), then turns every block the
// edge still enforced into the mitigation the edge reads from now on
// (migrateBlocks).
func migrateMitigations(tx *gorm.DB) error {
	if err := tx.Migrator().CreateTable(&models.Mitigation{}, &models.MitigationEvent{}); err != nil {
		return err
	}
	return migrateBlocks(tx)
}

// MigratedBlockID is the deterministic mitigation ID of the block of an
// object converted by migration 18.
func MigratedBlockID(objectID string) string {
	sum := sha256.Sum256([]byte(objectID))
	return "blk-" + hex.EncodeToString(sum[:16])
}

// migrateBlocks converts every block row (a lifted block has no row: a
// restore deletes it) into an active mitigation of what it actually
// covered, the object's whole URL prefix: content_removed for a removal,
// content_disabled otherwise, entity url_pattern "<url_prefix>*". A
// disable whose case closed because the operator removed the content
// (outcome content_removed) is converted as already ended (status
// removed): that block was the one that stayed 451 forever.
func migrateBlocks(tx *gorm.DB) error {
	var blocks []models.Block
	if err := tx.Order("object_id").Find(&blocks).Error; err != nil {
		return err
	}
	for _, b := range blocks {
		m := models.Mitigation{ID: MigratedBlockID(b.ObjectID), CaseID: b.CaseID, Step: "migrated-block:" + b.ObjectID,
			Domain: b.Domain, Type: models.MitigationContentDisabled, EntityType: models.EntityURLPattern,
			EntityID: urlnorm.Prefix(b.URLPrefix) + models.PrefixMark, Status: models.MitigationActive,
			EffectiveDate: b.CreatedAt, Reason: b.Reason, UpdatedBy: "migration 18"}
		if b.Removed {
			m.Type = models.MitigationContentRemoved
		}
		var obj models.HostedObject
		if err := tx.Where("object_id = ?", b.ObjectID).Limit(1).Find(&obj).Error; err != nil {
			return err
		}
		m.AccountID = obj.AccountID
		var cs models.Case
		if err := tx.Select("id", "outcome", "closed_at").Where("id = ?", b.CaseID).Limit(1).Find(&cs).Error; err != nil {
			return err
		}
		if !b.Removed && cs.Outcome == models.OutcomeContentRemoved {
			m.Status, m.EndedAt = models.MitigationRemoved, cs.ClosedAt
		}
		if strings.TrimSpace(b.URLPrefix) == "" {
			continue // nothing it could have matched
		}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
	}
	return nil
}
