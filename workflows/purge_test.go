package workflows

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
)

// fakeCases plays the database for the purge: closed cases with their close
// time and legal hold, erased once, in batches, as the activity does.
type fakeCases struct {
	mu     sync.Mutex
	closed map[string]time.Time
	held   map[string]bool
	erased map[string]bool
	inputs []activities.PurgeInput
}

func newFakeCases() *fakeCases {
	return &fakeCases{closed: map[string]time.Time{}, held: map[string]bool{}, erased: map[string]bool{}}
}

func (f *fakeCases) erase(_ context.Context, in activities.PurgeInput) (activities.PurgeResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inputs = append(f.inputs, in)
	var due []string
	var res activities.PurgeResult
	for id, at := range f.closed {
		switch {
		case !at.Before(in.ClosedBefore):
		case f.held[id]:
			res.Held++
		case !f.erased[id]:
			due = append(due, id)
		}
	}
	sort.Strings(due)
	if in.Limit > 0 && len(due) > in.Limit {
		due, res.More = due[:in.Limit], true
	}
	for _, id := range due {
		f.erased[id] = true
		res.Cases++
		res.Notices += 3
	}
	return res, nil
}

// runPurge runs one purge at start on a fresh environment.
func runPurge(t *testing.T, start time.Time, in PurgeInput, f *fakeCases) PurgeResult {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(PurgeWorkflow, workflow.RegisterOptions{Name: WorkflowPurge})
	activities.Register(env, &activities.Activities{})
	env.SetStartTime(start)
	env.OnActivity(activities.ActErasePersonalData, mock.Anything, mock.Anything).Return(f.erase)
	env.ExecuteWorkflow(WorkflowPurge, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var out PurgeResult
	require.NoError(t, env.GetWorkflowResult(&out))
	return out
}

func TestPurgeErasesCasesClosedBeforeTheRetentionPeriod(t *testing.T) {
	f := newFakeCases()
	f.closed["old-1"] = t0.Add(-200 * day)
	f.closed["old-2"] = t0.Add(-181 * day)
	f.closed["old-held"] = t0.Add(-300 * day)
	f.held["old-held"] = true
	f.closed["recent"] = t0.Add(-179 * day)

	out := runPurge(t, t0, PurgeInput{PurgeAfter: DefaultPurgeAfter}, f)
	require.Equal(t, t0.Add(-180*day), out.ClosedBefore)
	require.Equal(t, 2, out.Erased.Cases)
	require.Equal(t, 6, out.Erased.Notices)
	require.Equal(t, 1, out.Erased.Held, "the held case is reported, not erased")
	require.False(t, f.erased["old-held"])
	require.False(t, f.erased["recent"])
	for _, in := range f.inputs {
		require.Equal(t, t0.Add(-180*day), in.ClosedBefore, "every batch uses the run's one cutoff")
	}

	// The same run again erases nothing.
	again := runPurge(t, t0, PurgeInput{PurgeAfter: DefaultPurgeAfter}, f)
	require.Zero(t, again.Erased.Cases)
	require.Equal(t, 1, again.Erased.Held)

	// Move the clock two days on: the recent case is now past the period.
	later := runPurge(t, t0.Add(2*day), PurgeInput{PurgeAfter: DefaultPurgeAfter}, f)
	require.Equal(t, 1, later.Erased.Cases)
	require.True(t, f.erased["recent"])
	require.False(t, f.erased["old-held"])
}

func TestPurgeWorksInBatches(t *testing.T) {
	f := newFakeCases()
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		f.closed[id] = t0.Add(-365 * day)
	}
	out := runPurge(t, t0, PurgeInput{PurgeAfter: 24 * time.Hour, BatchSize: 2}, f)
	require.Equal(t, 5, out.Erased.Cases)
	require.Equal(t, 3, out.Batches, "2 + 2 + 1")
	require.Len(t, f.inputs, 3)
	for _, in := range f.inputs {
		require.Equal(t, 2, in.Limit)
		require.Equal(t, t0.Add(-24*time.Hour), in.ClosedBefore)
	}
}

func TestPurgeDefaultsToTheConfiguredPeriod(t *testing.T) {
	f := newFakeCases()
	out := runPurge(t, t0, PurgeInput{}, f)
	require.Equal(t, t0.Add(-DefaultPurgeAfter), out.ClosedBefore)
	require.Zero(t, out.Erased.Cases)
	require.Equal(t, 1, out.Batches)
}

func TestPurgeContinuesAsNewWithItsCutoffAndCounts(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(PurgeWorkflow, workflow.RegisterOptions{Name: WorkflowPurge})
	activities.Register(env, &activities.Activities{})
	env.SetStartTime(t0)
	env.OnActivity(activities.ActErasePersonalData, mock.Anything, mock.Anything).
		Return(activities.PurgeResult{Cases: 1, More: true}, nil)
	env.ExecuteWorkflow(WorkflowPurge, PurgeInput{PurgeAfter: DefaultPurgeAfter, BatchSize: 1})
	require.True(t, env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(env.GetWorkflowError(), &can), "%v", env.GetWorkflowError())
	require.Equal(t, WorkflowPurge, can.WorkflowType.Name)
	var next PurgeInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.NotNil(t, next.ClosedBefore)
	require.Equal(t, t0.Add(-DefaultPurgeAfter), *next.ClosedBefore, "the continuation keeps the first run's cutoff")
	require.Equal(t, purgeBatchesPerRun, next.Totals.Cases)
	require.Equal(t, purgeBatchesPerRun, next.Batches)
	require.Equal(t, 1, next.BatchSize)
}

func TestPurgeRetriesAFailedBatch(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(PurgeWorkflow, workflow.RegisterOptions{Name: WorkflowPurge})
	activities.Register(env, &activities.Activities{})
	env.SetStartTime(t0)
	env.OnActivity(activities.ActErasePersonalData, mock.Anything, mock.Anything).
		Return(activities.PurgeResult{}, errors.New("database is away")).Once()
	env.OnActivity(activities.ActErasePersonalData, mock.Anything, mock.Anything).
		Return(activities.PurgeResult{Cases: 4}, nil).Once()
	env.ExecuteWorkflow(WorkflowPurge, PurgeInput{PurgeAfter: DefaultPurgeAfter})
	require.NoError(t, env.GetWorkflowError())
	var out PurgeResult
	require.NoError(t, env.GetWorkflowResult(&out))
	require.Equal(t, 4, out.Erased.Cases)
	env.AssertExpectations(t)
}
