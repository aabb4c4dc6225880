package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/models"
)

// MaxEvidenceBytes bounds the raw message kept for one report. The email
// intake refuses larger mail at the SMTP level (intake_max_bytes); this cap
// protects the database from any other caller. A longer message is kept up
// to the cap, marked truncated, with the digest of the whole.
const MaxEvidenceBytes = 25 << 20

// Evidence is the raw message a report arrived in (a mail as received, with
// the Received line the listener added, or an X-ARF JSON document), kept
// for the analyst and erased with the case's other personal data.
type Evidence struct {
	ID     uint   `gorm:"primaryKey"`
	CaseID string `gorm:"not null;index"`
	// KeyHash is the SHA-256 of the report's deduplication key: a second
	// delivery of the same report keeps no second copy.
	KeyHash string `gorm:"not null;uniqueIndex"`
	// Source is the channel ("email", "xarf"), Format the format it was
	// read as ("xarf4", "xarf02", "arf", "acns", "csv", "plain", "json").
	Source string
	Format string
	// Size and SHA256 describe the whole message, even when Raw is cut.
	Size      int64
	SHA256    string
	Raw       []byte
	Truncated bool
	// ErasedAt is set when the purge removed Raw.
	ErasedAt  *time.Time
	CreatedAt time.Time
}

// TableName is the name the purge activity erases by.
func (Evidence) TableName() string { return activities.EvidenceTable }

// The email intake's Submitter and Validator.
var (
	_ mailintake.Submitter = (*Service)(nil)
	_ mailintake.Validator = (*Service)(nil)

	_ mailintake.DuplicateSubmitter = (*Service)(nil)
)

// SubmitEmailReport makes a case of a parsed mail exactly as POST
// /v1/reports does: one validation, the mail's DedupKey as its report key
// (ScopeReport: a second delivery of the same report, or a resend by the
// same DMARC-aligned From, answers with the first case; any other mail is a
// case of its own), then the raw message kept as evidence. It returns the problems and no case for an invalid
// report, and an error, worth a retry by the sending server, when the case
// or its evidence could not be stored; a retry finds the case by its key
// and completes the evidence.
func (s *Service) SubmitEmailReport(ctx context.Context, p mailintake.Parsed, raw []byte) (string, []models.FieldError, error) {
	id, _, problems, err := s.SubmitEmailReportOnce(ctx, p, raw)
	return id, problems, err
}

// SubmitEmailReportOnce is SubmitEmailReport that also says whether the
// mail repeated an earlier submission (the case is then the earlier one),
// so that the listener can tell an authenticated sender which case it
// repeated (issue 14, "No silence").
func (s *Service) SubmitEmailReportOnce(ctx context.Context, p mailintake.Parsed, raw []byte) (string, bool, []models.FieldError, error) {
	r := p.Report
	r.Untrusted = r.Untrusted || p.Untrusted
	if r.Source == "" {
		r.Source = mailintake.SourceEmail
	}
	var refused []models.FieldError
	if r, refused = usableURLs(r); len(r.URLs) == 0 && len(refused) > 0 {
		return "", false, refused, nil
	}
	d := Dedup{Scope: ScopeReport, Key: p.DedupKey, Digest: p.Digest}
	if p.Authenticated && p.From != "" {
		d.Sender = "mail:" + strings.ToLower(strings.TrimSpace(p.From))
	}
	created, err := s.submitOnce(ctx, r, d, p.CategoryBy)
	var inv *Invalid
	if errors.As(err, &inv) {
		return "", false, withCopyrightHint(namedURLProblems(r, inv.Problems)), nil
	}
	if err != nil {
		return "", false, nil, err
	}
	if err := s.KeepEvidence(ctx, created.CaseID, r.Source, p.Format, d.EvidenceKey(), raw); err != nil {
		return "", false, nil, err
	}
	if s.Log != nil {
		s.Log.Info("email report accepted", "case_id", created.CaseID, "format", p.Format,
			"replayed", created.Replayed, "untrusted", r.Untrusted)
	}
	return created.CaseID, created.Replayed, nil, nil
}

