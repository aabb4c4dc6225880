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
func receiptNotice() activities.NoticeInput { return activities.ReceiptNotice() }

// inlineCDN reports whether the batched CDN path handles a case whole
// (activities.InlineCDN).
func inlineCDN(cat models.Category, targets []activities.Target) bool {
	return activities.InlineCDN(cat, targets)
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

// changeClassifyForward: a case classifies its URLs and, when it is a CDN
// case handled whole (inlineCDN), sends its receipt, forwards and reply and
// writes its close in one local activity, ClassifyForward, instead of
// Classify and then the SendNotices batch: the case, its URLs and the
// networks are read once, the case records one marker and, closed in the
// task its start handed over, no search-attribute upsert (docs/DESIGN.md
// "Speed"). A case of another kind is only classified by it and goes on
// as before. When the activity fails, the case classifies and forwards as
// before (Classify, then the batch, then the notices one by one): every
// notice is idempotent per step and the close once written stays, so
// nothing is sent twice. Asked only where the batch closes the case
// (versionBatchClose); WorkflowCase3 pins it.
const changeClassifyForward = "classify-forward-20261206"

// classifyForward runs ClassifyForward. ran: the case's targets are known;
// done: the case was forwarded and is closed. A failed activity is neither,
// and no error: the case then classifies as before.
func (s *caseState) classifyForward(ctx workflow.Context) (ran, done bool, err error) {
	toOperator := activities.ForwardsToOperator(s.in.Category, s.in.ForwardToOperator)
	completedBefore := s.copyright.completed
	var r activities.ClassifyForwardResult
	if err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, localNoticeOptions), activities.ActClassifyForward,
		activities.ClassifyForwardInput{CaseID: s.in.CaseID, ToOperator: toOperator, TokenTTL: s.in.Timers.NoticeTokenTTL},
	).Get(ctx, &r); err != nil {
		return false, false, nil
	}
	s.targets = r.Classify.Targets
	if !r.Forwarded {
		return true, false, nil
	}
	s.st.Service, s.st.Domain = models.ServiceCDN, s.targets[0].Domain
	s.watchCopyrightCompletion(ctx, s.targets, toOperator, completedBefore)
	if !r.Batch.Closed {
		return true, true, s.close(ctx, models.OutcomeForwarded)
	}
	// No search-attribute upsert: the case ends in the workflow task its
	// start handed over, and Temporal writes its close record from the
	// attributes it started with (the category; docs/DESIGN.md "Speed").
	// An upsert here cost a visibility write of its own, 3-5 CPU-ms per
	// case on the embedded server's SQLite.
	s.phase = PhaseNone
	s.takeStatus(models.StatusClosed, models.OutcomeForwarded, nil, "")
	return true, true, nil
}
