package codec

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

func greetActivity(_ context.Context, n notice) (string, error) {
	if strings.HasPrefix(n.Recipient, "bounce") {
		return "", temporal.NewNonRetryableApplicationError("550 no such user "+n.Recipient, "Bounce", nil)
	}
	return "notice sent to " + n.Recipient, nil
}

func greetWorkflow(ctx workflow.Context, n notice) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var out string
	err := workflow.ExecuteActivity(ctx, "greet", n).Get(ctx, &out)
	return out, err
}

func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	ring := testRing(t, "k2:"+testKey(2), "k1:"+testKey(1))
	env.SetDataConverter(DataConverter(ring))
	env.SetFailureConverter(FailureConverter(ring))
	env.RegisterWorkflow(greetWorkflow)
	env.RegisterActivityWithOptions(greetActivity, activity.RegisterOptions{Name: "greet"})
	return env
}

func TestWorkflowRunsWithEncryptedPayloads(t *testing.T) {
	env := newEnv(t)
	env.ExecuteWorkflow(greetWorkflow, notice{Recipient: email})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var got string
	require.NoError(t, env.GetWorkflowResult(&got))
	require.Equal(t, "notice sent to "+email, got)
}

func TestWorkflowFailureSurvivesEncryption(t *testing.T) {
	env := newEnv(t)
	env.ExecuteWorkflow(greetWorkflow, notice{Recipient: "bounce@example.org"})
	require.True(t, env.IsWorkflowCompleted())
	err := env.GetWorkflowError()
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr))
	require.Equal(t, "Bounce", appErr.Type())
	require.Contains(t, appErr.Error(), "550 no such user bounce@example.org")
}
