package audit

import (
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
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

// ErrNotInTransaction is returned by Append and AppendMany when tx is not a
// transaction: the entries must commit or roll back with the change they
// record, and the head lock must be held until then.
var ErrNotInTransaction = errors.New("audit: Append must run inside a database transaction")

// maxAppendChunk bounds the dedup keys one lookup names and the entries one
// INSERT holds, well inside every driver's limit on bound parameters.
const maxAppendChunk = 500

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
	seqs, err := AppendMany(tx, []NewEntry{e})
	if err != nil {
		return 0, err
	}
	return seqs[0], nil
}

// AppendMany records es in order, as Append does for each, and returns
// their sequence numbers in the same order; it takes the head lock once,
// so a transaction that records several changes holds it for five
// statements whatever their number (the lock, the head, one dedup lookup,
// one insert, the head's update). An entry whose DedupKey is already in
// the log gets that entry's sequence number and writes nothing; a key
// repeated within es is recorded once, by its first entry, and the later
// ones get that sequence number. Append's rules about the transaction
// apply.
func AppendMany(tx *gorm.DB, es []NewEntry) ([]int64, error) {
	digests := make([]string, len(es))
	for i, e := range es {
		if e.Actor == "" || e.Kind == "" || e.DedupKey == "" {
			return nil, fmt.Errorf("audit: entry %d of %d needs an actor, a kind and a dedup key", i+1, len(es))
		}
		d, err := DetailsDigest(e.Details)
		if err != nil {
			return nil, err
		}
		digests[i] = d
	}
	if _, ok := tx.Statement.ConnPool.(gorm.TxCommitter); !ok {
		return nil, ErrNotInTransaction
	}
	if len(es) == 0 {
		return []int64{}, nil
	}
	tx = tx.Session(&gorm.Session{NewDB: true})

	head, err := lockHead(tx)
	if err != nil {
		return nil, err
	}
	seqOf, err := existingSeqs(tx, es)
	if err != nil {
		return nil, err
	}
	frontier, err := splitFrontier(head.Frontier)
	if err != nil {
		return nil, err
	}
	r, err := rangeFactory.NewRange(0, uint64(head.Size), frontier)
	if err != nil {
		return nil, fmt.Errorf("audit: head frontier: %w", err)
	}
	// PostgreSQL keeps microseconds; truncating first makes the time read
	// back equal to the time hashed.
	now := time.Now().UTC().Truncate(time.Microsecond)
	seqs := make([]int64, len(es))
	var fresh []Entry
	for i, e := range es {
		if seq, ok := seqOf[e.DedupKey]; ok {
			seqs[i] = seq
			continue
		}
		entry := Entry{Seq: head.Size + int64(len(fresh)), Time: now, Actor: e.Actor, CaseID: e.CaseID,
			Kind: e.Kind, DedupKey: e.DedupKey, DetailsDigest: digests[i]}
		leaf := entry.ComputeLeafHash()
		entry.LeafHash = hex.EncodeToString(leaf)
		if err := r.Append(leaf, nil); err != nil {
			return nil, fmt.Errorf("audit: extend tree: %w", err)
		}
		fresh = append(fresh, entry)
		seqOf[e.DedupKey] = entry.Seq
		seqs[i] = entry.Seq
	}
	if len(fresh) == 0 {
		return seqs, nil
	}
	if err := insertEntries(tx, fresh); err != nil {
		return nil, err
	}
	// The size condition is a second guard against two writers taking the
	// same sequence number on a database whose locking we misjudged.
	res := tx.Model(&Head{}).Where("id = ? AND size = ?", headID, head.Size).
		Updates(map[string]any{
			"size":       head.Size + int64(len(fresh)),
			"frontier":   joinFrontier(r.Hashes()),
			"updated_at": now,
		})
	if res.Error != nil {
		return nil, fmt.Errorf("audit: advance head: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return nil, fmt.Errorf("audit: head moved past %d during append", head.Size)
	}
	return seqs, nil
}

// existingSeqs looks up which of the entries' dedup keys the log holds
// already, in one query per maxAppendChunk distinct keys, and returns their
// sequence numbers by key.
func existingSeqs(tx *gorm.DB, es []NewEntry) (map[string]int64, error) {
	var keys []string
	seen := make(map[string]bool, len(es))
	for _, e := range es {
		if !seen[e.DedupKey] {
			seen[e.DedupKey] = true
			keys = append(keys, e.DedupKey)
		}
	}
	seqOf := make(map[string]int64, len(keys))
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), maxAppendChunk)]
		keys = keys[len(chunk):]
		var rows []struct {
			Seq      int64
			DedupKey string
		}
		if err := tx.Model(&Entry{}).Select("seq", "dedup_key").Where("dedup_key IN ?", chunk).
			Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("audit: look up dedup keys: %w", err)
		}
		for _, row := range rows {
			seqOf[row.DedupKey] = row.Seq
		}
	}
	return seqOf, nil
}

// insertEntries inserts new entries, maxAppendChunk to a statement.
func insertEntries(tx *gorm.DB, es []Entry) error {
	for len(es) > 0 {
		chunk := es[:min(len(es), maxAppendChunk)]
		es = es[len(chunk):]
		if err := tx.Create(&chunk).Error; err != nil {
			return fmt.Errorf("audit: insert entries %d to %d: %w", chunk[0].Seq, chunk[len(chunk)-1].Seq, err)
		}
	}
	return nil
}

// lockHead reads the Head row and holds a write lock on it until the
// transaction ends, in one statement: a no-op UPDATE, which locks the row
// on PostgreSQL (and any row-locking database) and takes SQLite's single
// writer lock, whatever clause builders the *gorm.DB was opened with, and
// returns the row. In READ COMMITTED an UPDATE that waited for another
// append's lock re-reads the row that append committed, so RETURNING gives
// the latest head (PostgreSQL; SQLite has one writer).
func lockHead(tx *gorm.DB) (Head, error) {
	var heads []Head
	res := tx.Raw("UPDATE audit_head SET size = size WHERE id = ? RETURNING id, size, frontier, updated_at", headID).Scan(&heads)
	if res.Error != nil {
		return Head{}, fmt.Errorf("audit: lock head: %w", res.Error)
	}
	if len(heads) != 1 {
		return Head{}, errors.New("audit: no head row; run audit.Migrate")
	}
	return heads[0], nil
}
