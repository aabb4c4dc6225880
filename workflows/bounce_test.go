package workflows

import (
	"context"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// runBounce runs the bounce workflow with RecordBounce answering rec and
// counts the calls of HandleBouncedNotice.
func runBounce(t *testing.T, rec activities.BounceRecord) (NoticeBounceResult, int) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(NoticeBounceWorkflow, workflow.RegisterOptions{Name: WorkflowNoticeBounce})
	activities.Register(env, &activities.Activities{})
	in := activities.BounceInput{NoticeID: "n_1", Status: "5.1.1", Reason: "smtp; 550 5.1.1 no such user", MatchedBy: "verp"}
	env.OnActivity(activities.ActRecordBounce, mock.Anything, in).Return(rec, nil).Once()
	handled := 0
	env.OnActivity(activities.ActHandleBouncedNotice, mock.Anything, rec).Return(
		func(_ context.Context, _ activities.BounceRecord) (activities.BounceOutcome, error) {
			handled++
			return activities.BounceOutcome{Action: activities.BounceRedirected, NewNoticeID: "n_2", To: "abuse@other.example"}, nil
		}).Maybe()
	env.ExecuteWorkflow(WorkflowNoticeBounce, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var out NoticeBounceResult
	require.NoError(t, env.GetWorkflowResult(&out))
	return out, handled
}

func TestNoticeBounceHandlesAKnownNotice(t *testing.T) {
	rec := activities.BounceRecord{Found: true, NoticeID: "n_1", CaseID: "c_1", Role: models.RoleHostingProvider, To: "abuse@hosting.example"}
	out, handled := runBounce(t, rec)
	require.Equal(t, 1, handled)
	require.True(t, out.Found)
	require.Equal(t, "c_1", out.CaseID)
	require.Equal(t, "n_2", out.Outcome.NewNoticeID)
}

func TestNoticeBounceIgnoresAnUnknownNotice(t *testing.T) {
	out, handled := runBounce(t, activities.BounceRecord{})
	require.Zero(t, handled)
	require.False(t, out.Found)
}

func TestNoticeBounceDoesNotRedirectTwice(t *testing.T) {
	rec := activities.BounceRecord{Found: true, NoticeID: "n_1", CaseID: "c_1", Role: models.RoleHostingProvider, Redirected: true}
	out, handled := runBounce(t, rec)
	require.Zero(t, handled)
	require.Equal(t, activities.BounceRedirected, out.Outcome.Action)
}
