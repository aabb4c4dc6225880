package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// sessionSecretLen is the length of a session cookie's value: 32 random
// bytes, base64url without padding.
const sessionSecretLen = 43

// sessionID is the stored form of a session secret.
func sessionID(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateSession starts a console session for an API key and returns the
// secret the cookie carries; only its hash is stored. Sessions expired for
// a day are purged on the way.
func CreateSession(db *gorm.DB, keyHash, keyName string, now time.Time, lifetime time.Duration) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	secret := base64.RawURLEncoding.EncodeToString(b)
	now = now.UTC()
	s := models.ConsoleSession{ID: sessionID(secret), KeyHash: keyHash, KeyName: keyName, CreatedAt: now, ExpiresAt: now.Add(lifetime)}
	if err := db.Create(&s).Error; err != nil {
		return "", err
	}
	if err := db.Where("expires_at < ?", now.Add(-24*time.Hour)).Delete(&models.ConsoleSession{}).Error; err != nil {
		return "", err
	}
	return secret, nil
}

// FindSession returns the live session of a cookie's secret: it exists, is
// not revoked and has not expired. A malformed secret costs no query.
func FindSession(db *gorm.DB, secret string, now time.Time) (models.ConsoleSession, bool, error) {
	var s models.ConsoleSession
	if len(secret) != sessionSecretLen {
		return s, false, nil
	}
	if _, err := base64.RawURLEncoding.DecodeString(secret); err != nil {
		return s, false, nil
	}
	err := db.Where("id = ? AND revoked_at IS NULL AND expires_at > ?", sessionID(secret), now.UTC()).Take(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return s, false, nil
	}
	return s, err == nil, err
}

// RevokeSession ends the session of a cookie's secret (a sign-out).
func RevokeSession(db *gorm.DB, secret string, now time.Time) error {
	if len(secret) != sessionSecretLen {
		return nil
	}
	return db.Model(&models.ConsoleSession{}).Where("id = ? AND revoked_at IS NULL", sessionID(secret)).
		Update("revoked_at", now.UTC()).Error
}

// RevokeKeySessions ends every live session of the API keys with these
// hashes and returns how many it ended.
func RevokeKeySessions(db *gorm.DB, keyHashes []string, now time.Time) (int64, error) {
	if len(keyHashes) == 0 {
		return 0, nil
	}
	res := db.Model(&models.ConsoleSession{}).Where("key_hash IN ? AND revoked_at IS NULL AND expires_at > ?", keyHashes, now.UTC()).
		Update("revoked_at", now.UTC())
	return res.RowsAffected, res.Error
}
