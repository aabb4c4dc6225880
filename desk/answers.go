package desk

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// Answers that can be lost (issue 13). An operator's or reporter's answer
// is written with an outbox row (models.AnswerDelivery) in one
// transaction; the request then signals the case workflow and marks the
// row delivered. When the signal fails the answer stays recorded and
// pending: the request still succeeds, the answer reconciler
// (RedeliverAnswers, every answer_redelivery_interval) signals again, and
// the same answer sent again is a replay, delivered at once. A different
// answer to a question already answered is a conflict.

// AnswerResult says what became of an answer.
type AnswerResult struct {
	// Replayed is true when the same answer had been recorded before:
	// nothing new was written.
	Replayed bool
	// Delivered is true when the case workflow has the answer.
	Delivered bool
}

// answerTime is a reply's time as the database gives it back (PostgreSQL
// keeps microseconds), so a redelivered signal carries the same time.
func answerTime() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// replay answers a request that repeats a recorded answer: it delivers the
// answer if it is still pending and reports the result.
func (d *Desk) replay(ctx context.Context, key string) (AnswerResult, error) {
	ad, ok, err := store.AnswerDelivery(ctx, d.DB, key)
	if err != nil {
		return AnswerResult{}, err
	}
	res := AnswerResult{Replayed: true, Delivered: !ok || ad.State == models.DeliveryDelivered}
	if ok && ad.State == models.DeliveryPending {
		res.Delivered = d.deliver(ctx, ad, true)
	}
	return res, nil
}

// deliver signals the answer of ad to its case workflow and records the
// outcome; it reports whether the workflow has the answer. With check, an
// answer the case moved on without (answerStale) is marked stale instead.
func (d *Desk) deliver(ctx context.Context, ad models.AnswerDelivery, check bool) bool {
	log := d.logger().With("answer_key", ad.AnswerKey, "case_id", ad.CaseID)
	name, payload, err := d.answerSignal(ctx, ad)
	stale := errors.Is(err, gorm.ErrRecordNotFound) // the reply was purged
	if err != nil && !stale {
		log.Warn("answer delivery failed", "err", err)
		return false
	}
	if check && !stale {
		if stale, err = d.answerStale(ctx, ad); err != nil {
			log.Warn("answer delivery failed", "err", err)
			return false
		}
	}
	if !stale {
		err = d.Engine.Signal(ctx, workflows.CaseWorkflowID(ad.CaseID), name, payload)
		var nf *serviceerror.NotFound
		stale = errors.As(err, &nf) // the workflow has completed
	}
	// Record the outcome even when the request that delivered is gone.
	mctx := context.WithoutCancel(ctx)
	switch {
	case stale:
		log.Warn("answer not delivered: the case moved on without it")
		_ = store.MarkAnswer(mctx, d.DB, ad.ID, store.AnswerStale, "", time.Now().UTC())
		return false
	case err != nil:
		log.Warn("answer signal failed; the reconciler retries", "err", err)
		_ = store.MarkAnswer(mctx, d.DB, ad.ID, store.AnswerFailed, truncate(err.Error(), 500), time.Now().UTC())
		return false
	}
	if err := store.MarkAnswer(mctx, d.DB, ad.ID, store.AnswerDelivered, "", time.Now().UTC()); err != nil {
		// Delivered but not marked: the reconciler signals again, which
		// the workflow ignores (it takes one answer per question).
		log.Warn("answer delivered but not marked", "err", err)
	}
	return true
}

// answerSignal is the signal that carries ad's answer to the workflow.
func (d *Desk) answerSignal(ctx context.Context, ad models.AnswerDelivery) (string, any, error) {
	switch ad.Kind {
	case models.AnswerOperator:
		r, err := store.OperatorReply(ctx, d.DB, ad.ReplyID)
		if err != nil {
			return "", nil, err
		}
		return workflows.SignalOperatorResponse, workflows.OperatorResponse{NoticeID: r.NoticeID,
			Response: operatorKind(r.Response), ReceivedAt: r.CreatedAt.UTC()}, nil
	case models.AnswerReporter:
		r, err := store.ReporterReply(ctx, d.DB, ad.ReplyID)
		if err != nil {
			return "", nil, err
		}
		return workflows.SignalReporterAnswer, workflows.ReporterAnswer{AnsweredAt: r.CreatedAt.UTC()}, nil
	}
	return "", nil, gorm.ErrRecordNotFound
}

