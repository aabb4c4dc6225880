package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// versionNoticeBatch is changeLocalNotices' second version: a CDN case
// sends its receipt, forwards and reply to the reporter as one local
// activity, SendNotices (docs/DESIGN.md "Speed"), after classifying the
// URLs. (A version of the change before it, not a change of its own: each
// change ID a case meets costs it a marker and a search-attribute upsert.) One activity instead of four shares
// the case's lookups, stores the notices in one transaction with one
// append to the audit log (whose head lock every process shares), and
// records one marker instead of four. When the batch fails, each notice
// goes out as the regular SendNotice activity with its retry policy;
// notices are idempotent per step, so one stored or sent by the batch is
// neither stored nor sent again. Other cases keep their receipt first and
// their notices one by one.
const versionNoticeBatch workflow.Version = 2

// versionBatchClose is changeLocalNotices' third version: the batch of a
// CDN case handled whole (inlineCDN) writes the case's close too, once its
// notices are out, instead of a SetStatus local activity after it: one
// local activity, one transaction and one marker fewer per CDN case. When
// the batch fails, its notices go out one by one and the case closes as
// every case does.
const versionBatchClose workflow.Version = 3

// receiptNotice confirms the report to the reporter.
func receiptNotice() activities.NoticeInput {
	return activities.NoticeInput{Step: "reporter-receipt", Kind: activities.NoticeReporterReceipt, Role: models.RoleReporter}
}

// inlineCDN reports whether the batched CDN path handles a case whole:
// every target a CDN customer's, a few of them (no bulk fan-out), neither a
// report about an IP address nor CSAM (which files a clearinghouse report
// first).
func inlineCDN(cat models.Category, targets []activities.Target) bool {
	if len(targets) == 0 || len(targets) > BulkInlineMax || cat == models.CategoryCSAM || isNetworkCase(targets) {
		return false
	}
	for _, t := range targets {
		if t.Service != models.ServiceCDN {
			return false
		}
	}
	return true
}

// prepared is a notice of this case as the activities take it.
func (s *caseState) prepared(in activities.NoticeInput) activities.NoticeInput {
	in.CaseID = s.in.CaseID
	if in.TokenTTL == 0 {
		in.TokenTTL = s.in.Timers.NoticeTokenTTL
	}
	return in
}

// notices sends several notices of one step of the case, one future per
// notice in order: batched when the case runs with versionNoticeBatch,
// otherwise one by one as before.
func (s *caseState) notices(ctx workflow.Context, ins []activities.NoticeInput) []workflow.Future {
	if !s.batchNotices || len(ins) < 2 {
		fs := make([]workflow.Future, len(ins))
		for i, in := range ins {
			fs[i] = s.notice(ctx, in)
		}
		return fs
	}
	batch := activities.NoticeBatch{CaseID: s.in.CaseID, Notices: make([]activities.NoticeInput, len(ins)), Close: s.closing}
	s.closing = nil
	fs := make([]workflow.Future, len(ins))
	sets := make([]workflow.Settable, len(ins))
	for i, in := range ins {
		batch.Notices[i] = s.prepared(in)
		fs[i], sets[i] = workflow.NewFuture(ctx)
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		var r activities.NoticeBatchResult
		err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localNoticeOptions),
			activities.ActSendNotices, batch).Get(ctx, &r)
		if err == nil && len(r.Results) == len(ins) {
			s.closedByBatch = s.closedByBatch || r.Closed
			for i := range sets {
				sets[i].Set(r.Results[i], nil)
			}
			return
		}
		// A notice that cannot be rendered fails the regular activity the
		// same way: the case fails as it would have notice by notice.
		var app *temporal.ApplicationError
		if err != nil && errors.As(err, &app) && app.Type() == activities.ErrTypeInvalidNotice {
			for i := range sets {
				sets[i].Set(nil, err)
			}
			return
		}
		for i, in := range batch.Notices {
			sets[i].Chain(workflow.ExecuteActivity(withNotice(ctx), activities.ActSendNotice, in))
		}
	})
	return fs
}

// forwardAndClose carries a CDN case handled whole (inlineCDN) at
// versionBatchClose to its close: the receipt, the forwards, the reply to
// the reporter and the close go out in one SendNotices batch, then the
// search attributes say closed. A batch that failed has sent its notices
// one by one and written no close: the case closes as every case does.
func (s *caseState) forwardAndClose(ctx workflow.Context) error {
	closing := s.statusInput(models.StatusClosed, models.OutcomeForwarded, nil)
	s.closing = &closing
	err := s.forwardCDN(ctx, s.targets, receiptNotice())
	s.closing = nil
	if err != nil {
		return err
	}
	if !s.closedByBatch {
		return s.close(ctx, models.OutcomeForwarded)
	}
	s.phase = PhaseNone
	s.takeStatus(models.StatusClosed, models.OutcomeForwarded, nil, "")
	return s.upsertStatus(ctx)
}
