// Package audit is abusedesk's tamper-evident audit log.
//
// Every decision, notice, restriction, restoration, strike, termination,
// customer-record change and token or key use that changes a case is
// appended as an Entry in the same database transaction as the change it
// records (see Append). Entries are the leaves of an RFC 6962 Merkle tree
// computed with github.com/transparency-dev/merkle; the Log signs
// checkpoints (tree size and root hash) as signed notes
// (golang.org/x/mod/sumdb/note) with an Ed25519 key, so an auditor holding
// only the public key can check inclusion and consistency proofs.
//
// Entries carry ids and digests, never reporter personal data, so erasing a
// closed case's personal data never touches the log.
package audit

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Entry is one leaf of the audit log. Seq is the 0-based leaf index,
// assigned densely by Append. LeafHash is stored so proofs need not rehash
// every entry; Verify recomputes it from the other fields and compares.
type Entry struct {
	Seq           int64     `gorm:"primaryKey;autoIncrement:false;index:idx_audit_entries_case,priority:2" json:"leaf_index"`
	Time          time.Time `gorm:"not null" json:"time"`
	Actor         string    `gorm:"not null" json:"actor"`
	CaseID        string    `gorm:"not null;index:idx_audit_entries_case,priority:1" json:"case_id"`
	Kind          string    `gorm:"not null" json:"kind"`
	DedupKey      string    `gorm:"not null;uniqueIndex" json:"dedup_key"`
	DetailsDigest string    `gorm:"not null" json:"details_digest"`
	LeafHash      string    `gorm:"not null" json:"leaf_hash"`
}

// TableName keeps the table name stable whatever GORM's naming strategy.
func (Entry) TableName() string { return "audit_entries" }

// Head is the single row (ID 1) that serialises appends: Append locks it,
// takes Size as the next sequence number and extends Frontier, the compact
// range of the tree [0, Size) (its perfect-subtree hashes, 32 bytes each,
// left to right). It lets Checkpoint sign the current root without reading
// every leaf.
type Head struct {
	ID        int   `gorm:"primaryKey;autoIncrement:false"`
	Size      int64 `gorm:"not null"`
	Frontier  []byte
	UpdatedAt time.Time
}

// TableName keeps the table name stable whatever GORM's naming strategy.
func (Head) TableName() string { return "audit_head" }

// StoredCheckpoint is a checkpoint the log has signed. Verify checks every
// stored checkpoint's signature and root against the recomputed tree, so a
// rewrite of history is caught even when the rewriter also fixed the
// stored leaf hashes.
type StoredCheckpoint struct {
	ID        uint      `gorm:"primaryKey"`
	Size      int64     `gorm:"not null;uniqueIndex"`
	Root      string    `gorm:"not null"` // hex
	Note      string    `gorm:"not null"` // the signed note, as served
	CreatedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name stable whatever GORM's naming strategy.
func (StoredCheckpoint) TableName() string { return "audit_checkpoints" }

// headID is the primary key of the one Head row.
const headID = 1

// Migrate creates the audit tables and the Head row. It is idempotent.
func Migrate(db *gorm.DB) error {
	if err := db.AutoMigrate(&Entry{}, &Head{}, &StoredCheckpoint{}); err != nil {
		return fmt.Errorf("audit: migrate: %w", err)
	}
	err := db.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&Head{ID: headID, UpdatedAt: time.Now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("audit: create head: %w", err)
	}
	return nil
}
