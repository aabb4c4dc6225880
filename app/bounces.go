package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/mailintake"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// Bounces (issue 20): the email intake hands every delivery status
// notification that names a notice to a bounceStarter, which starts the
// notice's bounce workflow (workflows.NoticeBounceWorkflow) for a failure.

// wireBounces gives the email intake its bounce handler and the VERP
// local part of notices' envelope senders.
func (a *App) wireBounces(srv *mailintake.Server) {
	srv.BounceLocalPart = a.Cfg.BounceLocalPart
	srv.Bounces = &bounceStarter{DB: a.DB, Temporal: a.Temporal, TaskQueue: a.Cfg.TaskQueue, Log: a.Log}
}

// bounceStarter starts one NoticeBounce workflow per bounced notice.
type bounceStarter struct {
	DB        *gorm.DB
	Temporal  client.Client
	TaskQueue string
	Log       *slog.Logger
}

var _ mailintake.BounceHandler = (*bounceStarter)(nil)

// HandleBounce starts the bounce handling of a failed notice, once: the
// workflow ID is derived from the notice, so a second DSN for the same
// notice starts nothing. A DSN that reports no failure (delayed, relayed,
// delivered), or names an unknown notice, is logged and dropped.
func (b *bounceStarter) HandleBounce(ctx context.Context, bn mailintake.Bounce) error {
	r, failed := bn.Failed()
	if !failed {
		b.Log.Info("email intake ignored a DSN that reports no failure", "recipients", len(bn.Recipients))
		return nil
	}
	known, err := store.NoticeExists(ctx, b.DB, bn.NoticeID)
	if err != nil {
		return err
	}
	if !known {
		b.Log.Info("email intake ignored a DSN for an unknown notice", "matched_by", bn.MatchedBy)
		return nil
	}
	reason := r.DiagnosticCode
	if reason == "" {
		reason = r.Status
	}
	in := activities.BounceInput{NoticeID: bn.NoticeID, Recipient: r.FinalRecipient, Status: r.Status,
		Reason: reason, MatchedBy: bn.MatchedBy, At: time.Now().UTC()}
	_, err = b.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.NoticeBounceWorkflowID(bn.NoticeID), TaskQueue: b.TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.WorkflowNoticeBounce, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		b.Log.Info("email intake: the notice's bounce was already handled", "matched_by", bn.MatchedBy)
		return nil
	}
	if err == nil {
		b.Log.Info("email intake took a bounce", "matched_by", bn.MatchedBy, "status", r.Status)
	}
	return err
}