// answerStale reports whether the case moved on without ad's answer: it is
// closed, or an analyst decided again after the answer was recorded (the
// workflow takes one answer per question; a late one must not count for a
// later question).
func (d *Desk) answerStale(ctx context.Context, ad models.AnswerDelivery) (bool, error) {
	cs, err := store.Case(ctx, d.DB, ad.CaseID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if cs.Status == models.StatusClosed {
		return true, nil
	}
	later, err := store.DecisionsAfter(ctx, d.DB, ad.CaseID, ad.CreatedAt)
	return later > 0, err
}

// operatorKind is the workflow's answer kind of a stored response.
func operatorKind(response string) workflows.OperatorResponseKind {
	if response == AnswerCorrected {
		return workflows.ResponseRemoved
	}
	return workflows.OperatorResponseKind(response)
}

// RedeliverAnswers signals the workflows of answers still pending grace
// after they were recorded (their request's own signal failed, or the
// process stopped in between), at most 100 per call, and returns how many
// it delivered. It is safe to run in several processes: a signal delivered
// twice is one answer to the workflow.
func (d *Desk) RedeliverAnswers(ctx context.Context, grace time.Duration) (int, error) {
	ds, err := store.PendingAnswers(ctx, d.DB, time.Now().UTC().Add(-grace), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ad := range ds {
		if ctx.Err() != nil {
			break
		}
		if d.deliver(ctx, ad, true) {
			n++
		}
	}
	return n, nil
}

// AnswerReporter records a reporter's answer to the open need_info
// question and delivers it to the case. The same answer sent again is a
// replay; another answer to a question already answered is a conflict.
func (d *Desk) AnswerReporter(ctx context.Context, cs models.Case, answer string) (AnswerResult, error) {
	if strings.TrimSpace(answer) == "" {
		return AnswerResult{}, Invalid("answer", "required")
	}
	if len(answer) > intake.MaxDescription {
		return AnswerResult{}, Invalid("answer", "at most %d characters", intake.MaxDescription)
	}
	// The question is the latest reporter-question notice of the case.
	q, _, err := store.LatestReporterQuestion(ctx, d.DB, cs.ID)
	if err != nil {
		return AnswerResult{}, err
	}
	key := "reporter:" + q.ID
	for attempt := 0; ; attempt++ {
		if q.ID != "" {
			if res, done, err := d.replayReporter(ctx, key, answer); done || err != nil {
				return res, err
			}
		}
		if cs.Status != models.StatusAwaitingReporter || q.ID == "" || attempt > 0 {
			return AnswerResult{}, Conflict("answer", "the case is %s and asks you nothing now", cs.Status)
		}
		reply := models.ReporterReply{CaseID: cs.ID, Answer: answer, CreatedAt: answerTime()}
		ad := models.AnswerDelivery{AnswerKey: key, Kind: models.AnswerReporter, CaseID: cs.ID, CreatedAt: reply.CreatedAt}
		err := store.RecordReporterAnswer(ctx, d.DB, &reply, &ad)
		if err == nil {
			return AnswerResult{Delivered: d.deliver(ctx, ad, false)}, nil
		}
		if !store.IsUniqueViolation(err) {
			return AnswerResult{}, err
		}
		// Another request answered this question first: compare with it.
	}
}

// replayReporter answers a reporter's answer to a question answered
// before: done is false when the question has no recorded answer.
func (d *Desk) replayReporter(ctx context.Context, key, answer string) (AnswerResult, bool, error) {
	ad, ok, err := store.AnswerDelivery(ctx, d.DB, key)
	if err != nil || !ok {
		return AnswerResult{}, false, err
	}
	r, err := store.ReporterReply(ctx, d.DB, ad.ReplyID)
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return AnswerResult{}, true, err
	}
	if r.Answer != answer { // (a purged reply matches no answer)
		return AnswerResult{}, true, Conflict("answer", "this question was already answered")
	}
	res, err := d.replay(ctx, key)
	return res, true, err
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (d *Desk) logger() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}
