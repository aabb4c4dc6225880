package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
)

// Stable names of the bounce handling (issue 20: bounces are noticed).
const (
	// WorkflowNoticeBounce is the registration name of NoticeBounceWorkflow.
	WorkflowNoticeBounce = "NoticeBounce"
)

const noticeBouncePrefix = "NoticeBounce:"

// NoticeBounceWorkflowID is the workflow ID of the bounce handling of a
// notice: one per notice, so a second DSN for it starts nothing.
func NoticeBounceWorkflowID(noticeID string) string { return noticeBouncePrefix + noticeID }

// NoticeBounceResult is what the bounce handling did.
type NoticeBounceResult struct {
	Found   bool
	CaseID  string
	Outcome activities.BounceOutcome
}

// NoticeBounceWorkflow handles one bounced notice, apart from the case's
// own workflow (whose commands it never touches): it marks the notice
// bounced, then redirects a hosting provider's notice to the network's
// abuse contact, or flags the case for an analyst, or marks the reporter
// unreachable (activities.HandleBouncedNotice). An unknown notice ends it.
func NoticeBounceWorkflow(ctx workflow.Context, in activities.BounceInput) (NoticeBounceResult, error) {
	var rec activities.BounceRecord
	if err := workflow.ExecuteActivity(withDB(ctx), activities.ActRecordBounce, in).Get(ctx, &rec); err != nil {
		return NoticeBounceResult{}, err
	}
	if !rec.Found {
		workflow.GetLogger(ctx).Info("bounce names no notice", "notice_id", in.NoticeID)
		return NoticeBounceResult{}, nil
	}
	out := NoticeBounceResult{Found: true, CaseID: rec.CaseID}
	if rec.Redirected {
		out.Outcome.Action = activities.BounceRedirected
		return out, nil
	}
	err := workflow.ExecuteActivity(withNotice(ctx), activities.ActHandleBouncedNotice, rec).Get(ctx, &out.Outcome)
	return out, err
}
