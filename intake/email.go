package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

func init() {
	store.Extra = append(store.Extra, MigrateEvidence)
}

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
	// read as ("xarf4", "xarf02", "arf", "plain", "json").
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

// MigrateEvidence creates the evidence table (a store.Extra migration).
func MigrateEvidence(db *gorm.DB) error {
	if err := db.AutoMigrate(&Evidence{}); err != nil {
		return fmt.Errorf("evidence: migrate: %w", err)
	}
	return nil
}

// The email intake's Submitter and Validator.
var (
	_ mailintake.Submitter = (*Service)(nil)
	_ mailintake.Validator = (*Service)(nil)
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
	r := p.Report
	r.Untrusted = r.Untrusted || p.Untrusted
	if r.Source == "" {
		r.Source = mailintake.SourceEmail
	}
	d := Dedup{Scope: ScopeReport, Key: p.DedupKey, Digest: p.Digest}
	if p.Authenticated && p.From != "" {
		d.Sender = "mail:" + strings.ToLower(strings.TrimSpace(p.From))
	}
	created, err := s.SubmitOnce(ctx, r, d)
	var inv *Invalid
	if errors.As(err, &inv) {
		return "", inv.Problems, nil
	}
	if err != nil {
		return "", nil, err
	}
	if err := s.KeepEvidence(ctx, created.CaseID, r.Source, p.Format, d.EvidenceKey(), raw); err != nil {
		return "", nil, err
	}
	if s.Log != nil {
		s.Log.Info("email report accepted", "case_id", created.CaseID, "format", p.Format,
			"replayed", created.Replayed, "untrusted", r.Untrusted)
	}
	return created.CaseID, nil, nil
}

// ValidateReport lists every problem of a report, as Submit would; the
// listener asks for it to put all of a mail's problems in one reply.
func (s *Service) ValidateReport(r models.ReportRequest) []models.FieldError {
	_, problems := Validate(&r)
	return problems
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
