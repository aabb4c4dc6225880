package desk

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// fakeEngine answers the desk's calls to Temporal from fields.
type fakeEngine struct {
	status    workflows.CaseStatus
	queryErr  error
	updateErr error
	closed    bool
	closedErr error
	updated   []workflows.Decision
}

func (f *fakeEngine) Signal(context.Context, string, string, any) error { return nil }
func (f *fakeEngine) Query(_ context.Context, _, _ string, out any) error {
	if f.queryErr != nil {
		return f.queryErr
	}
	*out.(*workflows.CaseStatus) = f.status
	return nil
}
func (f *fakeEngine) Update(_ context.Context, _, _ string, arg, _ any) error {
	f.updated = append(f.updated, arg.(workflows.Decision))
	return f.updateErr
}
func (f *fakeEngine) History(context.Context, string) (*historypb.History, error) {
	return nil, serviceerror.NewNotFound("no history")
}
func (f *fakeEngine) Closed(context.Context, string) (bool, error) { return f.closed, f.closedErr }
func (f *fakeEngine) Healthy(context.Context) error                { return nil }
func (f *fakeEngine) StartMitigation(context.Context, string, workflows.MitigationInput) error {
	return nil
}

// testDesk is a desk over a fresh SQLite database and a fake engine.
func testDesk(t *testing.T) (*Desk, *fakeEngine) {
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "d.db"), "")
	require.NoError(t, err)
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(t, store.Migrate(db))
	e := &fakeEngine{}
	return &Desk{Cfg: &config.Config{}, DB: db, Engine: e}, e
}

func addCase(t *testing.T, db *gorm.DB, id string, st models.Status) {
	require.NoError(t, db.Create(&models.Case{ID: id, Category: models.CategoryPhishing, Status: st, CreatedAt: time.Now().UTC()}).Error)
}

// TestClassify: the one error table, from desk's own errors and those of
// the layers below to kinds and statuses.
func TestClassify(t *testing.T) {
	cases := []struct {
		err    error
		status int
		field  string
	}{
		{Conflict("verdict", "case is closed"), http.StatusConflict, "verdict"},
		{Fail(KindGone, "token", "expired"), http.StatusGone, "token"},
		{&intake.Invalid{Problems: []models.FieldError{{Field: "urls", Message: "required"}}}, http.StatusUnprocessableEntity, "urls"},
		{intake.ErrUnavailable, http.StatusServiceUnavailable, ""},
		{gorm.ErrRecordNotFound, http.StatusNotFound, ""},
		{serviceerror.NewNotFound("gone"), http.StatusNotFound, ""},
		{temporal.NewApplicationError("already decided", workflows.ErrTypeDecisionConflict), http.StatusConflict, "verdict"},
		{temporal.NewApplicationError("no reason", workflows.ErrTypeMalformedDecision), http.StatusUnprocessableEntity, "verdict"},
		{errors.New("disk on fire"), http.StatusInternalServerError, ""},
	}
	for _, c := range cases {
		status, ps := StatusOf(c.err)
		require.Equal(t, c.status, status, "%v", c.err)
		require.Len(t, ps, 1)
		require.Equal(t, c.field, ps[0].Field, "%v", c.err)
	}
	_, ps := StatusOf(errors.New("secret detail"))
	require.Equal(t, "internal error", ps[0].Message, "an internal error shows no detail")
}

// TestDecideOnCompletedWorkflow: Temporal's NotFound for an Update is a
// conflict when the workflow is there and closed (matched by type and
// state, not by message), and stays not found when there is no workflow.
func TestDecideOnCompletedWorkflow(t *testing.T) {
	d, e := testDesk(t)
	addCase(t, d.DB, "C1", models.StatusAwaitingAnalyst)
	req := DecisionRequest{Verdict: string(workflows.VerdictNoViolation), Reason: "fine"}
	e.updateErr = serviceerror.NewNotFound("some wording")
	e.closed = true
	k, ps := Classify(d.Decide(context.Background(), "C1", req, "ana"))
	require.Equal(t, KindConflict, k)
	require.Equal(t, "case is closed", ps[0].Message)

	e.closed, e.closedErr = false, serviceerror.NewNotFound("no such workflow")
	k, _ = Classify(d.Decide(context.Background(), "C1", req, "ana"))
	require.Equal(t, KindNotFound, k)

	addCase(t, d.DB, "C2", models.StatusClosed)
	k, _ = Classify(d.Decide(context.Background(), "C2", req, "ana"))
	require.Equal(t, KindConflict, k, "a closed case is refused before Temporal is asked")
	require.Len(t, e.updated, 2)

	// Stored, its workflow not started yet (the intake's start queue): a
	// conflict saying to try again, as while the workflow classifies.
	addCase(t, d.DB, "C3", models.StatusReceived)
	k, ps = Classify(d.Decide(context.Background(), "C3", req, "ana"))
	require.Equal(t, KindConflict, k)
	require.Contains(t, ps[0].Message, "still being classified")
}

