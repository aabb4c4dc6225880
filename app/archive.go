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

	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// Histories that outlive Temporal's retention (docs/DESIGN.md, step 8). Temporal
// deletes a closed run when the namespace's retention ends. Its own history
// archival does not keep GET /v1/cases/{id}/history working: the frontend
// reads the archive only when the request names the run id
// (WorkflowHandler.historyArchived), which the endpoint does not know, the
// archive sits on the Temporal server's disk, and an external cluster may
// not archive at all. So every process that serves HTTP also runs an
// exporter: every history_export_interval it copies the history of each
// closed case (and closed termination review) that has no export yet from
// Temporal into the history_exports table, byte for byte what the endpoint serves with
// ?encoded=1, and records the copy's SHA-256 in the audit log. The endpoint
// reads the export when Temporal no longer has the run. The table lives in
// abusedesk's own database, so it works for split deployments and goes with
// the database's backups. The workflows are not involved: a case closes as
// before, and its export follows within one interval of its run closing.

// exportBatch bounds the workflows one exporter round looks at.
const exportBatch = 100

// exportHistories is one round of the exporter (see ExportHistories).
func (a *App) exportHistories(ctx context.Context) {
	if n, err := a.ExportHistories(ctx); err != nil && ctx.Err() == nil {
		a.Log.Warn("history export failed", "err", err)
	} else if n > 0 {
		a.Log.Debug("exported workflow histories", "count", n)
	}
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
	cases, reviews, err := store.UnexportedWorkflows(ctx, a.DB, exportBatch)
	if err != nil {
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
	var rows []store.HistoryExport
	switch {
	case errors.As(err, &notFound):
		a.Log.Warn("workflow history was gone before it was exported", "workflow_id", p.workflowID)
		rows = append(rows, store.HistoryExport{WorkflowID: p.workflowID, CaseID: p.caseID, SHA256: sha256Hex(nil), ExportedAt: now})
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
	err = store.SaveHistoryExports(ctx, a.DB, rows, func(tx *gorm.DB, e store.HistoryExport) error {
		_, err := audit.Append(tx, audit.NewEntry{Actor: "system", CaseID: e.CaseID, Kind: "history_export",
			DedupKey: "history_export:" + e.WorkflowID + ":" + e.RunID, Details: HistoryExportDetails(e.WorkflowID, e.RunID, e.SHA256)})
		return err
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
func (a *App) exportRun(ctx context.Context, workflowID, runID, caseID string, now time.Time, rows *[]store.HistoryExport) (*historypb.History, error) {
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
	*rows = append(*rows, store.HistoryExport{WorkflowID: workflowID, RunID: runID, CaseID: caseID, SHA256: sha256Hex(b), History: b, ExportedAt: now})
	return h, nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
