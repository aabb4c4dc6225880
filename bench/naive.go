package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The baselines the bench can measure on the Temporal server before the
// desk's run: "empty", a workflow that does nothing (the engine's floor
// cost of a workflow), and "naive", a workflow of NaiveActivities
// sequential no-op activities (what a first, naive port of a case to
// Temporal would cost: one activity per step, nothing batched).
const (
	BaselineEmpty = "empty"
	BaselineNaive = "naive"
	BaselineBoth  = "both"
	BaselineNone  = "none"
)

// NaiveWorkflowName and NoopActivityName are the naive baseline's workflow
// and activity, on the bench's own task queue and worker.
const (
	NaiveWorkflowName = "AbusedeskBenchNaive"
	NoopActivityName  = "AbusedeskBenchNoop"
	// NaiveActivities is how many no-op activities the naive workflow
	// runs, one after the other.
	NaiveActivities = 6
)

// baselineKind is one baseline: its name and the workflow it starts.
type baselineKind struct {
	name       string
	workflow   string
	activities int
}

var (
	emptyKind = baselineKind{name: BaselineEmpty, workflow: EmptyWorkflowName}
	naiveKind = baselineKind{name: BaselineNaive, workflow: NaiveWorkflowName, activities: NaiveActivities}
)

// baselineKinds parses a --baseline value into the kinds to measure, in
// the order they run.
func baselineKinds(s string) ([]baselineKind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", BaselineBoth:
		return []baselineKind{emptyKind, naiveKind}, nil
	case BaselineEmpty:
		return []baselineKind{emptyKind}, nil
	case BaselineNaive:
		return []baselineKind{naiveKind}, nil
	case BaselineNone:
		return nil, nil
	}
	return nil, fmt.Errorf("bench: unknown baseline %q (empty, naive, both or none)", s)
}

// naiveWorkflow runs NaiveActivities no-op activities in sequence.
func naiveWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	for i := 0; i < NaiveActivities; i++ {
		if err := workflow.ExecuteActivity(ctx, NoopActivityName).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// noopActivity does nothing: its cost is the engine's cost of an activity
// (schedule, dispatch, start, complete, and a workflow task after it).
func noopActivity(context.Context) error { return nil }

// registerNaive registers the naive baseline on the bench's worker.
func registerNaive(w worker.Worker) {
	w.RegisterWorkflowWithOptions(naiveWorkflow, workflow.RegisterOptions{Name: NaiveWorkflowName})
	w.RegisterActivityWithOptions(noopActivity, activity.RegisterOptions{Name: NoopActivityName})
}
