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
	r.RegisterWorkflowWithOptions(workflows.CaseWorkflow3, workflow.RegisterOptions{Name: workflows.WorkflowCase3})
	r.RegisterWorkflowWithOptions(workflows.TerminationReview, workflow.RegisterOptions{Name: workflows.WorkflowTerminationReview})
	r.RegisterWorkflowWithOptions(workflows.PurgeWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowPurge})
	r.RegisterWorkflowWithOptions(workflows.ForwardBatch, workflow.RegisterOptions{Name: workflows.WorkflowForwardBatch})
	r.RegisterWorkflowWithOptions(workflows.NoticeBounceWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowNoticeBounce})
	r.RegisterWorkflowWithOptions(workflows.MitigationWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowMitigation})
	r.RegisterWorkflowWithOptions(workflows.OrderWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowOrder})
	r.RegisterWorkflowWithOptions(workflows.ReferralWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowReferral})
}

// workflowTaskPollers and activityTaskPollers are a worker's pollers. A
// workflow-task poller holds a slot while it polls, so they are few: most
// first tasks come with their start (Slots); the rest (timers, answers,
// decisions) wait for a poll. Activities poll with as many as the load
// driver's baseline worker does.
const (
	workflowTaskPollers = 4
	activityTaskPollers = 16
)

// localActivitySlots and nexusSlots are the SDK's defaults.
const (
	localActivitySlots = 1000
	nexusSlots         = 1000
)

// New returns a worker on taskQueue running every workflow and activity,
// and its workflow-task slots. workflowTasks and activities are its
// concurrent slots (config keys worker_workflow_tasks and
// worker_activities).
func New(c client.Client, taskQueue string, acts *activities.Activities, workflowTasks, activitySlots int) (sdkworker.Worker, *Slots, error) {
	slots, err := NewSlots(workflowTasks)
	if err != nil {
		return nil, nil, err
	}
	fixed := func(n int) sdkworker.SlotSupplier {
		s, _ := sdkworker.NewFixedSizeSlotSupplier(n) // n > 0: never an error
		return s
	}
	tuner, err := sdkworker.NewCompositeTuner(sdkworker.CompositeTunerOptions{
		WorkflowSlotSupplier:        slots,
		ActivitySlotSupplier:        fixed(activitySlots),
		LocalActivitySlotSupplier:   fixed(localActivitySlots),
		NexusSlotSupplier:           fixed(nexusSlots),
		SessionActivitySlotSupplier: fixed(activitySlots),
	})
	if err != nil {
		return nil, nil, err
	}
	w := sdkworker.New(c, taskQueue, sdkworker.Options{
		// A case's workflow task runs its local activities (notices,
		// classification, status) before it completes, so it mostly waits
		// on the database: the slots bound how many do at once, and the
		// intake waits for a free one before each start (Slots.WaitFree).
		Tuner:                            tuner,
		MaxConcurrentWorkflowTaskPollers: workflowTaskPollers,
		MaxConcurrentActivityTaskPollers: activityTaskPollers,
		// On stop, let running activities finish and report (a notice sent
		// but not yet marked sent would otherwise wait out its timeout and
		// risk a second delivery).
		WorkerStopTimeout: 10 * time.Second,
	})
	RegisterWorkflows(w)
	activities.Register(w, acts)
	return w, slots, nil
}
