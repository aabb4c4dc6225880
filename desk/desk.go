// Package desk is abusedesk's use-case layer: what the front ends (server,
// JSON; pages, HTML) do beyond reading a request and writing an answer.
// Submit a report, decide, answer as an operator or a reporter, read and
// list cases, legal hold, statements, exports, replies by mail, console
// sessions. It reads and writes through store and reaches Temporal only
// through Engine (temporal.go). Errors come back typed (errors.go), so both
// front ends answer them from one table. See docs/DESIGN.md, "Layers".
package desk

import (
	"context"
	"log/slog"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
)

// Desk holds the use cases' dependencies. The composition root (app) builds
// it once, with every field set before the first request; nothing changes
// them afterwards.
type Desk struct {
	Cfg *config.Config
	// DB is handed to store's queries; desk itself writes no SQL.
	DB *gorm.DB
	// Engine is the one way to Temporal.
	Engine Engine
	// Intake stores reports and starts their workflows.
	Intake *intake.Service
	// Links derives notice response-link tokens and deliverable bodies,
	// as the notice activity does.
	Links Links
	Log   *slog.Logger
	// Journal appends to the audit log in the caller's transaction
	// (customer records, replies by mail, legal hold); nil records nothing.
	Journal Journal
	// Archive reads the exported history of a workflow Temporal no longer
	// has (retention); nil: none.
	Archive HistoryArchive
	// Decoder decodes a history's payloads for auditors; nil serves them
	// as stored.
	Decoder HistoryDecoder
	// AuditLog serves the auditor's reads of the log; nil: no reads.
	AuditLog AuditLog
	// KeyRing is the payload key ring (codec endpoints).
	KeyRing *codec.KeyRing
	// Attempts limits failed authentications (NewAttempts); nil: no limit.
	Attempts *Attempts

	reports cache // the public transparency page's reports
}

// Links derives what a notice's recipient gets: the response-link token
// and the deliverable body with its live link.
type Links interface {
	NoticeToken(noticeID string) string
	Body(n models.Notice) string
}

// Journal appends one entry to the audit log in tx (audit.Append).
type Journal interface {
	Record(tx *gorm.DB, actor, caseID, kind, dedupKey string, details any) error
}

// HistoryArchive reads the exported history (protojson, payloads as
// stored) of a workflow's latest exported run.
type HistoryArchive interface {
	ExportedHistory(ctx context.Context, workflowID string) ([]byte, error)
}

// HistoryDecoder decodes, in place, the payloads of a history.
type HistoryDecoder interface {
	DecodeHistory(ctx context.Context, h *historypb.History) error
}

// AuditLog is what the auditor's reads need of the audit log (*audit.Log).
type AuditLog interface {
	Checkpoint(ctx context.Context) ([]byte, uint64, []byte, error)
	Entries(ctx context.Context, caseID string) ([]audit.Entry, error)
	Size(ctx context.Context) (uint64, error)
	ProveInclusion(ctx context.Context, index, size uint64) (audit.InclusionResult, error)
	ProveConsistency(ctx context.Context, from, to uint64) (audit.ConsistencyResult, error)
}

// PayloadKeys is the payload key ring (the codec endpoints).
func (d *Desk) PayloadKeys() *codec.KeyRing { return d.KeyRing }

// AuthBlocked reports whether a client (ClientID) is locked out after too
// many failed authentications, and for how long.
func (d *Desk) AuthBlocked(client string) (time.Duration, bool) {
	return d.Attempts.Blocked(client, time.Now())
}

// AuthFailed counts a failed authentication (a wrong key or token) of a
// client.
func (d *Desk) AuthFailed(client string) { d.Attempts.Failure(client, time.Now()) }
