package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// Answers that can be lost (issue 13). An operator's or reporter's answer
// is written with an outbox row (models.AnswerDelivery) in one
// transaction; the request then signals the case workflow and marks the
// row delivered. When the signal fails the answer stays recorded and
// pending: the request still succeeds (202), the answer reconciler
// (RedeliverAnswers, every answer_redelivery_interval) signals again, and
// the same answer sent again is answered 200 and delivered at once. A
// different answer to a question already answered stays a 409.

// AnswerResult says what became of an answer.
type AnswerResult struct {
	// Replayed is true when the same answer had been recorded before:
	// nothing new was written.
	Replayed bool
	// Delivered is true when the case workflow has the answer.
	Delivered bool
}

// status is the HTTP status of an accepted answer: 202 for a new one, 200
// for the same answer sent again.
func (r AnswerResult) status() int {
	if r.Replayed {
		return http.StatusOK
	}
	return http.StatusAccepted
}

// answerTime is a reply's time as the database gives it back (PostgreSQL
// keeps microseconds), so a redelivered signal carries the same time.
func answerTime() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// isUniqueViolation reports whether err is a unique-key violation (SQLite
// or PostgreSQL).
func isUniqueViolation(err error) bool {
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "unique") || strings.Contains(msg, "duplicate")
}

// recordAnswer writes a reply (create returns its id) and its pending
// outbox row in one transaction.
func (s *Server) recordAnswer(ctx context.Context, d *models.AnswerDelivery, create func(tx *gorm.DB) (uint, error)) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		id, err := create(tx)
		if err != nil {
			return err
		}
		d.ReplyID, d.State = id, models.DeliveryPending
		return tx.Create(d).Error
	})
}

// delivery loads the outbox row of key; ok is false when there is none
// (answers recorded before the outbox count as delivered).
func (s *Server) delivery(ctx context.Context, key string) (models.AnswerDelivery, bool, error) {
	var d models.AnswerDelivery
	err := s.DB.WithContext(ctx).Where("answer_key = ?", key).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return d, false, nil
	}
	return d, err == nil, err
}

// replay answers a request that repeats a recorded answer: it delivers the
// answer if it is still pending and reports the result.
func (s *Server) replay(ctx context.Context, key string) (AnswerResult, error) {
	d, ok, err := s.delivery(ctx, key)
	if err != nil {
		return AnswerResult{}, err
	}
	res := AnswerResult{Replayed: true, Delivered: !ok || d.State == models.DeliveryDelivered}
	if ok && d.State == models.DeliveryPending {
		res.Delivered = s.deliver(ctx, d, true)
	}
	return res, nil
}

// deliver signals the answer of d to its case workflow and records the
// outcome; it reports whether the workflow has the answer. With check, an
// answer the case moved on without (answerStale) is marked stale instead.
func (s *Server) deliver(ctx context.Context, d models.AnswerDelivery, check bool) bool {
	log := s.logger().With("answer_key", d.AnswerKey, "case_id", d.CaseID)
	name, payload, err := s.answerSignal(ctx, d)
	stale := errors.Is(err, gorm.ErrRecordNotFound) // the reply was purged
	if err != nil && !stale {
		log.Warn("answer delivery failed", "err", err)
		return false
	}
	if check && !stale {
		if stale, err = s.answerStale(ctx, d); err != nil {
			log.Warn("answer delivery failed", "err", err)
			return false
		}
	}
	if !stale {
		err = s.Temporal.SignalWorkflow(ctx, workflows.CaseWorkflowID(d.CaseID), "", name, payload)
		var nf *serviceerror.NotFound
		stale = errors.As(err, &nf) // the workflow has completed
	}
	// Record the outcome even when the request that delivered is gone.
	db := s.DB.WithContext(context.WithoutCancel(ctx)).Model(&models.AnswerDelivery{}).
		Where("id = ? AND state = ?", d.ID, models.DeliveryPending)
	switch {
	case stale:
		log.Warn("answer not delivered: the case moved on without it")
		_ = db.Updates(map[string]any{"state": models.DeliveryStale, "attempts": gorm.Expr("attempts + 1")}).Error
		return false
	case err != nil:
		log.Warn("answer signal failed; the reconciler retries", "err", err)
		_ = db.Updates(map[string]any{"attempts": gorm.Expr("attempts + 1"), "last_error": truncate(err.Error(), 500)}).Error
		return false
	}
	if err := db.Updates(map[string]any{"state": models.DeliveryDelivered, "delivered_at": time.Now().UTC(),
		"attempts": gorm.Expr("attempts + 1"), "last_error": ""}).Error; err != nil {
		// Delivered but not marked: the reconciler signals again, which
		// the workflow ignores (it takes one answer per question).
		log.Warn("answer delivered but not marked", "err", err)
	}
	return true
}

// answerSignal is the signal that carries d's answer to the workflow.
func (s *Server) answerSignal(ctx context.Context, d models.AnswerDelivery) (string, any, error) {
	db := s.DB.WithContext(ctx)
	switch d.Kind {
	case models.AnswerOperator:
		var r models.OperatorReply
		if err := db.Take(&r, "id = ?", d.ReplyID).Error; err != nil {
			return "", nil, err
		}
		return workflows.SignalOperatorResponse, workflows.OperatorResponse{NoticeID: r.NoticeID,
			Response: operatorKind(r.Response), ReceivedAt: r.CreatedAt.UTC()}, nil
	case models.AnswerReporter:
		var r models.ReporterReply
		if err := db.Take(&r, "id = ?", d.ReplyID).Error; err != nil {
			return "", nil, err
		}
		return workflows.SignalReporterAnswer, workflows.ReporterAnswer{AnsweredAt: r.CreatedAt.UTC()}, nil
	}
	return "", nil, gorm.ErrRecordNotFound
}

