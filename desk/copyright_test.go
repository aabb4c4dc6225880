package desk

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// signalEngine is fakeEngine recording signals, answering them with err.
type signalEngine struct {
	fakeEngine
	err     error
	signals []string
}

func (s *signalEngine) Signal(_ context.Context, wfID, name string, _ any) error {
	s.signals = append(s.signals, wfID+" "+name)
	return s.err
}

func incompleteCase(t *testing.T, d *Desk, id string) models.Case {
	cs := models.Case{ID: id, Category: models.CategoryCopyright, Status: models.StatusClosed, CopyrightWork: "W",
		CopyrightIncomplete: true, CopyrightMissing: "good_faith,accurate_under_penalty,signature", WorkflowStarted: true, CreatedAt: time.Now().UTC()}
	require.NoError(t, d.DB.Create(&cs).Error)
	return cs
}

// Issue 14: completing an incomplete copyright complaint records the
// statements, clears the flag and signals the case; a case whose workflow
// has ended keeps the completion and says no DMCA notice will go out.
func TestCompleteCopyright(t *testing.T) {
	d, _ := testDesk(t)
	e := &signalEngine{}
	d.Engine = e
	ctx := context.Background()
	full := CopyrightCompletion{GoodFaith: true, AccurateUnderPenalty: true, Signature: " /J D/ "}

	cs := incompleteCase(t, d, "c1")
	_, err := d.CompleteCopyright(ctx, cs, CopyrightCompletion{GoodFaith: true})
	status, problems := StatusOf(err)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Len(t, problems, 2, "accurate_under_penalty and signature are still missing")

	ans, err := d.CompleteCopyright(ctx, cs, full)
	require.NoError(t, err)
	require.Equal(t, DMCAPending, ans.DMCANotice)
	require.False(t, ans.Replayed)
	require.Equal(t, []string{workflows.CaseWorkflowID("c1") + " " + workflows.SignalCopyrightCompleted}, e.signals)
	var got models.Case
	require.NoError(t, d.DB.First(&got, "id = ?", "c1").Error)
	require.False(t, got.CopyrightIncomplete)
	require.Empty(t, got.CopyrightMissing)
	require.Equal(t, "/J D/", got.CopyrightSig)
	require.NotNil(t, got.CopyrightCompletedAt)

	// Sent again: answered and signalled again, not recorded twice; a
	// different signature conflicts.
	ans, err = d.CompleteCopyright(ctx, got, full)
	require.NoError(t, err)
	require.True(t, ans.Replayed)
	_, err = d.CompleteCopyright(ctx, got, CopyrightCompletion{GoodFaith: true, AccurateUnderPenalty: true, Signature: "other"})
	status, _ = StatusOf(err)
	require.Equal(t, http.StatusConflict, status)

	// The workflow has ended: recorded, and said so.
	e.err = serviceerror.NewNotFound("workflow execution already completed")
	ans, err = d.CompleteCopyright(ctx, incompleteCase(t, d, "c2"), full)
	require.NoError(t, err)
	require.Equal(t, DMCANotSent, ans.DMCANotice)
	var got2 models.Case
	require.NoError(t, d.DB.First(&got2, "id = ?", "c2").Error)
	require.False(t, got2.CopyrightIncomplete)

	// Not started yet: the notices to come are rendered complete.
	unstarted := incompleteCase(t, d, "c3")
	unstarted.WorkflowStarted = false
	ans, err = d.CompleteCopyright(ctx, unstarted, full)
	require.NoError(t, err)
	require.Equal(t, DMCAPending, ans.DMCANotice)

	// Not a copyright case.
	_, err = d.CompleteCopyright(ctx, models.Case{ID: "p", Category: models.CategoryPhishing}, full)
	status, _ = StatusOf(err)
	require.Equal(t, http.StatusConflict, status)
}
