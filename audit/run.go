package audit

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"gorm.io/gorm"
)

// RunVerify is `abusedesk audit verify [--checkpoint FILE]`: it verifies the
// log in db with the public key vkey (and, when checkpointFile is not empty,
// against the checkpoint saved in that file), prints a summary to out and
// returns an error unless everything holds, so the command exits non-zero.
func RunVerify(ctx context.Context, db *gorm.DB, vkey string, checkpointFile string, out io.Writer) error {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return fmt.Errorf("audit: verifier key: %w", err)
	}
	var kept []byte
	if checkpointFile != "" {
		if kept, err = os.ReadFile(checkpointFile); err != nil {
			return fmt.Errorf("audit: read checkpoint: %w", err)
		}
		if len(kept) == 0 {
			return fmt.Errorf("audit: checkpoint file %s is empty", checkpointFile)
		}
	}
	l := &Log{DB: db, Verifier: v, Origin: v.Name()}
	rep, err := l.Verify(ctx, kept)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "audit log %s: %d entries, root %s\n", l.Origin, rep.Size, base64.StdEncoding.EncodeToString(rep.Root))
	fmt.Fprintf(out, "stored checkpoints checked: %d\n", rep.CheckpointsChecked)
	if rep.KeptCheckpointSize != nil {
		fmt.Fprintf(out, "kept checkpoint: size %d\n", *rep.KeptCheckpointSize)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(out, "FAIL %s\n", p)
	}
	if !rep.OK {
		fmt.Fprintf(out, "audit log does NOT verify (%d problems)\n", len(rep.Problems))
		return fmt.Errorf("audit log does not verify: %s", rep.Problems[0])
	}
	fmt.Fprintln(out, "audit log verifies")
	return nil
}
