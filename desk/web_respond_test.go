package desk

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// webDesk is a Desk over a fresh SQLite database, for the pages' reads.
func webDesk(t *testing.T, cfg *config.Config) *Desk {
	t.Helper()
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "t.db"), "")
	require.NoError(t, err)
	require.NoError(t, store.Migrate(db))
	return &Desk{Cfg: cfg, DB: db}
}

// TestWebDisputeDecideBy: the response page's decision date is the
// case's deadline once the workflow recorded the dispute, else the review
// window after the answer; a closed case or no window promises nothing.
func TestWebDisputeDecideBy(t *testing.T) {
	ctx := context.Background()
	d := webDesk(t, &config.Config{DisputeReviewWindow: 7 * 24 * time.Hour})
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	deadline := at.Add(5 * 24 * time.Hour)
	require.NoError(t, d.DB.Create(&models.Case{ID: "C-disputed", Status: models.StatusDisputed, NextDeadline: &deadline}).Error)
	require.NoError(t, d.DB.Create(&models.Case{ID: "C-waiting", Status: models.StatusAwaitingOperator}).Error)
	reply := models.OperatorReply{Response: AnswerDispute, CreatedAt: at}

	by, err := d.DisputeDecideBy(ctx, OperatorView{CaseID: "C-disputed", Status: models.StatusDisputed}, reply)
	require.NoError(t, err)
	require.NotNil(t, by)
	require.True(t, deadline.Equal(*by), "the recorded deadline: %v", by)

	by, err = d.DisputeDecideBy(ctx, OperatorView{CaseID: "C-waiting", Status: models.StatusAwaitingOperator}, reply)
	require.NoError(t, err)
	require.NotNil(t, by)
	require.Equal(t, at.Add(7*24*time.Hour), *by, "the review window after the answer")

	by, err = d.DisputeDecideBy(ctx, OperatorView{CaseID: "C-waiting", Status: models.StatusClosed}, reply)
	require.NoError(t, err)
	require.Nil(t, by, "a closed case")

	d.Cfg.DisputeReviewWindow = 0
	by, err = d.DisputeDecideBy(ctx, OperatorView{CaseID: "C-waiting", Status: models.StatusAwaitingOperator}, reply)
	require.NoError(t, err)
	require.Nil(t, by, "no review window")

	_, err = d.DisputeDecideBy(ctx, OperatorView{CaseID: "C-none"}, reply)
	code, _ := StatusOf(err)
	require.Equal(t, 404, code)
}

// TestWebOperatorAnswerAndReportExtras: the recorded answer of a notice
// (nil before one), and the report fields the case page shows.
func TestWebOperatorAnswerAndReportExtras(t *testing.T) {
	ctx := context.Background()
	d := webDesk(t, &config.Config{})
	r, err := d.OperatorAnswer(ctx, "n-1")
	require.NoError(t, err)
	require.Nil(t, r)
	require.NoError(t, d.DB.Create(&models.OperatorReply{NoticeID: "n-1", CaseID: "C1", Response: AnswerRemoved, CreatedAt: time.Now()}).Error)
	r, err = d.OperatorAnswer(ctx, "n-1")
	require.NoError(t, err)
	require.NotNil(t, r)
	require.Equal(t, AnswerRemoved, r.Response)

	require.NoError(t, d.DB.Create(&models.Case{ID: "C1", Category: models.CategoryCopyright, CopyrightWork: "My song",
		CopyrightSig: "A. Author", ForwardToOperator: true}).Error)
	x, err := d.ReportExtras(ctx, "C1")
	require.NoError(t, err)
	require.Equal(t, ReportExtras{Work: "My song", Signature: "A. Author", Forward: true}, x)
	_, err = d.ReportExtras(ctx, "C-none")
	code, _ := StatusOf(err)
	require.Equal(t, 404, code)
}
