package mailintake

import (
	"context"
	"testing"
	"time"
)

// FuzzMIME feeds arbitrary bytes to the mail parser: it must never panic,
// and whatever it accepts stays within the MIME limits. The seed corpus in
// testdata/fuzz/FuzzMIME holds the formats the intake reads (X-ARF v4 and
// 0.2, ARF, ACNS, zipped CSV, plain and HTML mail, attached messages) and
// hostile shapes.
func FuzzMIME(f *testing.F) {
	f.Add(plainMail("abuse@abusedesk.test", "fuzz-1@reporter.example", phishingText))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p, err := ParseMessageContext(ctx, raw, "phishing@abusedesk.test", testConfig)
		if err != nil && len(p.Problems) == 0 {
			t.Fatalf("an error without a problem: %v", err)
		}
		if len(p.Report.Description) > MaxDescriptionBytes {
			t.Fatalf("description of %d bytes", len(p.Report.Description))
		}
		tree, terr := readMIME(ctx, raw)
		if terr == nil && len(tree.parts) > MaxMIMEParts {
			t.Fatalf("%d parts read, limit %d", len(tree.parts), MaxMIMEParts)
		}
		_, _ = replyTarget(p, "bob@reporter.example")
	})
}
