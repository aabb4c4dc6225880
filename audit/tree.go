package audit

import (
	"context"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
)

// InclusionResult is an inclusion proof as GET /v1/audit/proof/inclusion
// serves it: hashes are base64 in JSON. Check it against a signed checkpoint
// of TreeSize with VerifyInclusionWithKey.
type InclusionResult struct {
	LeafIndex uint64   `json:"leaf_index"`
	TreeSize  uint64   `json:"tree_size"`
	LeafHash  []byte   `json:"leaf_hash"`
	RootHash  []byte   `json:"root_hash"`
	Hashes    [][]byte `json:"hashes"`
}

// ConsistencyResult is a consistency proof as GET /v1/audit/proof/consistency
// serves it. Check it against two signed checkpoints with
// VerifyConsistencyWithKey.
type ConsistencyResult struct {
	FromSize uint64   `json:"from_size"`
	ToSize   uint64   `json:"to_size"`
	FromRoot []byte   `json:"from_root"`
	ToRoot   []byte   `json:"to_root"`
	Hashes   [][]byte `json:"hashes"`
}

// Entries returns a case's entries in log order; each entry's Seq is its
// leaf index.
func (l *Log) Entries(ctx context.Context, caseID string) ([]Entry, error) {
	entries := []Entry{}
	if err := l.DB.WithContext(ctx).Where("case_id = ?", caseID).Order("seq").Find(&entries).Error; err != nil {
		return nil, fmt.Errorf("audit: read entries: %w", err)
	}
	return entries, nil
}

// Size returns the current number of entries (from the audit head).
func (l *Log) Size(ctx context.Context) (uint64, error) {
	var head Head
	if err := l.DB.WithContext(ctx).Where("id = ?", headID).Take(&head).Error; err != nil {
		return 0, fmt.Errorf("audit: read head: %w", err)
	}
	return uint64(head.Size), nil
}

// InclusionProof returns the RFC 6962 inclusion proof of leaf index in the
// tree of the given size.
func (l *Log) InclusionProof(ctx context.Context, index, size uint64) ([][]byte, error) {
	res, err := l.ProveInclusion(ctx, index, size)
	if err != nil {
		return nil, err
	}
	return res.Hashes, nil
}

// ConsistencyProof returns the RFC 6962 consistency proof from the tree of
// size from to the tree of size to.
func (l *Log) ConsistencyProof(ctx context.Context, from, to uint64) ([][]byte, error) {
	res, err := l.ProveConsistency(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return res.Hashes, nil
}

// ProveInclusion is InclusionProof with the leaf hash and the root the proof
// leads to. Size 0 means the current tree size. It reads the stored leaf
// hashes of [0, size) once, so it costs one pass over the leaves.
func (l *Log) ProveInclusion(ctx context.Context, index, size uint64) (InclusionResult, error) {
	cur, err := l.Size(ctx)
	if err != nil {
		return InclusionResult{}, err
	}
	if size == 0 {
		size = cur
	}
	if err := within(size, cur, "size"); err != nil {
		return InclusionResult{}, err
	}
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return InclusionResult{}, fmt.Errorf("audit: %w", err)
	}
	t, err := l.loadTree(ctx, size)
	if err != nil {
		return InclusionResult{}, err
	}
	hashes, err := t.proof(nodes)
	if err != nil {
		return InclusionResult{}, err
	}
	root, err := t.root(size)
	if err != nil {
		return InclusionResult{}, err
	}
	return InclusionResult{LeafIndex: index, TreeSize: size, LeafHash: t.leaf(index), RootHash: root, Hashes: hashes}, nil
}

// ProveConsistency is ConsistencyProof with the roots of both trees.
func (l *Log) ProveConsistency(ctx context.Context, from, to uint64) (ConsistencyResult, error) {
	cur, err := l.Size(ctx)
	if err != nil {
		return ConsistencyResult{}, err
	}
	if err := within(to, cur, "to"); err != nil {
		return ConsistencyResult{}, err
	}
	nodes, err := proof.Consistency(from, to)
	if err != nil {
		return ConsistencyResult{}, fmt.Errorf("audit: %w", err)
	}
	t, err := l.loadTree(ctx, to)
	if err != nil {
		return ConsistencyResult{}, err
	}
	hashes, err := t.proof(nodes)
	if err != nil {
		return ConsistencyResult{}, err
	}
	fromRoot, err := t.root(from)
	if err != nil {
		return ConsistencyResult{}, err
	}
	toRoot, err := t.root(to)
	if err != nil {
		return ConsistencyResult{}, err
	}
	return ConsistencyResult{FromSize: from, ToSize: to, FromRoot: fromRoot, ToRoot: toRoot, Hashes: hashes}, nil
}

