package desk

import (
	"context"

	historypb "go.temporal.io/api/history/v1"

	"github.com/abusedesk/abusedesk/workflows"
)

// Engine is the use cases' one way to Temporal: the few calls they make,
// by workflow id. Temporal's own errors come back as they are, so callers
// match them by type (errors.go does, once).
type Engine interface {
	// Signal sends a signal to a workflow's running execution.
	Signal(ctx context.Context, workflowID, name string, arg any) error
	// Query asks a workflow's latest run and decodes the answer into out.
	Query(ctx context.Context, workflowID, name string, out any) error
	// Update runs an Update to completion and decodes its result into out.
	Update(ctx context.Context, workflowID, name string, arg, out any) error
	// History reads the latest run's whole history, payloads as stored.
	History(ctx context.Context, workflowID string) (*historypb.History, error)
	// Closed reports whether a workflow's latest run has completed (in
	// any way); Temporal's NotFound when there is no such workflow.
	Closed(ctx context.Context, workflowID string) (bool, error)
	// Healthy reports whether Temporal answers.
	Healthy(ctx context.Context) error
	// StartMitigation starts a mitigation's workflow under id
	// (workflows.MitigationWorkflowID), or finds it running.
	StartMitigation(ctx context.Context, id string, in workflows.MitigationInput) error
}
