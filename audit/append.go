package audit

import (
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// NewEntry is what a caller records. Actor names who acted without personal
// data ("analyst:<key id>", "operator:<notice id>", "system"); CaseID may be
// empty for changes that belong to no case (a customer record). DedupKey
// identifies the change itself, typically "<case id>/<step>" — the same key
// an activity uses for its idempotent write — so a retried activity appends
// nothing new. Details is digested (see DetailsDigest), never stored; it must
// not hold reporter personal data either, so that the digest cannot be
// brute-forced back to it.
type NewEntry struct {
	Actor    string
	CaseID   string
	Kind     string
	DedupKey string
	Details  any
}

// ErrNotInTransaction is returned by Append when tx is not a transaction:
// the entry must commit or roll back with the change it records, and the
// head lock must be held until then.
var ErrNotInTransaction = errors.New("audit: Append must run inside a database transaction")

// Append records e in the caller's transaction tx and returns its sequence
// number (its leaf index). If an entry with e.DedupKey exists, Append returns
// that entry's sequence number and writes nothing, so a retried activity
// appends exactly once.
//
// Append locks the audit head row until tx ends (a row lock on PostgreSQL,
// the single writer lock on SQLite), so appends from any number of
// processes are serialised: no two entries share a sequence number and a
// rolled-back transaction leaves no gap. Call it as the last statement of the
// transaction, to hold that lock briefly; on SQLite the caller's transaction
// should start with a write (or be BEGIN IMMEDIATE) so that it does not fail
// with SQLITE_BUSY when another writer got there first. A failed Append
// leaves tx unusable on PostgreSQL: roll back and retry the whole transaction.
func Append(tx *gorm.DB, e NewEntry) (int64, error) {
	if e.Actor == "" || e.Kind == "" || e.DedupKey == "" {
		return 0, errors.New("audit: entry needs an actor, a kind and a dedup key")
	}
	if _, ok := tx.Statement.ConnPool.(gorm.TxCommitter); !ok {
		return 0, ErrNotInTransaction
	}
	digest, err := DetailsDigest(e.Details)
	if err != nil {
		return 0, err
	}
	tx = tx.Session(&gorm.Session{NewDB: true})

	head, err := lockHead(tx)
	if err != nil {
		return 0, err
	}
	var existing []int64
	if err := tx.Model(&Entry{}).Where("dedup_key = ?", e.DedupKey).Limit(1).
		Pluck("seq", &existing).Error; err != nil {
		return 0, fmt.Errorf("audit: look up dedup key: %w", err)
	}
	if len(existing) > 0 {
		return existing[0], nil
	}

	entry := Entry{
		Seq: head.Size,
		// PostgreSQL keeps microseconds; truncating first makes the time
		// read back equal to the time hashed.
		Time:          time.Now().UTC().Truncate(time.Microsecond),
		Actor:         e.Actor,
		CaseID:        e.CaseID,
		Kind:          e.Kind,
		DedupKey:      e.DedupKey,
		DetailsDigest: digest,
	}
	leaf := entry.ComputeLeafHash()
	entry.LeafHash = hex.EncodeToString(leaf)

	frontier, err := splitFrontier(head.Frontier)
	if err != nil {
		return 0, err
	}
	r, err := rangeFactory.NewRange(0, uint64(head.Size), frontier)
	if err != nil {
		return 0, fmt.Errorf("audit: head frontier: %w", err)
	}
	if err := r.Append(leaf, nil); err != nil {
		return 0, fmt.Errorf("audit: extend tree: %w", err)
	}

	if err := tx.Create(&entry).Error; err != nil {
		return 0, fmt.Errorf("audit: insert entry %d: %w", entry.Seq, err)
	}
	// The size condition is a second guard against two writers taking the
	// same sequence number on a database whose locking we misjudged.
	res := tx.Model(&Head{}).Where("id = ? AND size = ?", headID, head.Size).
		Updates(map[string]any{
			"size":       head.Size + 1,
			"frontier":   joinFrontier(r.Hashes()),
			"updated_at": entry.Time,
		})
	if res.Error != nil {
		return 0, fmt.Errorf("audit: advance head: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return 0, fmt.Errorf("audit: head moved past %d during append", head.Size)
	}
	return entry.Seq, nil
}

// lockHead reads the Head row and holds a write lock on it until the
// transaction ends. The lock is taken by a no-op UPDATE, which locks the row
// on PostgreSQL (and any row-locking database) and takes SQLite's single
// writer lock, whatever clause builders the *gorm.DB was opened with; in READ
// COMMITTED the SELECT that follows then sees every committed append.
func lockHead(tx *gorm.DB) (Head, error) {
	res := tx.Exec("UPDATE audit_head SET size = size WHERE id = ?", headID)
	if res.Error != nil {
		return Head{}, fmt.Errorf("audit: lock head: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return Head{}, errors.New("audit: no head row; run audit.Migrate")
	}
	var head Head
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("id = ?", headID).Take(&head).Error; err != nil {
		return Head{}, fmt.Errorf("audit: read head: %w", err)
	}
	return head, nil
}
