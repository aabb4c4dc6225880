package store

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// migrateContentHash adds the content hash of hosted objects and its index
// (identical copies of reported ncsei content). A database made after the
// field was added has it from version 1.
func migrateContentHash(tx *gorm.DB) error {
	m := tx.Migrator()
	if !m.HasColumn(&models.HostedObject{}, "ContentHash") {
		if err := m.AddColumn(&models.HostedObject{}, "ContentHash"); err != nil {
			return err
		}
	}
	if !m.HasIndex(&models.HostedObject{}, "ContentHash") {
		return m.CreateIndex(&models.HostedObject{}, "ContentHash")
	}
	return nil
}

// MaxIdenticalCopies bounds one lookup of identical copies.
const MaxIdenticalCopies = 1000

// IdenticalCopies lists the hosted objects, of any account, whose content
// hash is one of those of the objects named (objects without a hash have
// no copies), the named objects themselves left out, by object ID, at most
// limit (MaxIdenticalCopies when limit is not positive). An object blocked
// for another case is left to that case.
func IdenticalCopies(ctx context.Context, db *gorm.DB, caseID string, objectIDs []string, limit int) ([]models.HostedObject, error) {
	if limit <= 0 || limit > MaxIdenticalCopies {
		limit = MaxIdenticalCopies
	}
	if len(objectIDs) == 0 {
		return nil, nil
	}
	db = db.WithContext(ctx)
	hashes := db.Model(&models.HostedObject{}).Select("content_hash").
		Where("object_id IN ? AND content_hash <> ''", objectIDs)
	others := db.Model(&models.Block{}).Select("object_id").Where("case_id <> ?", caseID)
	var out []models.HostedObject
	err := db.Where("content_hash IN (?) AND object_id NOT IN ? AND object_id NOT IN (?)", hashes, objectIDs, others).
		Order("object_id").Limit(limit).Find(&out).Error
	return out, err
}

// validContentHash: empty (no hash known) or 64 hex digits.
func validContentHash(h string) bool {
	if h == "" {
		return true
	}
	if len(h) != 64 {
		return false
	}
	for _, r := range h {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}
