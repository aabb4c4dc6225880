package audit

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/mod/sumdb/note"
	"gorm.io/gorm/clause"
)

// CheckpointBody is the signed content of a checkpoint, in the
// transparency-dev checkpoint text format: "<origin>\n<size>\n<base64 root>\n".
type CheckpointBody struct {
	Origin string `json:"origin"`
	Size   uint64 `json:"size"`
	Root   []byte `json:"root"`
}

// Marshal returns the checkpoint text that is signed.
func (c CheckpointBody) Marshal() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root))
}

// ParseCheckpoint parses checkpoint text; lines after the root (extension
// lines) are allowed and ignored.
func ParseCheckpoint(text string) (CheckpointBody, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return CheckpointBody{}, errors.New("audit: checkpoint needs origin, size and root lines")
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil {
		return CheckpointBody{}, fmt.Errorf("audit: checkpoint size %q: %w", lines[1], err)
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != hashSize {
		return CheckpointBody{}, fmt.Errorf("audit: checkpoint root %q is not a base64 SHA-256 hash", lines[2])
	}
	if lines[0] == "" {
		return CheckpointBody{}, errors.New("audit: checkpoint has no origin")
	}
	return CheckpointBody{Origin: lines[0], Size: size, Root: root}, nil
}

// OpenCheckpoint checks that signed is a note signed by v whose origin is
// v's name, and returns its body.
func OpenCheckpoint(v note.Verifier, signed []byte) (CheckpointBody, error) {
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return CheckpointBody{}, fmt.Errorf("audit: checkpoint signature: %w", err)
	}
	body, err := ParseCheckpoint(n.Text)
	if err != nil {
		return CheckpointBody{}, err
	}
	if body.Origin != v.Name() {
		return CheckpointBody{}, fmt.Errorf("audit: checkpoint origin %q is not the key's name %q", body.Origin, v.Name())
	}
	return body, nil
}

// VerifyInclusionWithKey checks, with nothing but the log's public key vkey,
// that the leaf with leafHash is at index in the tree of the signed
// checkpoint, by the RFC 6962 inclusion proof. This is what an auditor does.
func VerifyInclusionWithKey(vkey string, signedCheckpoint []byte, leafHash []byte, index uint64, inclusion [][]byte) error {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return fmt.Errorf("audit: verifier key: %w", err)
	}
	cp, err := OpenCheckpoint(v, signedCheckpoint)
	if err != nil {
		return err
	}
	if err := proof.VerifyInclusion(hasher, index, cp.Size, leafHash, inclusion, cp.Root); err != nil {
		return fmt.Errorf("audit: inclusion of leaf %d in tree of size %d: %w", index, cp.Size, err)
	}
	return nil
}

// VerifyConsistencyWithKey checks, with nothing but the public key vkey, that
// the tree of the signed checkpoint newer extends the tree of older, by the
// RFC 6962 consistency proof.
func VerifyConsistencyWithKey(vkey string, older, newer []byte, consistency [][]byte) error {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return fmt.Errorf("audit: verifier key: %w", err)
	}
	a, err := OpenCheckpoint(v, older)
	if err != nil {
		return err
	}
	b, err := OpenCheckpoint(v, newer)
	if err != nil {
		return err
	}
	if err := proof.VerifyConsistency(hasher, a.Size, b.Size, consistency, a.Root, b.Root); err != nil {
		return fmt.Errorf("audit: consistency %d -> %d: %w", a.Size, b.Size, err)
	}
	return nil
}

// Checkpoint signs the current tree (size and root hash from the audit
// head), stores the checkpoint and returns the signed note, which is what
// GET /v1/audit/checkpoint serves (as text/plain).
func (l *Log) Checkpoint(ctx context.Context) (signedNote []byte, size uint64, root []byte, err error) {
	if l.Signer == nil {
		return nil, 0, nil, errors.New("audit: log has no signer")
	}
	var head Head
	if err := l.DB.WithContext(ctx).Where("id = ?", headID).Take(&head).Error; err != nil {
		return nil, 0, nil, fmt.Errorf("audit: read head: %w", err)
	}
	frontier, err := splitFrontier(head.Frontier)
	if err != nil {
		return nil, 0, nil, err
	}
	r, err := rangeFactory.NewRange(0, uint64(head.Size), frontier)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("audit: head frontier: %w", err)
	}
	if root, err = rootOfRange(r); err != nil {
		return nil, 0, nil, err
	}
	body := CheckpointBody{Origin: l.Origin, Size: uint64(head.Size), Root: root}
	signed, err := note.Sign(&note.Note{Text: string(body.Marshal())}, l.Signer)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("audit: sign checkpoint: %w", err)
	}
	// Ed25519 signatures are deterministic, so a second checkpoint at the
	// same size is the same note; keep the first.
	stored := StoredCheckpoint{Size: head.Size, Root: hex.EncodeToString(root), Note: string(signed), CreatedAt: time.Now().UTC()}
	if err := l.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&stored).Error; err != nil {
		return nil, 0, nil, fmt.Errorf("audit: store checkpoint: %w", err)
	}
	return signed, body.Size, root, nil
}

// LatestStoredCheckpoint returns the stored checkpoint with the largest size,
// or nil when none was signed yet.
func (l *Log) LatestStoredCheckpoint(ctx context.Context) (*StoredCheckpoint, error) {
	var cps []StoredCheckpoint
	if err := l.DB.WithContext(ctx).Order("size DESC").Limit(1).Find(&cps).Error; err != nil {
		return nil, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	if len(cps) == 0 {
		return nil, nil
	}
	return &cps[0], nil
}

// checkpointMatches reports whether a stored checkpoint's columns agree with
// its signed body.
func checkpointMatches(sc StoredCheckpoint, body CheckpointBody) bool {
	root, err := decodeHash(sc.Root)
	return err == nil && uint64(sc.Size) == body.Size && bytes.Equal(root, body.Root)
}
