package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
)

// Stable names of the personal-data purge (docs/DESIGN.md step 9: personal data
// is erased from the database a set period after closing).
const (
	// WorkflowPurge is the registration name of PurgeWorkflow.
	WorkflowPurge = "PurgePersonalData"
	// PurgeScheduleID is the Temporal Schedule that starts the purge daily;
	// its runs get workflow IDs derived from it.
	PurgeScheduleID = "abusedesk-purge"
)

// DefaultPurgeAfter is the configured default of purge_after: 180 days.
const DefaultPurgeAfter = 180 * 24 * time.Hour

// purgeBatchesPerRun bounds one run's history (three events per batch);
// past it the run continues as new with its cutoff and counts.
const purgeBatchesPerRun = 500

// purgeActivityOptions: one batch is a single transaction over at most
// DefaultPurgeBatch cases and their rows, seconds even on a busy database;
// five minutes is ample. A database that is away is waited for with
// backoff: the purge is idempotent and nothing else waits on it.
var purgeActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 5 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    5 * time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    10 * time.Minute,
	},
}

// PurgeInput configures one purge run.
type PurgeInput struct {
	// PurgeAfter is how long after closing a case keeps its personal data.
	PurgeAfter time.Duration
	// BatchSize is the cases erased per activity call (0: the activity's
	// default).
	BatchSize int
	// ClosedBefore and Totals carry a run's cutoff and counts across
	// continue-as-new; a new run leaves them empty.
	ClosedBefore *time.Time
	Totals       activities.PurgeResult
	Batches      int
}

// PurgeResult says what one run (with its continuations) erased.
type PurgeResult struct {
	ClosedBefore time.Time
	Erased       activities.PurgeResult
	Batches      int
}

// PurgeWorkflow erases the personal data of every case closed more than
// PurgeAfter ago and not under a legal hold, batch by batch, and reports
// the counts. Running it twice erases nothing the second time.
func PurgeWorkflow(ctx workflow.Context, in PurgeInput) (PurgeResult, error) {
	if in.PurgeAfter <= 0 {
		in.PurgeAfter = DefaultPurgeAfter
	}
	cutoff := workflow.Now(ctx).Add(-in.PurgeAfter).UTC()
	if in.ClosedBefore != nil {
		cutoff = *in.ClosedBefore
	}
	ctx = workflow.WithActivityOptions(ctx, purgeActivityOptions)
	out := PurgeResult{ClosedBefore: cutoff, Erased: in.Totals, Batches: in.Batches}
	for run := 0; ; run++ {
		if run == purgeBatchesPerRun {
			next := in
			next.ClosedBefore, next.Totals, next.Batches = &cutoff, out.Erased, out.Batches
			return PurgeResult{}, workflow.NewContinueAsNewError(ctx, WorkflowPurge, next)
		}
		var res activities.PurgeResult
		if err := workflow.ExecuteActivity(ctx, activities.ActErasePersonalData, activities.PurgeInput{
			ClosedBefore: cutoff, Limit: in.BatchSize,
		}).Get(ctx, &res); err != nil {
			return out, err
		}
		out.Erased.Add(res)
		out.Batches++
		if !res.More {
			workflow.GetLogger(ctx).Info("personal data purge finished", "closed_before", cutoff,
				"cases", out.Erased.Cases, "held", out.Erased.Held, "batches", out.Batches)
			return out, nil
		}
	}
}
