package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/workflows"
)

// The daily purge of personal data (docs/DESIGN.md, step 9): a Temporal
// Schedule starting workflows.PurgeWorkflow, which skips cases under a
// legal hold.

// purgeTime is when the daily purge runs (UTC): a quiet hour.
var purgeTime = client.ScheduleCalendarSpec{
	Hour:    []client.ScheduleRange{{Start: 3}},
	Minute:  []client.ScheduleRange{{Start: 17}},
	Comment: "daily personal-data purge",
}

// purgeRunTimeout ends a purge run that is stuck before the next day's run
// would be skipped because of it.
const purgeRunTimeout = 23 * time.Hour

// PurgeScheduleOptions is the Schedule of the daily purge for a
// configuration: id workflows.PurgeScheduleID, once a day, a run skipped
// while the previous one still runs, missed runs caught up within a day.
func PurgeScheduleOptions(cfg *config.Config, p config.Privacy) client.ScheduleOptions {
	return client.ScheduleOptions{
		ID:   workflows.PurgeScheduleID,
		Spec: client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{purgeTime}},
		Action: &client.ScheduleWorkflowAction{
			ID: workflows.PurgeScheduleID, Workflow: workflows.WorkflowPurge, TaskQueue: cfg.TaskQueue,
			Args:               []any{workflows.PurgeInput{PurgeAfter: p.PurgeAfter}},
			WorkflowRunTimeout: purgeRunTimeout,
		},
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: 24 * time.Hour,
		Note:          "erases personal data of cases closed longer than purge_after ago (abusedesk)",
	}
}

// ensurePurgeSchedule creates the purge Schedule when it is missing, and
// otherwise brings its action up to date: the configured purge_after and
// the active payload key (a ring that drops an old key must still be able
// to read the schedule's arguments). A paused schedule stays paused.
func (a *App) ensurePurgeSchedule(ctx context.Context) error {
	p, err := config.LoadPrivacy(a.Cfg.File)
	if err != nil {
		return err
	}
	opts := PurgeScheduleOptions(a.Cfg, p)
	sc := a.Temporal.ScheduleClient()
	_, err = sc.Create(ctx, opts)
	if err == nil {
		a.Log.Info("created the personal-data purge schedule", "schedule_id", opts.ID, "purge_after", p.PurgeAfter)
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("purge schedule %s: %w", opts.ID, err)
	}
	err = sc.GetHandle(ctx, opts.ID).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			s.Action, s.Spec = opts.Action, &opts.Spec
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
	if err != nil {
		// Another process updating it at the same moment is harmless.
		a.Log.Warn("could not update the personal-data purge schedule", "schedule_id", opts.ID, "err", err)
	}
	return nil
}
