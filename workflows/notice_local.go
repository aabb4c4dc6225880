package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
)

// changeLocalNotices: a case sends its notices as local activities first
// (docs/DESIGN.md "Speed"). A notice is a database row and, with a relay
// configured, one SMTP transaction; run in the worker inside the workflow
// task, a CDN case (receipt, forwards, reply, close) completes in the
// workflow task its start hands back, with none of the task-queue and
// history writes of four regular activities. A send that fails or takes
// longer than localNoticeTimeout falls back to the regular activity with
// its retry policy (a relay down for hours still gets the notice out).
// SendNotice is idempotent per case step, so the fallback never doubles a
// notice that the local attempt already delivered and recorded.
const changeLocalNotices = "local-notices-20261206"

// localNoticeTimeout bounds one local attempt: well inside the workflow
// task's own timeout, long enough for a relay that answers.
const localNoticeTimeout = 5 * time.Second

var localNoticeOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: localNoticeTimeout,
	RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
}

// localNotice runs one notice as a local activity and, when that attempt
// fails, as a regular activity; the future is set with the outcome.
func (s *caseState) localNotice(ctx workflow.Context, in activities.NoticeInput) workflow.Future {
	f, set := workflow.NewFuture(ctx)
	workflow.Go(ctx, func(ctx workflow.Context) {
		var r activities.NoticeResult
		err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localNoticeOptions),
			activities.ActSendNotice, in).Get(ctx, &r)
		// An invalid notice fails a regular attempt the same way.
		var app *temporal.ApplicationError
		if err != nil && !(errors.As(err, &app) && app.Type() == activities.ErrTypeInvalidNotice) {
			err = workflow.ExecuteActivity(withNotice(ctx), activities.ActSendNotice, in).Get(ctx, &r)
		}
		set.Set(r, err)
	})
	return f
}