// ValidateReport lists every problem of a report, as Submit would; the
// listener asks for it to put all of a mail's problems in one reply.
func (s *Service) ValidateReport(r models.ReportRequest) []models.FieldError {
	_, problems := Validate(&r)
	return withCopyrightHint(namedURLProblems(r, problems))
}

// copyrightHint tells a mail's sender how to complete a copyright notice
// that lacks the elements it cannot be accepted without (512(c)(3)(B)(ii)
// asks the provider to help the complainant send a compliant notice):
// neither X-ARF v4 nor plain mail has fields for the statements.
const copyrightHint = "a copyright notice by mail needs at least the work, the infringing URL and your name: attach an X-ARF v4 document (application/json) " +
	"with work_title, infringing_url and reporter.org and, for a complete 17 U.S.C. 512(c)(3) notice, the extra fields good_faith: true, accurate_under_penalty: true and signature (X-ARF allows extra fields), or use the report form"

// withCopyrightHint adds copyrightHint once to problems about missing
// copyright elements.
func withCopyrightHint(problems []models.FieldError) []models.FieldError {
	for _, p := range problems {
		if p.Field == "copyright" || strings.HasPrefix(p.Field, "copyright.") {
			return append(problems, models.FieldError{Field: "copyright.how_to_complete", Message: copyrightHint})
		}
	}
	return problems
}

// usableURLs keeps the URLs of a mailed report that can be reported URLs
// and names the others by the text the sender wrote: a mail whose other
// URLs are good still makes its case of them (issue 14: one bad URL must
// not refuse the whole mail), and the case's description says what was
// left out. It returns the report to submit and the refused URLs' problems.
func usableURLs(r models.ReportRequest) (models.ReportRequest, []models.FieldError) {
	var good []string
	var refused []models.FieldError
	for _, u := range r.URLs {
		if _, why := CheckURL(u); why != "" {
			refused = append(refused, models.FieldError{Field: "urls", Message: fmt.Sprintf("%q is not usable: %s", u, why)})
			continue
		}
		good = append(good, u)
	}
	if len(refused) == 0 || len(good) == 0 {
		return r, refused
	}
	r.URLs = good
	var b strings.Builder
	b.WriteString(r.Description + "\n\nNot taken from the report:")
	for _, f := range refused {
		b.WriteString("\n  " + f.Message)
	}
	r.Description = b.String()
	return r, refused
}

// namedURLProblems names a URL problem by the URL the sender wrote
// ("urls[2]" is an index a mail's sender never wrote).
func namedURLProblems(r models.ReportRequest, problems []models.FieldError) []models.FieldError {
	out := make([]models.FieldError, 0, len(problems))
	for _, p := range problems {
		var i int
		if n, _ := fmt.Sscanf(p.Field, "urls[%d]", &i); n == 1 && i >= 0 && i < len(r.URLs) {
			p = models.FieldError{Field: "urls", Message: fmt.Sprintf("%q: %s", r.URLs[i], p.Message)}
		}
		out = append(out, p)
	}
	return out
}

// KeepEvidence stores the raw message of a case's report once per
// deduplication key (an empty key stores by the message's digest).
func (s *Service) KeepEvidence(ctx context.Context, caseID, source, format, key string, raw []byte) error {
	sum := sha256.Sum256(raw)
	digest := hex.EncodeToString(sum[:])
	if key == "" {
		key = "sha256:" + digest
	}
	kh := sha256.Sum256([]byte("evidence:" + key))
	ev := Evidence{CaseID: caseID, KeyHash: hex.EncodeToString(kh[:]), Source: source, Format: format,
		Size: int64(len(raw)), SHA256: digest, Raw: raw, CreatedAt: time.Now().UTC()}
	if len(raw) > MaxEvidenceBytes {
		ev.Raw, ev.Truncated = raw[:MaxEvidenceBytes], true
	}
	err := s.DB.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key_hash"}}, DoNothing: true}).
		Create(&ev).Error
	if err != nil {
		return fmt.Errorf("%w: store evidence: %v", ErrUnavailable, err)
	}
	return nil
}
