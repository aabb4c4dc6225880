package audit_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"github.com/abusedesk/abusedesk/audit"
)

func TestCheckpointSignatureVerifiesWithPublicKey(t *testing.T) {
	db := openSQLite(t)
	l, vkey := newLog(t, db)

	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)

	// The empty tree can be signed too, and the signature verifies.
	signed, size, root, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.Zero(t, size)
	require.Equal(t, rfc6962.DefaultHasher.EmptyRoot(), root)
	empty, err := note.Open(signed, note.VerifierList(v))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(empty.Text, testOrigin+"\n0\n"), empty.Text)

	fillLog(t, db, 21)
	signed, size, root, err = l.Checkpoint(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(21), size)

	n, err := note.Open(signed, note.VerifierList(v))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(n.Text, testOrigin+"\n21\n"), n.Text)
	body, err := audit.ParseCheckpoint(n.Text)
	require.NoError(t, err)
	require.Equal(t, root, body.Root)

	// The signed root is the root of the tree recomputed from the entries.
	rep, err := l.Verify(ctx, signed)
	require.NoError(t, err)
	require.True(t, rep.OK, rep.Problems)
	require.Equal(t, root, rep.Root)
	require.Equal(t, 2, rep.CheckpointsChecked)

	// Another key does not verify it.
	_, otherV, err := note.GenerateKey(nil, testOrigin)
	require.NoError(t, err)
	ov, err := note.NewVerifier(otherV)
	require.NoError(t, err)
	_, err = audit.OpenCheckpoint(ov, signed)
	require.Error(t, err)
}

func TestInclusionProofFromAPIVerifiesWithPublicKeyAlone(t *testing.T) {
	db := openSQLite(t)
	l, vkey := newLog(t, db)
	for i := 0; i < 13; i++ {
		appendCase(t, db, fmt.Sprintf("case-%02d", i), "decision", "notice", "restriction")
	}
	signed, size, _, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(39), size)

	// What the auditor has: the public key, the signed checkpoint and the
	// JSON of the entries and proof endpoints.
	entries, err := l.Entries(ctx, "case-07")
	require.NoError(t, err)
	entriesJSON, err := json.Marshal(entries)
	require.NoError(t, err)
	var served []audit.Entry
	require.NoError(t, json.Unmarshal(entriesJSON, &served))
	require.Len(t, served, 3)

	for _, e := range served {
		res, err := l.ProveInclusion(ctx, uint64(e.Seq), size)
		require.NoError(t, err)
		proofJSON, err := json.Marshal(res)
		require.NoError(t, err)
		var got audit.InclusionResult
		require.NoError(t, json.Unmarshal(proofJSON, &got))

		leaf := e.ComputeLeafHash()
		require.Equal(t, leaf, got.LeafHash)
		require.NoError(t, audit.VerifyInclusionWithKey(vkey, signed, leaf, got.LeafIndex, got.Hashes))

		// A different leaf, index or checkpoint does not verify.
		require.Error(t, audit.VerifyInclusionWithKey(vkey, signed, served[0].ComputeLeafHash(), got.LeafIndex+1, got.Hashes))
		forged := []byte(strings.Replace(string(signed), "\n39\n", "\n40\n", 1))
		require.Error(t, audit.VerifyInclusionWithKey(vkey, forged, leaf, got.LeafIndex, got.Hashes))
	}

	// Every leaf of every prefix, against the library's verifier.
	for sz := uint64(1); sz <= size; sz += 5 {
		for idx := uint64(0); idx < sz; idx++ {
			res, err := l.ProveInclusion(ctx, idx, sz)
			require.NoError(t, err)
			require.NoError(t, proof.VerifyInclusion(rfc6962.DefaultHasher, idx, sz, res.LeafHash, res.Hashes, res.RootHash))
		}
	}
}

func TestConsistencyBetweenCheckpoints(t *testing.T) {
	db := openSQLite(t)
	l, vkey := newLog(t, db)

	fillLog(t, db, 10)
	older, _, _, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	fillLog2 := func(from, to int) {
		for i := from; i < to; i++ {
			appendCase(t, db, fmt.Sprintf("later-%03d", i), "strike")
		}
	}
	fillLog2(10, 29)
	newer, size, _, err := l.Checkpoint(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(29), size)

	hashes, err := l.ConsistencyProof(ctx, 10, 29)
	require.NoError(t, err)
	require.NoError(t, audit.VerifyConsistencyWithKey(vkey, older, newer, hashes))
	// The proof between other sizes does not prove these checkpoints.
	wrong, err := l.ConsistencyProof(ctx, 11, 29)
	require.NoError(t, err)
	require.Error(t, audit.VerifyConsistencyWithKey(vkey, older, newer, wrong))

	for from := uint64(0); from <= size; from++ {
		for to := from; to <= size; to += 3 {
			res, err := l.ProveConsistency(ctx, from, to)
			require.NoError(t, err)
			if from == 0 {
				continue // nothing to prove from the empty tree
			}
			require.NoError(t, proof.VerifyConsistency(rfc6962.DefaultHasher, from, to, res.Hashes, res.FromRoot, res.ToRoot))
		}
	}

	// The kept older checkpoint verifies against the grown log.
	rep, err := l.Verify(ctx, older)
	require.NoError(t, err)
	require.True(t, rep.OK, rep.Problems)
}
