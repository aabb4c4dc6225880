package store

import (
	"time"

	"gorm.io/gorm"
)

// Submission binds a deduplication key to the request it was first used
// with (issue 13, holes 1-2). KeyHash is the SHA-256 of the key in its
// scope: an Idempotency-Key, a report's own id with the digest of its
// document, or a report's own id with its authenticated sender. Digest is
// the SHA-256 of the canonical request, so that a key sent again with
// another request is never answered with the first request's case.
type Submission struct {
	KeyHash   string `gorm:"primaryKey;size:64"`
	CaseID    string `gorm:"not null;index;size:64"`
	Digest    string `gorm:"not null;size:64"`
	CreatedAt time.Time
}

// TableName is the submissions table.
func (Submission) TableName() string { return "submissions" }

// migrateSubmissions creates the table of submission digests for
// Idempotency-Key and X-ARF duplicates (issue 13, holes 1-2). Keys stored
// on cases before it (cases.idempotency_key) have no digest: intake refuses
// such a key sent again rather than guess that the request is the same.
func migrateSubmissions(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&Submission{})
}
