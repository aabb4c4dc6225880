package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// dbActivityOptions: database writes are fast; a stuck call means the
// database is away, so give up on the attempt quickly and retry for as long
// as it takes (a restart of PostgreSQL must not lose a case).
var dbActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// noticeActivityOptions: an SMTP relay can be down for hours; the notice
// waits (retrying with backoff up to 5 minutes apart) and is sent when it is
// back. The activity is idempotent per case step, so retries never double a
// notice.
var noticeActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        5 * time.Minute,
		NonRetryableErrorTypes: []string{"InvalidNotice"},
	},
}

func withDB(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, dbActivityOptions)
}

func withNotice(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, noticeActivityOptions)
}

// localDBActivityOptions: the case's own read-model writes and the
// classification are short database calls; as local activities they run
// in the worker without a round trip through the task queue (a CDN case is
// mostly such calls), retried like dbActivityOptions.
var localDBActivityOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         dbActivityOptions.RetryPolicy,
}

func withLocalDB(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, localDBActivityOptions)
}