// answerStale reports whether the case moved on without d's answer: it is
// closed, or an analyst decided again after the answer was recorded (the
// workflow takes one answer per question; a late one must not count for a
// later question).
func (s *Server) answerStale(ctx context.Context, d models.AnswerDelivery) (bool, error) {
	db := s.DB.WithContext(ctx)
	var cs models.Case
	if err := db.Take(&cs, "id = ?", d.CaseID).Error; err != nil {
		return errors.Is(err, gorm.ErrRecordNotFound), nilIfNotFound(err)
	}
	if cs.Status == models.StatusClosed {
		return true, nil
	}
	var later int64
	err := db.Model(&models.Decision{}).Where("case_id = ? AND created_at > ?", d.CaseID, d.CreatedAt).Count(&later).Error
	return later > 0, err
}

// operatorKind is the workflow's answer kind of a stored response.
func operatorKind(response string) workflows.OperatorResponseKind {
	if response == "corrected" {
		return workflows.ResponseRemoved
	}
	return workflows.OperatorResponseKind(response)
}

// RedeliverAnswers signals the workflows of answers still pending grace
// after they were recorded (their request's own signal failed, or the
// process stopped in between), at most 100 per call, and returns how many
// it delivered. It is safe to run in several processes: a signal delivered
// twice is one answer to the workflow.
func (s *Server) RedeliverAnswers(ctx context.Context, grace time.Duration) (int, error) {
	var ds []models.AnswerDelivery
	if err := s.DB.WithContext(ctx).Where("state = ? AND created_at <= ?", models.DeliveryPending, time.Now().UTC().Add(-grace)).
		Order("created_at, id").Limit(100).Find(&ds).Error; err != nil {
		return 0, err
	}
	n := 0
	for _, d := range ds {
		if ctx.Err() != nil {
			break
		}
		if s.deliver(ctx, d, true) {
			n++
		}
	}
	return n, nil
}

// AnswerReporter records a reporter's answer to the open need_info
// question and delivers it to the case (POST /v1/reports/{id}/answer and
// the status page). The same answer sent again is a replay; another
// answer to a question already answered is a 409.
func (s *Server) AnswerReporter(ctx context.Context, cs models.Case, answer string) (AnswerResult, error) {
	if strings.TrimSpace(answer) == "" {
		return AnswerResult{}, fail(http.StatusUnprocessableEntity, "answer", "required")
	}
	if len(answer) > intake.MaxDescription {
		return AnswerResult{}, fail(http.StatusUnprocessableEntity, "answer", "at most %d characters", intake.MaxDescription)
	}
	// The question is the latest reporter-question notice of the case.
	var q models.Notice
	err := s.DB.WithContext(ctx).Where("case_id = ? AND step LIKE ?", cs.ID, "reporter-question%").
		Order("created_at DESC, id DESC").Take(&q).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return AnswerResult{}, err
	}
	key := "reporter:" + q.ID
	for attempt := 0; ; attempt++ {
		if q.ID != "" {
			if res, done, err := s.replayReporter(ctx, key, answer); done || err != nil {
				return res, err
			}
		}
		if cs.Status != models.StatusAwaitingReporter || q.ID == "" || attempt > 0 {
			return AnswerResult{}, fail(http.StatusConflict, "answer", "the case is %s and asks you nothing now", cs.Status)
		}
		reply := models.ReporterReply{CaseID: cs.ID, Answer: answer, CreatedAt: answerTime()}
		d := models.AnswerDelivery{AnswerKey: key, Kind: models.AnswerReporter, CaseID: cs.ID, CreatedAt: reply.CreatedAt}
		err := s.recordAnswer(ctx, &d, func(tx *gorm.DB) (uint, error) {
			err := tx.Create(&reply).Error
			return reply.ID, err
		})
		if err == nil {
			return AnswerResult{Delivered: s.deliver(ctx, d, false)}, nil
		}
		if !isUniqueViolation(err) {
			return AnswerResult{}, err
		}
		// Another request answered this question first: compare with it.
	}
}

// replayReporter answers a reporter's answer to a question answered
// before: done is false when the question has no recorded answer.
func (s *Server) replayReporter(ctx context.Context, key, answer string) (AnswerResult, bool, error) {
	d, ok, err := s.delivery(ctx, key)
	if err != nil || !ok {
		return AnswerResult{}, false, err
	}
	var r models.ReporterReply
	if err := s.DB.WithContext(ctx).Take(&r, "id = ?", d.ReplyID).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return AnswerResult{}, true, err
	}
	if r.Answer != answer { // (a purged reply matches no answer)
		return AnswerResult{}, true, fail(http.StatusConflict, "answer", "this question was already answered")
	}
	res, err := s.replay(ctx, key)
	return res, true, err
}

// nilIfNotFound drops gorm.ErrRecordNotFound.
func nilIfNotFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (s *Server) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
