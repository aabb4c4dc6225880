package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

// hasher is the RFC 6962 (SHA-256) tree hasher of the log.
var hasher = rfc6962.DefaultHasher

// rangeFactory builds compact ranges over the log's tree.
var rangeFactory = &compact.RangeFactory{Hash: hasher.HashChildren}

// leafDomain opens every leaf's data, so an audit leaf can never be mistaken
// for another structure hashed with the same key or tree, and so the
// encoding can be versioned.
const leafDomain = "abusedesk-audit-leaf-v1\x00"

// LeafData is the canonical byte encoding of the entry's fields that the
// Merkle tree commits to: the domain string, Seq as 8 bytes big-endian, then
// Time (RFC 3339 with nanoseconds, UTC), Actor, CaseID, Kind, DedupKey and
// DetailsDigest, each as a 4-byte big-endian length and its bytes. LeafHash
// is not part of it.
func (e Entry) LeafData() []byte {
	var b bytes.Buffer
	b.WriteString(leafDomain)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(e.Seq))
	b.Write(n[:])
	for _, s := range []string{
		e.Time.UTC().Format(time.RFC3339Nano),
		e.Actor, e.CaseID, e.Kind, e.DedupKey, e.DetailsDigest,
	} {
		binary.BigEndian.PutUint32(n[:4], uint32(len(s)))
		b.Write(n[:4])
		b.WriteString(s)
	}
	return b.Bytes()
}

// ComputeLeafHash is the RFC 6962 leaf hash of LeafData. An auditor holding
// an entry (as served by the entries endpoint) computes it to check an
// inclusion proof.
func (e Entry) ComputeLeafHash() []byte {
	return hasher.HashLeaf(e.LeafData())
}

// DetailsDigest is the hex SHA-256 of the canonical JSON of details: JSON
// with object keys sorted at every depth, numbers as written, no HTML
// escaping and no insignificant white space. Callers keep the details
// themselves (without personal data) wherever they belong and can prove them
// against the digest later.
func DetailsDigest(details any) (string, error) {
	c, err := CanonicalJSON(details)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:]), nil
}

// CanonicalJSON encodes v as JSON, then decodes and re-encodes it through
// generic maps so that struct field order and map order cannot change the
// bytes.
func CanonicalJSON(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: encode details: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, fmt.Errorf("audit: decode details: %w", err)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(generic); err != nil {
		return nil, fmt.Errorf("audit: canonicalise details: %w", err)
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}

// hashSize is the size of every tree hash (SHA-256).
const hashSize = sha256.Size

// decodeHash parses a stored hex hash of hashSize bytes.
func decodeHash(s string) ([]byte, error) {
	h, err := hex.DecodeString(s)
	if err != nil || len(h) != hashSize {
		return nil, fmt.Errorf("malformed hash %q", s)
	}
	return h, nil
}

// splitFrontier cuts Head.Frontier into its hashes.
func splitFrontier(b []byte) ([][]byte, error) {
	if len(b)%hashSize != 0 {
		return nil, fmt.Errorf("audit: head frontier has %d bytes, not a multiple of %d", len(b), hashSize)
	}
	hashes := make([][]byte, 0, len(b)/hashSize)
	for i := 0; i < len(b); i += hashSize {
		hashes = append(hashes, b[i:i+hashSize:i+hashSize])
	}
	return hashes, nil
}

// joinFrontier is the inverse of splitFrontier.
func joinFrontier(hashes [][]byte) []byte {
	out := make([]byte, 0, len(hashes)*hashSize)
	for _, h := range hashes {
		out = append(out, h...)
	}
	return out
}

// rootOfRange is the tree root of a compact range starting at 0; the empty
// tree has the RFC 6962 empty root.
func rootOfRange(r *compact.Range) ([]byte, error) {
	if r.End() == 0 {
		return hasher.EmptyRoot(), nil
	}
	return r.GetRootHash(nil)
}
