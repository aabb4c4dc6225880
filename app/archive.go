package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/protobuf/encoding/protojson"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/server"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// Histories that outlive Temporal's retention (DESIGN.md step 8). Temporal
// deletes a closed run when the namespace's retention ends. Its own history
// archival does not keep GET /v1/cases/{id}/history working: the frontend
// reads the archive only when the request names the run id
// (WorkflowHandler.historyArchived), which the endpoint does not know, the
// archive sits on the Temporal server's disk, and an external cluster may
// not archive at all. So every process that serves HTTP also runs an
// exporter: every history_export_interval it copies the history of each
// closed case (and closed termination review) that has no export yet from
// Temporal into the history_exports table, byte for byte what the endpoint
// serves with ?encoded=1, and records the copy's SHA-256 in the audit log. The endpoint
// reads the export when Temporal no longer has the run. The table lives in
// abusedesk's own database, so it works for split deployments and goes with
// the database's backups. The workflows are not involved: a case closes as
// before, and its export follows within one interval of its run closing.
func init() {
	store.Extra = append(store.Extra, func(db *gorm.DB) error { return db.AutoMigrate(&HistoryExport{}) })
	OnStart(func(ctx context.Context, a *App) error { return a.startHistoryExport() })
}

// HistoryExport is the exported history of one closed workflow run: the
// JSON that `temporal workflow show --output json` prints (protojson of
// historypb.History) with the payloads as stored, encrypted by the codec,
// so it replays with the same data converter. The history endpoint serves
// it as is with ?encoded=1 and decodes it otherwise.
type HistoryExport struct {
	WorkflowID string `gorm:"primaryKey"`
	// RunID is the exported run ("" when Temporal no longer had the
	// workflow at export time: the exporter was off for longer than the
	// retention). A review's workflow id is reused by the account's next
	// review of the same kind, so a workflow may have several runs here.
	RunID string `gorm:"primaryKey"`
	// CaseID is the case (for a case and its ForwardBatch children), or
	// the termination review's workflow id.
	CaseID string `gorm:"not null;index"`
	// SHA256 is the hex SHA-256 of History, also in the audit log's
	// history_export entry of the run.
	SHA256  string `gorm:"not null"`
	History []byte
	// ExportedAt is when the run was (last found) exported.
	ExportedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name stable whatever GORM's naming strategy.
func (HistoryExport) TableName() string { return "history_exports" }

// exportBatch bounds the workflows one exporter round looks at.
const exportBatch = 100

// startHistoryExport serves exported histories from the history endpoint
// and starts the exporter, in processes that serve HTTP.
func (a *App) startHistoryExport() error {
	if a.Role == RoleWorker {
		return nil
	}
	cfg, err := config.LoadAudit(a.Cfg.File)
	if err != nil {
		return err
	}
	db := a.DB
	server.HistoryArchive = func(ctx context.Context, caseID string) ([]byte, error) {
		return ExportedHistory(ctx, db, workflows.CaseWorkflowID(caseID))
	}
	if cfg.HistoryExportInterval <= 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	a.AddStop(func() { cancel(); <-done })
	go func() {
		defer close(done)
		t := time.NewTicker(cfg.HistoryExportInterval)
		defer t.Stop()
		for {
			if n, err := a.ExportHistories(ctx); err != nil && ctx.Err() == nil {
				a.Log.Warn("history export failed", "err", err)
			} else if n > 0 {
				a.Log.Debug("exported workflow histories", "count", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return nil
}

// ExportedHistory returns the exported history of a workflow's latest
// exported run, or gorm.ErrRecordNotFound.
func ExportedHistory(ctx context.Context, db *gorm.DB, workflowID string) ([]byte, error) {
	var e HistoryExport
	if err := db.WithContext(ctx).Where("workflow_id = ?", workflowID).Order("exported_at DESC").Take(&e).Error; err != nil {
		return nil, err
	}
	if len(e.History) == 0 {
		return nil, fmt.Errorf("history of %s was gone from Temporal before it was exported: %w", workflowID, gorm.ErrRecordNotFound)
	}
	return e.History, nil
}

// ExportHistories exports the histories of closed cases (with their
// ForwardBatch children) and closed termination reviews that have none
// yet, and returns how many workflows it exported. A run still finishing
// (the read model says closed a moment before the workflow completes) is
// left for the next round.
func (a *App) ExportHistories(ctx context.Context) (int, error) {
	pending, err := a.unexported(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range pending {
		ok, err := a.exportHistory(ctx, p)
		if err != nil {
			return n, fmt.Errorf("export %s: %w", p.workflowID, err)
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// pendingExport is a closed workflow without an export.
type pendingExport struct{ workflowID, caseID string }

// unexported lists closed cases without an export and closed reviews
// whose last change is newer than their last export, oldest first.
func (a *App) unexported(ctx context.Context) ([]pendingExport, error) {
	db := a.DB.WithContext(ctx)
	var cases, reviews []string
	if err := db.Model(&models.Case{}).
		Where("status = ? AND NOT EXISTS (SELECT 1 FROM history_exports h WHERE h.case_id = cases.id)", models.StatusClosed).
		Order("closed_at").Limit(exportBatch).Pluck("id", &cases).Error; err != nil {
		return nil, err
	}
	if err := db.Model(&models.Review{}).
		Where("status = ? AND NOT EXISTS (SELECT 1 FROM history_exports h WHERE h.workflow_id = reviews.id AND h.exported_at >= reviews.updated_at)", "closed").
		Order("updated_at").Limit(exportBatch).Pluck("id", &reviews).Error; err != nil {
		return nil, err
	}
	out := make([]pendingExport, 0, len(cases)+len(reviews))
	for _, id := range cases {
		out = append(out, pendingExport{workflows.CaseWorkflowID(id), id})
	}
	for _, id := range reviews {
		out = append(out, pendingExport{id, id})
	}
	return out, nil
}

// exportHistory copies a closed workflow's latest run, and the runs of the
// ForwardBatch children it started (closed before it), in one
// transaction; false when the run is still open.
func (a *App) exportHistory(ctx context.Context, p pendingExport) (bool, error) {
	now := time.Now().UTC()
	desc, err := a.Temporal.DescribeWorkflowExecution(ctx, p.workflowID, "")
	var notFound *serviceerror.NotFound
	var rows []HistoryExport
	switch {
	case errors.As(err, &notFound):
		a.Log.Warn("workflow history was gone before it was exported", "workflow_id", p.workflowID)
		rows = append(rows, HistoryExport{WorkflowID: p.workflowID, CaseID: p.caseID, SHA256: sha256Hex(nil), ExportedAt: now})
	case err != nil:
		return false, err
	case desc.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return false, nil
	default:
		run := desc.GetWorkflowExecutionInfo().GetExecution()
		h, err := a.exportRun(ctx, run.GetWorkflowId(), run.GetRunId(), p.caseID, now, &rows)
		if err != nil {
			return false, err
		}
		for _, ev := range h.GetEvents() {
			c := ev.GetChildWorkflowExecutionStartedEventAttributes()
			if c.GetWorkflowType().GetName() != workflows.WorkflowForwardBatch {
				continue
			}
			if _, err := a.exportRun(ctx, c.GetWorkflowExecution().GetWorkflowId(), c.GetWorkflowExecution().GetRunId(), p.caseID, now, &rows); err != nil {
				return false, err
			}
		}
	}
	err = a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, e := range rows {
			// A run exported before (a review whose row changed since) is
			// marked found again, so that it is not looked at every round.
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "workflow_id"}, {Name: "run_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"exported_at"})}).Create(&e).Error; err != nil {
				return err
			}
		}
		for _, e := range rows {
			if _, err := audit.Append(tx, audit.NewEntry{Actor: "system", CaseID: e.CaseID, Kind: "history_export",
				DedupKey: "history_export:" + e.WorkflowID + ":" + e.RunID, Details: HistoryExportDetails(e.WorkflowID, e.RunID, e.SHA256)}); err != nil {
				return err
			}
		}
		return nil
	})
	return err == nil, err
}

// HistoryExportDetails are the details digested into the audit log's
// history_export entry of a run: an auditor who downloads a history with
// ?encoded=1 recomputes them (the SHA-256 of the bytes served) and checks
// audit.DetailsDigest of them against the entry's details_digest.
func HistoryExportDetails(workflowID, runID, sha string) map[string]string {
	return map[string]string{"workflow_id": workflowID, "run_id": runID, "history_sha256": sha}
}

// exportRun reads one run's whole history, payloads as stored, in the form
// the history endpoint serves with ?encoded=1 (server.Server.
// CaseHistoryEncoded, which reads only a case's latest run), and adds its
// export to rows.
func (a *App) exportRun(ctx context.Context, workflowID, runID, caseID string, now time.Time, rows *[]HistoryExport) (*historypb.History, error) {
	it := a.Temporal.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("history of %s run %s: %w", workflowID, runID, err)
		}
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.Marshal(h)
	if err != nil {
		return nil, err
	}
	*rows = append(*rows, HistoryExport{WorkflowID: workflowID, RunID: runID, CaseID: caseID, SHA256: sha256Hex(b), History: b, ExportedAt: now})
	return h, nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
