package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// Scopes of deduplication keys. Each scope is its own namespace, so a key
// of one kind never matches a key of another (an Idempotency-Key header
// "xarf:..." is not an X-ARF report id).
const (
	// ScopeIdempotency is a key the client chose for one request (the
	// Idempotency-Key header, the report form's hidden key): the same key
	// with the same request answers the same case; with another request it
	// is refused.
	ScopeIdempotency = "idem"
	// ScopeReport is a report's own id (an X-ARF report_id, a Message-ID)
	// that anyone can copy or predict. A report with a known id is a
	// duplicate only when it is the same document, or when the same
	// authenticated sender sends it again; otherwise it is a case of its
	// own.
	ScopeReport = "report"
)

// Dedup says how a submission is recognised when it arrives again.
type Dedup struct {
	Scope string
	// Key is the deduplication key; empty: every submission is new.
	Key string
	// Digest is the SHA-256 (hex) of the canonical request or document;
	// empty: Submit digests the report request.
	Digest string
	// Sender is the authenticated sender ("apikey:<name>", "mail:<from>"
	// of a DMARC-aligned From), or empty. Only ScopeReport uses it.
	Sender string
}

// EvidenceKey is the key a submission's evidence is kept under: one copy
// per key and document. Empty when the submission has no key.
func (d Dedup) EvidenceKey() string {
	if d.Key == "" {
		return ""
	}
	return d.Scope + ":" + d.Key + "#" + d.Digest
}

// hashes are the submission rows that a new case with this key claims.
func (d Dedup) hashes() []string {
	switch {
	case d.Key == "":
		return nil
	case d.Scope == ScopeReport && d.Sender != "":
		return []string{keyHash(d.Scope, d.Key, "doc:"+d.Digest), keyHash(d.Scope, d.Key, "sender:"+d.Sender)}
	case d.Scope == ScopeReport:
		return []string{keyHash(d.Scope, d.Key, "doc:"+d.Digest)}
	}
	return []string{keyHash(d.Scope, d.Key, "")}
}

func keyHash(scope, key, qualifier string) string {
	h := sha256.Sum256([]byte(scope + "\x00" + key + "\x00" + qualifier))
	return hex.EncodeToString(h[:])
}

// RequestDigest is the digest of a report request as decoded, for callers
// that have no document of their own (the report form).
func RequestDigest(r models.ReportRequest) string {
	b, _ := json.Marshal(struct {
		models.ReportRequest
		Source string `json:"source"`
	}{r, r.Source})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// keyReused is the answer to an Idempotency-Key sent again with another
// request. It names the header and nothing of the earlier case.
func keyReused() error {
	return &Invalid{Problems: []models.FieldError{{Field: "Idempotency-Key",
		Message: "this key was already used with a different request; send a retry with exactly the same body, or use a new key for a new report"}}}
}

// findSubmission answers a submission that was made before: the earlier
// case (ok), a refusal (err), or nothing (a new submission).
func (s *Service) findSubmission(ctx context.Context, d Dedup) (Created, bool, error) {
	if d.Scope == ScopeReport {
		for _, h := range d.hashes() {
			sub, err := store.SubmissionOf(ctx, s.DB, h)
			if err != nil {
				return Created{}, false, fmt.Errorf("%w: %v", ErrUnavailable, err)
			}
			if sub.CaseID != "" {
				c, err := s.replay(ctx, sub.CaseID)
				return c, err == nil, err
			}
		}
		return Created{}, false, nil
	}
	sub, legacy, err := store.SubmissionOrLegacy(ctx, s.DB, d.hashes()[0], idemScope(d.Key))
	if err != nil {
		return Created{}, false, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if sub.CaseID == "" {
		// A key stored before request digests were kept cannot be
		// compared: refused, never answered with its case.
		if legacy > 0 {
			return Created{}, false, keyReused()
		}
		return Created{}, false, nil
	}
	if sub.Digest != d.Digest {
		return Created{}, false, keyReused()
	}
	c, err := s.replay(ctx, sub.CaseID)
	return c, err == nil, err
}

// replay answers an earlier case again, starting its workflow if it has
// not started yet (the reconciler does so too).
func (s *Service) replay(ctx context.Context, caseID string) (Created, error) {
	c, err := store.Case(ctx, s.DB, caseID)
	if err != nil {
		return Created{}, fmt.Errorf("%w: load case: %v", ErrUnavailable, err)
	}
	if !c.WorkflowStarted {
		if err := s.Start(ctx, c); err != nil && s.Log != nil {
			s.Log.Warn("replayed case not started; the reconciler will start it", "case_id", c.ID, "err", err)
		}
	}
	return s.created(c.ID, s.unseal(c.TokenSealed), true), nil
}

// submissionRows are the rows a new case claims for its key.
func submissionRows(d Dedup, caseID string) []store.Submission {
	var rows []store.Submission
	for _, h := range d.hashes() {
		rows = append(rows, store.Submission{KeyHash: h, CaseID: caseID, Digest: d.Digest})
	}
	return rows
}
