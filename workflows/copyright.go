package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// changeCopyrightCompletion: an incomplete copyright complaint forwarded
// to CDN operators waits for the complainant's completion and then sends
// each of them the DMCA notice (issue 14, 17 U.S.C. 512(c)(3)(B)(ii)).
// Only cases started with CaseInput.CopyrightIncomplete reach it.
const changeCopyrightCompletion = "copyright-completion-20261206"

// copyrightState is what the case knows of an incomplete copyright
// complaint's completion.
type copyrightState struct {
	// completed: SignalCopyrightCompleted arrived (the database holds the
	// statements from then on, so later notices render as DMCA notices).
	completed bool
	// watching: operators got the complaint; finished: the watch ended
	// (DMCA notices sent, or the wait ran out); err: the sending failed.
	watching, finished bool
	err                error
}

// watchCopyrightCompletion is called after the CDN forwards: when the
// operators got an incomplete complaint (completedBefore false: the
// completion had not arrived when the forwards were rendered), it waits,
// up to the reporter info window and also after the case is closed, for
// the completion and then sends each of those operators the now complete
// DMCA notice as a step of its own. A completion that raced the forwards
// may give an operator the DMCA notice twice, never not at all.
func (s *caseState) watchCopyrightCompletion(ctx workflow.Context, targets []activities.Target, toOperator, completedBefore bool) {
	if !s.in.CopyrightIncomplete || !toOperator || completedBefore || len(targets) == 0 {
		return
	}
	if getVersion(ctx, changeCopyrightCompletion, workflow.DefaultVersion, 1) != 1 {
		return
	}
	s.copyright.watching = true
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { s.copyright.finished = true }()
		ok, err := workflow.AwaitWithTimeout(ctx, s.in.Timers.ReporterInfoWindow, func() bool { return s.copyright.completed })
		if err != nil || !ok {
			s.copyright.err = err
			return
		}
		var fs []workflow.Future
		for _, t := range targets {
			fs = append(fs, s.notice(ctx, activities.NoticeInput{
				Step: "operator-forward-dmca:" + t.Domain, Kind: activities.NoticeForwardOperator,
				Role: models.RoleOperator, Domain: t.Domain,
			}))
		}
		s.copyright.err = waitAll(ctx, fs...)
	})
}

// awaitCopyrightWatch lets a running watch end before the case's run ends.
func (s *caseState) awaitCopyrightWatch(ctx workflow.Context) error {
	if !s.copyright.watching {
		return nil
	}
	if err := workflow.Await(ctx, func() bool { return s.copyright.finished }); err != nil {
		return err
	}
	return s.copyright.err
}
