package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/statements"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/transparency"
	"github.com/abusedesk/abusedesk/workflows"
)

// LegalHoldAnswer is a case's legal hold after a change.
type LegalHoldAnswer struct {
	CaseID    string `json:"case_id"`
	LegalHold bool   `json:"legal_hold"`
	// ErasedAt is set when the case's personal data was already erased:
	// a hold keeps nothing more then.
	ErasedAt *time.Time `json:"personal_data_erased_at,omitempty"`
}

// SetLegalHold sets or lifts a case's legal hold, which keeps its personal
// data past purge_after (an order, litigation, an authority's request). A
// change is an entry of the audit log, with the analyst.
func (d *Desk) SetLegalHold(ctx context.Context, caseID, analyst string, hold bool) (LegalHoldAnswer, error) {
	kind := "legal_hold_set"
	if !hold {
		kind = "legal_hold_lifted"
	}
	erased, err := store.SetLegalHold(ctx, d.DB, caseID, hold, func(tx *gorm.DB) error {
		return d.journal(tx, analyst, caseID, kind, fmt.Sprintf("legal-hold:%s:%d", caseID, time.Now().UnixNano()),
			map[string]any{"hold": hold})
	})
	if err != nil {
		return LegalHoldAnswer{}, err
	}
	return LegalHoldAnswer{CaseID: caseID, LegalHold: hold, ErasedAt: erased}, nil
}

// StatementPage is one page of statements of reasons.
type StatementPage struct {
	Statements []statements.Item `json:"statements"`
	Page       int               `json:"page"`
	NextPage   int               `json:"next_page,omitempty"`
}

// Statements lists the statements of reasons made in [from, to) (a zero
// bound is open), page by page.
func (d *Desk) Statements(ctx context.Context, from, to time.Time, page int) (StatementPage, error) {
	items, more, err := statements.List(ctx, d.DB, from, to, page)
	if err != nil {
		return StatementPage{}, err
	}
	out := StatementPage{Statements: items, Page: page}
	if more {
		out.NextPage = page + 1
	}
	return out, nil
}

// TransparencyPeriod reads a report's period from its parameters; a bad
// one is a KindBadRequest naming the parameter.
func TransparencyPeriod(fromS, toS string) (time.Time, time.Time, error) {
	from, to, err := transparency.Period(fromS, toS, time.Now())
	if err != nil {
		field, msg, _ := strings.Cut(err.Error(), ": ")
		return from, to, BadRequest(field, "%s", msg)
	}
	return from, to, nil
}

// Transparency computes the transparency report of [from, to).
func (d *Desk) Transparency(ctx context.Context, from, to time.Time) (*transparency.Report, error) {
	return transparency.Compute(ctx, d.DB, from, to)
}

// publicReportTTL is how long the public page's report is reused.
const publicReportTTL = 5 * time.Minute

// cache holds the public transparency page's reports.
type cache struct {
	once sync.Once
	c    *transparency.Cache
}

// PublicTransparency is the report of [from, to) for the public page,
// computed at most every publicReportTTL per period.
func (d *Desk) PublicTransparency(ctx context.Context, from, to time.Time) (*transparency.Report, error) {
	d.reports.once.Do(func() { d.reports.c = &transparency.Cache{DB: d.DB, TTL: publicReportTTL} })
	return d.reports.c.Get(ctx, from, to)
}

// errNoAuditLog answers the audit reads of a desk without an audit log.
var errNoAuditLog = NotFound("", "not found")

// proofParamError is a KindBadRequest naming the parameter for an audit
// proof parameter outside the log; other errors pass.
func proofParamError(err error) error {
	var pe *audit.ParamError
	if errors.As(err, &pe) {
		return BadRequest(pe.Param, "%s", pe.Message)
	}
	return err
}

