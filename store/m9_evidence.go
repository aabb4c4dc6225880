package store

import (
	"time"

	"gorm.io/gorm"
)

// evidenceV9 is the evidence table as intake.Evidence defines it: the raw
// message a report arrived in. A copy of its schema, not the model itself,
// because intake imports store; TestMigrationsMatchModels keeps the two
// identical.
type evidenceV9 struct {
	ID        uint   `gorm:"primaryKey"`
	CaseID    string `gorm:"not null;index"`
	KeyHash   string `gorm:"not null;uniqueIndex"`
	Source    string
	Format    string
	Size      int64
	SHA256    string
	Raw       []byte
	Truncated bool
	ErasedAt  *time.Time
	CreatedAt time.Time
}

func (evidenceV9) TableName() string { return "evidence" }

// migrateEvidence creates the table of raw report messages (email and
// X-ARF intake). Before version 9 it was created by an AutoMigrate at every
// start, so on such a database it finds the table and changes nothing.
func migrateEvidence(tx *gorm.DB) error {
	return tx.AutoMigrate(&evidenceV9{})
}