// within checks a requested tree size against the log's current size cur
// before the tree is loaded: loading allocates 32 bytes per leaf.
func within(size, cur uint64, param string) error {
	if size > cur {
		return &ParamError{Param: param, Message: fmt.Sprintf("%d exceeds the log's %d entries", size, cur)}
	}
	return nil
}

// loadBatch is how many leaf hashes are read per query.
const loadBatch = 10000

// loadTree reads the stored leaf hashes of [0, size), checking that the
// sequence numbers are dense.
func (l *Log) loadTree(ctx context.Context, size uint64) (*leafTree, error) {
	t := &leafTree{hashes: make([]byte, 0, size*hashSize)}
	type row struct {
		Seq      int64
		LeafHash string
	}
	for next := uint64(0); next < size; {
		var rows []row
		err := l.DB.WithContext(ctx).Model(&Entry{}).Select("seq", "leaf_hash").
			Where("seq >= ? AND seq < ?", next, size).Order("seq").Limit(loadBatch).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("audit: read leaf hashes: %w", err)
		}
		if len(rows) == 0 {
			return nil, fmt.Errorf("audit: tree size %d exceeds the log (entry %d missing)", size, next)
		}
		for _, r := range rows {
			if uint64(r.Seq) != next {
				return nil, fmt.Errorf("audit: entry %d missing", next)
			}
			h, err := decodeHash(r.LeafHash)
			if err != nil {
				return nil, fmt.Errorf("audit: entry %d: %w", r.Seq, err)
			}
			t.hashes = append(t.hashes, h...)
			next++
		}
	}
	return t, nil
}

// leafTree holds the leaf hashes of a tree prefix, 32 bytes each, and
// computes any node of it with the merkle library's compact ranges.
type leafTree struct {
	hashes []byte
}

// size is the number of leaves held.
func (t *leafTree) size() uint64 { return uint64(len(t.hashes) / hashSize) }

// leaf is the hash of leaf i.
func (t *leafTree) leaf(i uint64) []byte {
	return t.hashes[i*hashSize : (i+1)*hashSize : (i+1)*hashSize]
}

// add appends a leaf hash.
func (t *leafTree) add(h []byte) { t.hashes = append(t.hashes, h...) }

// rangeOf is the compact range of leaves [begin, end).
func (t *leafTree) rangeOf(begin, end uint64) (*compact.Range, error) {
	if end > t.size() {
		return nil, fmt.Errorf("audit: leaves up to %d needed, %d known", end, t.size())
	}
	r := rangeFactory.NewEmptyRange(begin)
	for i := begin; i < end; i++ {
		if err := r.Append(t.leaf(i), nil); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// root is the root hash of the tree of the first size leaves.
func (t *leafTree) root(size uint64) ([]byte, error) {
	r, err := t.rangeOf(0, size)
	if err != nil {
		return nil, err
	}
	return rootOfRange(r)
}

// node is the hash of a perfect subtree's root.
func (t *leafTree) node(id compact.NodeID) ([]byte, error) {
	begin, end := id.Coverage()
	if id.Level == 0 && end <= t.size() {
		return t.leaf(begin), nil
	}
	r, err := t.rangeOf(begin, end)
	if err != nil {
		return nil, err
	}
	if h := r.Hashes(); len(h) == 1 {
		return h[0], nil
	}
	return nil, fmt.Errorf("audit: node %d/%d is not a perfect subtree", id.Level, id.Index)
}

// proof fetches the proof nodes and folds the ephemeral one, as the proof
// package prescribes.
func (t *leafTree) proof(nodes proof.Nodes) ([][]byte, error) {
	hashes := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		h, err := t.node(id)
		if err != nil {
			return nil, err
		}
		hashes[i] = h
	}
	out, err := nodes.Rehash(hashes, hasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("audit: build proof: %w", err)
	}
	return out, nil
}
