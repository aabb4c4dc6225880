package desk

import (
	"context"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/workflows"
)

// Temporal is the Engine over a Temporal client (and intake's
// CaseStarter).
type Temporal struct {
	Client client.Client
	// TaskQueue is where StartMitigation starts workflows (""
	// workflows.TaskQueue).
	TaskQueue string
}

var _ intake.CaseStarter = Temporal{}

// StartCase starts a case's workflow on taskQueue, or finds it running
// (not an error: a retried submission or the reconciler starts it again).
func (t Temporal) StartCase(ctx context.Context, taskQueue string, in workflows.CaseInput) error {
	opts := client.StartWorkflowOptions{
		ID: workflows.CaseWorkflowID(in.CaseID), TaskQueue: taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		// Where a worker shares this client (the all-in-one process), the
		// server hands the first workflow task back with the start instead
		// of queueing it through matching: one round trip and one task-queue
		// write fewer per report. Elsewhere the SDK does not ask for it.
		EnableEagerStart: true,
		// The category only: the status, service and domain are the
		// case's to upsert once it waits on someone (setStatus); a CDN
		// case closed in its first workflow task writes none, its
		// execution status says it is closed (docs/DESIGN.md "Speed").
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SACaseCategory.ValueSet(string(in.Category)),
		),
	}
	_, err := t.Client.ExecuteWorkflow(ctx, opts, workflows.WorkflowCase3, in)
	if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return nil
	}
	return err
}

var _ Engine = Temporal{}

// Signal implements Engine.
func (t Temporal) Signal(ctx context.Context, workflowID, name string, arg any) error {
	return t.Client.SignalWorkflow(ctx, workflowID, "", name, arg)
}

// Query implements Engine.
func (t Temporal) Query(ctx context.Context, workflowID, name string, out any) error {
	v, err := t.Client.QueryWorkflow(ctx, workflowID, "", name)
	if err != nil {
		return err
	}
	return v.Get(out)
}

// Update implements Engine.
func (t Temporal) Update(ctx context.Context, workflowID, name string, arg, out any) error {
	h, err := t.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: name, Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, out)
}

// History implements Engine.
func (t Temporal) History(ctx context.Context, workflowID string) (*historypb.History, error) {
	it := t.Client.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, err
		}
		h.Events = append(h.Events, ev)
	}
	return h, nil
}

// Healthy implements Engine.
func (t Temporal) Healthy(ctx context.Context) error {
	_, err := t.Client.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

// Closed implements Engine.
func (t Temporal) Closed(ctx context.Context, workflowID string) (bool, error) {
	desc, err := t.Client.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return false, err
	}
	return desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, nil
}

// StartMitigation implements Engine.
func (t Temporal) StartMitigation(ctx context.Context, id string, in workflows.MitigationInput) error {
	q := t.TaskQueue
	if q == "" {
		q = workflows.TaskQueue
	}
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: q,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.WorkflowMitigation, in)
	if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return nil
	}
	return err
}