// TestReporterQuestionFromWorkflow: the reporter's view shows the question
// the workflow recorded with the need_info decision, whatever the notice's
// text says.
func TestReporterQuestionFromWorkflow(t *testing.T) {
	d, e := testDesk(t)
	addCase(t, d.DB, "C1", models.StatusAwaitingReporter)
	require.NoError(t, d.DB.Create(&models.Notice{ID: "N1", CaseID: "C1", Step: "reporter-question-1",
		RecipientRole: models.RoleReporter, Subject: "Question", BodyText: "needs more information to decide your report: NOT THIS",
		CreatedAt: time.Now().UTC()}).Error)
	e.status = workflows.CaseStatus{Decisions: []workflows.Decision{
		{Verdict: workflows.VerdictNeedInfo, Question: "Which page?"},
		{Verdict: workflows.VerdictNeedInfo, Question: "Which account?"},
	}}
	cs, err := store.Case(context.Background(), d.DB, "C1")
	require.NoError(t, err)
	v, err := d.ReporterView(context.Background(), cs)
	require.NoError(t, err)
	require.Equal(t, "Which account?", v.Question)
	require.Len(t, v.Messages, 1)

	e.queryErr = errors.New("temporal away")
	v, err = d.ReporterView(context.Background(), cs)
	require.NoError(t, err)
	require.Empty(t, v.Question)
}

// TestLoadCaseReportsQueryErrors: a failing read fails the case view
// instead of showing a case without its decisions.
func TestLoadCaseReportsQueryErrors(t *testing.T) {
	d, _ := testDesk(t)
	addCase(t, d.DB, "C1", models.StatusClosed)
	_, err := d.LoadCase(context.Background(), "C1")
	require.NoError(t, err)
	require.NoError(t, d.DB.Exec("DROP TABLE decisions").Error)
	_, err = d.LoadCase(context.Background(), "C1")
	require.Error(t, err)
}

// TestDecideReviewService: the service a termination ends travels as the
// decision's Service (the ?service= parameter, or the body's clause), not
// as its Clause; the answer is the review's state after the decision.
func TestDecideReviewService(t *testing.T) {
	d, e := testDesk(t)
	id := workflows.ReviewWorkflowID("acct-1", "hosting")
	require.NoError(t, d.DB.Create(&models.Review{ID: id, AccountID: "acct-1", Kind: "hosting",
		Status: string(models.ReviewAwaitingAnalyst)}).Error)
	go func() {
		time.Sleep(50 * time.Millisecond)
		d.DB.Model(&models.Review{}).Where("id = ?", id).Update("status", string(models.ReviewClosed))
	}()
	req := DecisionRequest{Verdict: string(workflows.VerdictTerminate), Reason: "repeat", LegalBasis: "order 1"}
	res, err := d.DecideReview(context.Background(), "acct-1", "hosting", "cdn", req, "ana")
	require.NoError(t, err)
	require.Equal(t, ReviewAnswer{ReviewID: id, Verdict: "terminate", Status: string(models.ReviewClosed)}, res)
	require.Equal(t, "cdn", e.updated[0].Service)
	require.Empty(t, e.updated[0].Clause)

	k, _ := Classify(func() error {
		_, err := d.DecideReview(context.Background(), "acct-1", "hosting", "", req, "ana")
		return err
	}())
	require.Equal(t, KindConflict, k, "a decided review")
}
