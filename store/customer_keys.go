package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// ErrKeyExists: an issued key of that name exists (revoked or not).
var ErrKeyExists = errors.New("an API key of that name exists")

// IssueKey stores an issued key (its hash); ErrKeyExists when the name is
// taken. afterWrite, when not nil, runs in the same transaction.
func IssueKey(ctx context.Context, db *gorm.DB, k models.IssuedKey, afterWrite func(tx *gorm.DB) error) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.IssuedKey{}).Where("name = ?", k.Name).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrKeyExists
		}
		if err := tx.Create(&k).Error; err != nil {
			return err
		}
		if afterWrite != nil {
			return afterWrite(tx)
		}
		return nil
	})
}

// RevokeKey revokes the issued key name; gorm.ErrRecordNotFound when no
// unrevoked key has it.
func RevokeKey(ctx context.Context, db *gorm.DB, name string, at time.Time, afterWrite func(tx *gorm.DB, k models.IssuedKey) error) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var k models.IssuedKey
		if err := tx.Take(&k, "name = ? AND revoked_at IS NULL", name).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.IssuedKey{}).Where("name = ?", name).Update("revoked_at", at).Error; err != nil {
			return err
		}
		if afterWrite != nil {
			return afterWrite(tx, k)
		}
		return nil
	})
}

// IssuedKeyByHash finds an unrevoked issued key by the SHA-256 of the key.
func IssuedKeyByHash(ctx context.Context, db *gorm.DB, hash string) (models.IssuedKey, bool, error) {
	var k models.IssuedKey
	err := db.WithContext(ctx).Take(&k, "hash = ? AND revoked_at IS NULL", hash).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return k, false, nil
	}
	return k, err == nil, err
}