// AuditCheckpoint is the audit log's signed checkpoint note.
func (d *Desk) AuditCheckpoint(ctx context.Context) ([]byte, error) {
	if d.AuditLog == nil {
		return nil, errNoAuditLog
	}
	note, _, _, err := d.AuditLog.Checkpoint(ctx)
	return note, err
}

// AuditEntries lists the audit log's entries, optionally of one case.
func (d *Desk) AuditEntries(ctx context.Context, caseID string) ([]audit.Entry, error) {
	if d.AuditLog == nil {
		return nil, errNoAuditLog
	}
	return d.AuditLog.Entries(ctx, caseID)
}

// InclusionProof proves entry index in the log of size (parameters as
// given); a parameter outside the log is a KindBadRequest naming it.
func (d *Desk) InclusionProof(ctx context.Context, indexS, sizeS string) (audit.InclusionResult, error) {
	if d.AuditLog == nil {
		return audit.InclusionResult{}, errNoAuditLog
	}
	cur, err := d.AuditLog.Size(ctx)
	if err != nil {
		return audit.InclusionResult{}, err
	}
	idx, size, err := audit.InclusionParams(indexS, sizeS, cur)
	if err != nil {
		return audit.InclusionResult{}, proofParamError(err)
	}
	p, err := d.AuditLog.ProveInclusion(ctx, idx, size)
	return p, proofParamError(err)
}

// ConsistencyProof proves the log of size to extends that of size from.
func (d *Desk) ConsistencyProof(ctx context.Context, fromS, toS string) (audit.ConsistencyResult, error) {
	if d.AuditLog == nil {
		return audit.ConsistencyResult{}, errNoAuditLog
	}
	cur, err := d.AuditLog.Size(ctx)
	if err != nil {
		return audit.ConsistencyResult{}, err
	}
	from, to, err := audit.ConsistencyParams(fromS, toS, cur)
	if err != nil {
		return audit.ConsistencyResult{}, proofParamError(err)
	}
	p, err := d.AuditLog.ProveConsistency(ctx, from, to)
	return p, proofParamError(err)
}

// CaseHistory returns a case's workflow history as the JSON that
// `temporal workflow show --output json` prints, its payloads decoded.
func (d *Desk) CaseHistory(ctx context.Context, caseID string) ([]byte, error) {
	return d.caseHistory(ctx, caseID, false)
}

// CaseHistoryEncoded returns the history as Temporal stores it (payloads
// encrypted), for the Temporal CLI or UI with the codec endpoint.
func (d *Desk) CaseHistoryEncoded(ctx context.Context, caseID string) ([]byte, error) {
	return d.caseHistory(ctx, caseID, true)
}

// caseHistory reads the history from Temporal, or, when Temporal no
// longer has it, its export (Archive).
func (d *Desk) caseHistory(ctx context.Context, caseID string, encoded bool) ([]byte, error) {
	decode := !encoded && d.Decoder != nil
	h, err := d.Engine.History(ctx, workflows.CaseWorkflowID(caseID))
	if err != nil {
		if d.Archive == nil {
			return nil, err
		}
		b, aerr := d.Archive.ExportedHistory(ctx, workflows.CaseWorkflowID(caseID))
		if aerr != nil {
			return nil, err
		}
		if !decode {
			return b, nil
		}
		h = &historypb.History{}
		if err := protojson.Unmarshal(b, h); err != nil {
			return nil, err
		}
	}
	if decode {
		if err := d.Decoder.DecodeHistory(ctx, h); err != nil {
			return nil, err
		}
	}
	return protojson.Marshal(h)
}

// StoreArchive is the HistoryArchive of the history_exports table (the
// exporter in app fills it).
type StoreArchive struct{ DB *gorm.DB }

// ExportedHistory implements HistoryArchive (store.ExportedHistory).
func (a StoreArchive) ExportedHistory(ctx context.Context, workflowID string) ([]byte, error) {
	return store.ExportedHistory(ctx, a.DB, workflowID)
}
