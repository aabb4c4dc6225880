// Package worker registers abusedesk's workflows and activities on a
// Temporal worker. Names are the stable constants of package workflows.
package worker

import (
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/workflows"
)

// Registry is what both a worker and a replayer register on.
type Registry interface {
	RegisterWorkflowWithOptions(w interface{}, options workflow.RegisterOptions)
	RegisterActivityWithOptions(a interface{}, options activity.RegisterOptions)
}

// RegisterWorkflows registers every workflow under its stable name.
func RegisterWorkflows(r interface {
	RegisterWorkflowWithOptions(w interface{}, options workflow.RegisterOptions)
}) {
	r.RegisterWorkflowWithOptions(workflows.CaseWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowCase})
	r.RegisterWorkflowWithOptions(workflows.TerminationReview, workflow.RegisterOptions{Name: workflows.WorkflowTerminationReview})
	r.RegisterWorkflowWithOptions(workflows.PurgeWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowPurge})
	r.RegisterWorkflowWithOptions(workflows.ForwardBatch, workflow.RegisterOptions{Name: workflows.WorkflowForwardBatch})
}

// New returns a worker on taskQueue running every workflow and activity.
func New(c client.Client, taskQueue string, acts *activities.Activities) sdkworker.Worker {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{
		// The engine is CPU-bound on small machines; these are enough to
		// keep it busy without piling up slots (DESIGN.md measurements).
		MaxConcurrentActivityExecutionSize:     200,
		MaxConcurrentWorkflowTaskExecutionSize: 200,
		// On stop, let running activities finish and report (a notice sent
		// but not yet marked sent would otherwise wait out its timeout and
		// risk a second delivery).
		WorkerStopTimeout: 10 * time.Second,
	})
	RegisterWorkflows(w)
	w.RegisterActivity(acts)
	return w
}
