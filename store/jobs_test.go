package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestUnexportedWorkflows: closed cases without an export and closed
// reviews changed after their last export are listed, oldest first; an
// open case, an exported case and a review exported since its change are
// not. Saving the exports (again, for a review) takes them off the list.
func TestUnexportedWorkflows(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		t0 := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		at := func(m int) *time.Time { v := t0.Add(time.Duration(m) * time.Minute); return &v }
		for _, c := range []models.Case{
			{ID: "late", Status: models.StatusClosed, ClosedAt: at(2)},
			{ID: "early", Status: models.StatusClosed, ClosedAt: at(1)},
			{ID: "exported", Status: models.StatusClosed, ClosedAt: at(0)},
			{ID: "open", Status: models.StatusReceived},
		} {
			require.NoError(t, db.Create(&c).Error)
		}
		require.NoError(t, db.Create(&models.Review{ID: "rev-changed", Status: string(models.ReviewClosed), UpdatedAt: *at(10)}).Error)
		require.NoError(t, db.Create(&models.Review{ID: "rev-open", Status: string(models.ReviewAwaitingAnalyst)}).Error)
		var journaled []string
		save := func(rows ...store.HistoryExport) {
			require.NoError(t, store.SaveHistoryExports(ctx, db, rows, func(_ *gorm.DB, e store.HistoryExport) error {
				journaled = append(journaled, e.WorkflowID+"/"+e.RunID)
				return nil
			}))
		}
		save(store.HistoryExport{WorkflowID: "AbuseCase:exported", RunID: "r1", CaseID: "exported", SHA256: "x", ExportedAt: *at(5)},
			store.HistoryExport{WorkflowID: "rev-changed", RunID: "r1", CaseID: "rev-changed", SHA256: "x", ExportedAt: *at(5)})

		cases, reviews, err := store.UnexportedWorkflows(ctx, db, 10)
		require.NoError(t, err)
		require.Equal(t, []string{"early", "late"}, cases)
		require.Equal(t, []string{"rev-changed"}, reviews, "changed after its export")

		cases, _, err = store.UnexportedWorkflows(ctx, db, 1)
		require.NoError(t, err)
		require.Equal(t, []string{"early"}, cases, "the limit keeps the oldest")

		// The review's run found again: its export is renewed, not doubled.
		save(store.HistoryExport{WorkflowID: "rev-changed", RunID: "r1", CaseID: "rev-changed", SHA256: "x", ExportedAt: *at(20)})
		_, reviews, err = store.UnexportedWorkflows(ctx, db, 10)
		require.NoError(t, err)
		require.Empty(t, reviews)
		var n int64
		require.NoError(t, db.Model(&store.HistoryExport{}).Where("workflow_id = ?", "rev-changed").Count(&n).Error)
		require.EqualValues(t, 1, n)
		require.Equal(t, []string{"AbuseCase:exported/r1", "rev-changed/r1", "rev-changed/r1"}, journaled)

		known, err := store.NoticeExists(ctx, db, "no-such-notice")
		require.NoError(t, err)
		require.False(t, known)
	})
}
