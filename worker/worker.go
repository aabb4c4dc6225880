// Package worker registers abusedesk's workflows and activities on a
// Temporal worker. Names are the stable constants of packages workflows
// (workflows) and activities (activities/names.go).
package worker

import (
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/workflows"
)

// RegisterWorkflows registers every workflow under its stable name.
func RegisterWorkflows(r interface {
	RegisterWorkflowWithOptions(w interface{}, options workflow.RegisterOptions)
}) {
	r.RegisterWorkflowWithOptions(workflows.CaseWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowCase})
	r.RegisterWorkflowWithOptions(workflows.CaseWorkflow2, workflow.RegisterOptions{Name: workflows.WorkflowCase2})
	r.RegisterWorkflowWithOptions(workflows.TerminationReview, workflow.RegisterOptions{Name: workflows.WorkflowTerminationReview})
	r.RegisterWorkflowWithOptions(workflows.PurgeWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowPurge})
	r.RegisterWorkflowWithOptions(workflows.ForwardBatch, workflow.RegisterOptions{Name: workflows.WorkflowForwardBatch})
	r.RegisterWorkflowWithOptions(workflows.NoticeBounceWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowNoticeBounce})
	r.RegisterWorkflowWithOptions(workflows.MitigationWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowMitigation})
	r.RegisterWorkflowWithOptions(workflows.OrderWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowOrder})
	r.RegisterWorkflowWithOptions(workflows.ReferralWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowReferral})
}

// taskPollers is a worker's workflow-task pollers, and its activity-task
// pollers.
const taskPollers = 16

// New returns a worker on taskQueue running every workflow and activity.
// workflowTasks and activities are its concurrent slots (config keys
// worker_workflow_tasks and worker_activities).
func New(c client.Client, taskQueue string, acts *activities.Activities, workflowTasks, activitySlots int) sdkworker.Worker {
	w := sdkworker.New(c, taskQueue, sdkworker.Options{
		// A case's workflow task runs its local activities (notices,
		// classification, status) before it completes, so it mostly waits
		// on the database. A start from a client this worker shares (the
		// all-in-one process) gets its first workflow task back with the
		// start's answer only when a slot is free at that moment; without
		// one, the task goes through matching and costs a history write
		// more. The default 256 leaves a slot free for every start of a
		// burst of 1,000 (README, Load and faults, counts them).
		MaxConcurrentWorkflowTaskExecutionSize: workflowTasks,
		MaxConcurrentActivityExecutionSize:     activitySlots,
		// A task that was not handed over with its start waits for a poll:
		// with the SDK's two pollers a worker of the split deployment
		// took a burst's tasks at two polls' round trips, its CPU half
		// idle. Sixteen, as the load driver's baseline worker has.
		MaxConcurrentWorkflowTaskPollers: taskPollers,
		MaxConcurrentActivityTaskPollers: taskPollers,
		// On stop, let running activities finish and report (a notice sent
		// but not yet marked sent would otherwise wait out its timeout and
		// risk a second delivery).
		WorkerStopTimeout: 10 * time.Second,
	})
	RegisterWorkflows(w)
	activities.Register(w, acts)
	return w
}
