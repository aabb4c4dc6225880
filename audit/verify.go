package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"

	"github.com/transparency-dev/merkle/proof"
)

// VerifyReport is the outcome of Verify. Problems lists what failed, the
// first mismatching entry first; OK is true only when there are none.
type VerifyReport struct {
	OK   bool   `json:"ok"`
	Size uint64 `json:"size"`
	Root []byte `json:"root"`
	// FirstBadEntry is the sequence number of the first entry whose stored
	// fields or leaf hash do not match, or that is missing; -1 if none.
	FirstBadEntry      int64    `json:"first_bad_entry"`
	CheckpointsChecked int      `json:"checkpoints_checked"`
	KeptCheckpointSize *uint64  `json:"kept_checkpoint_size,omitempty"`
	Problems           []string `json:"problems"`
}

// fail records a problem.
func (r *VerifyReport) fail(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Verify recomputes the whole tree from the entries' fields and checks that
// sequence numbers are dense, that every stored leaf hash equals the one
// recomputed, that the audit head and every stored checkpoint (signature and
// root) agree with the recomputed tree, and, when kept is not empty, that
// kept (a checkpoint an auditor saved earlier) is signed by the log's key,
// that its root is the recomputed root at its size and that the current tree
// is consistent with it. Failures go into the report; the error is only for
// failing to read the database.
func (l *Log) Verify(ctx context.Context, kept []byte) (VerifyReport, error) {
	rep := VerifyReport{FirstBadEntry: -1, Problems: []string{}}
	if l.Verifier == nil {
		return rep, errors.New("audit: log has no verifier")
	}
	var stored []StoredCheckpoint
	if err := l.DB.WithContext(ctx).Order("size").Find(&stored).Error; err != nil {
		return rep, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	var keptBody *CheckpointBody
	var keptErr error
	if len(kept) > 0 {
		b, err := OpenCheckpoint(l.Verifier, kept)
		if err != nil {
			keptErr = err
		} else {
			keptBody = &b
			rep.KeptCheckpointSize = &b.Size
		}
	}

	t, err := l.recompute(ctx, &rep)
	if err != nil {
		return rep, err
	}
	n := t.size()
	rep.Size = n
	if rep.Root, err = t.root(n); err != nil {
		return rep, err
	}
	if err := l.checkHead(ctx, &rep); err != nil {
		return rep, err
	}
	l.checkStored(t, stored, &rep)
	switch {
	case keptErr != nil:
		rep.fail("kept checkpoint: %s", hexErr(keptErr))
	case keptBody != nil:
		checkKept(t, *keptBody, rep.Root, &rep)
	}
	rep.OK = len(rep.Problems) == 0
	return rep, nil
}

// recompute reads every entry in order and rebuilds the leaf hashes from
// their fields, stopping at the first gap in the sequence.
func (l *Log) recompute(ctx context.Context, rep *VerifyReport) (*leafTree, error) {
	t := &leafTree{}
	for next := int64(0); ; {
		var batch []Entry
		err := l.DB.WithContext(ctx).Where("seq >= ?", next).Order("seq").Limit(loadBatch).Find(&batch).Error
		if err != nil {
			return nil, fmt.Errorf("audit: read entries: %w", err)
		}
		if len(batch) == 0 {
			return t, nil
		}
		for _, e := range batch {
			if e.Seq != next {
				rep.fail("entry %d: missing (the next stored entry is %d)", next, e.Seq)
				if rep.FirstBadEntry < 0 {
					rep.FirstBadEntry = next
				}
				return t, nil
			}
			leaf := e.ComputeLeafHash()
			if e.LeafHash != hex.EncodeToString(leaf) {
				rep.fail("entry %d (kind %q, case %s): leaf hash mismatch: stored %s, recomputed from its fields %x",
					e.Seq, e.Kind, e.CaseID, e.LeafHash, leaf)
				if rep.FirstBadEntry < 0 {
					rep.FirstBadEntry = e.Seq
				}
			}
			t.add(leaf)
			next++
		}
	}
}

// checkHead compares the audit head with the recomputed tree.
func (l *Log) checkHead(ctx context.Context, rep *VerifyReport) error {
	var head Head
	if err := l.DB.WithContext(ctx).Where("id = ?", headID).Take(&head).Error; err != nil {
		return fmt.Errorf("audit: read head: %w", err)
	}
	if uint64(head.Size) != rep.Size {
		rep.fail("audit head: size %d but %d dense entries", head.Size, rep.Size)
		return nil
	}
	frontier, err := splitFrontier(head.Frontier)
	if err == nil {
		r, rerr := rangeFactory.NewRange(0, uint64(head.Size), frontier)
		if err = rerr; err == nil {
			var root []byte
			if root, err = rootOfRange(r); err == nil && !bytes.Equal(root, rep.Root) {
				err = fmt.Errorf("root %x differs from recomputed root %x", root, rep.Root)
			}
		}
	}
	if err != nil {
		rep.fail("audit head: %v", err)
	}
	return nil
}

// checkStored checks every stored checkpoint's signature and root. When a
// root differs, the altered entry lies after the last matching checkpoint.
func (l *Log) checkStored(t *leafTree, stored []StoredCheckpoint, rep *VerifyReport) {
	sort.Slice(stored, func(i, j int) bool { return stored[i].Size < stored[j].Size })
	goodSize := uint64(0)
	for _, sc := range stored {
		rep.CheckpointsChecked++
		body, err := OpenCheckpoint(l.Verifier, []byte(sc.Note))
		if err != nil {
			rep.fail("stored checkpoint at size %d: %v", sc.Size, err)
			continue
		}
		if !checkpointMatches(sc, body) {
			rep.fail("stored checkpoint at size %d: columns differ from its signed note", sc.Size)
		}
		if body.Size > t.size() {
			rep.fail("stored checkpoint at size %d: the log has only %d verifiable entries (entries removed?)", body.Size, t.size())
			continue
		}
		root, err := t.root(body.Size)
		if err != nil {
			rep.fail("stored checkpoint at size %d: %v", body.Size, err)
			continue
		}
		if !bytes.Equal(root, body.Root) {
			rep.fail("stored checkpoint at size %d: signed root differs from the recomputed root (an entry in [%d, %d) was altered)",
				body.Size, goodSize, body.Size)
			continue
		}
		goodSize = body.Size
	}
}

// checkKept checks an auditor's checkpoint against the recomputed tree and
// proves the current tree consistent with it.
func checkKept(t *leafTree, kept CheckpointBody, root []byte, rep *VerifyReport) {
	n := t.size()
	if kept.Size > n {
		rep.fail("kept checkpoint: size %d but the log has only %d verifiable entries (entries removed?)", kept.Size, n)
		return
	}
	nodes, err := proof.Consistency(kept.Size, n)
	if err == nil {
		var hashes [][]byte
		if hashes, err = t.proof(nodes); err == nil {
			err = proof.VerifyConsistency(hasher, kept.Size, n, hashes, kept.Root, root)
		}
	}
	if err != nil {
		rep.fail("kept checkpoint: size %d is not consistent with the log of size %d: %s", kept.Size, n, hexErr(err))
		return
	}
	// Consistency with the current root implies this, but say it plainly.
	if r, err := t.root(kept.Size); err != nil || !bytes.Equal(r, kept.Root) {
		rep.fail("kept checkpoint: root differs from the recomputed root at size %d", kept.Size)
	}
}

// hexErr describes a proof error with its hashes in hex: the merkle
// library prints roots as byte arrays ([204 238 187 ...]).
func hexErr(err error) string {
	var rm proof.RootMismatchError
	if errors.As(err, &rm) {
		return fmt.Sprintf("calculated root %x does not match expected root %x", rm.CalculatedRoot, rm.ExpectedRoot)
	}
	var rmp *proof.RootMismatchError
	if errors.As(err, &rmp) && rmp != nil {
		return fmt.Sprintf("calculated root %x does not match expected root %x", rmp.CalculatedRoot, rmp.ExpectedRoot)
	}
	return err.Error()
}
