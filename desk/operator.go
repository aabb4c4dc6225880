package desk

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// The answers a notice's recipient can give (ResponseRequest.Response).
const (
	AnswerRemoved       = string(models.ResponseRemoved)
	AnswerDispute       = string(models.ResponseDispute)
	AnswerCounterNotice = string(models.ResponseCounterNotice)
	// AnswerCorrected: the registrant corrected the registration data
	// (the workflow takes it as removed).
	AnswerCorrected = string(models.ResponseCorrected)
)

// OperatorNotice loads a notice after checking its response-link token:
// scoped to that one notice, and expiring.
func (d *Desk) OperatorNotice(ctx context.Context, id, token string) (models.Notice, error) {
	if token == "" {
		return models.Notice{}, Fail(KindUnauthorized, "token", "the notice token is required")
	}
	n, err := store.Notice(ctx, d.DB, id)
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Notice{}, err
	}
	want := d.Links.NoticeToken(id)
	if err != nil || n.TokenExpiresAt == nil || subtle.ConstantTimeCompare([]byte(want), []byte(token)) != 1 {
		return models.Notice{}, NotFound("token", "no notice with this id and token")
	}
	if time.Now().After(*n.TokenExpiresAt) {
		return models.Notice{}, Fail(KindGone, "token", "this response link expired on %s; reply to the notice email instead", n.TokenExpiresAt.Format(time.RFC1123))
	}
	return n, nil
}

// OperatorView is what the operator's link shows: the notice and the
// content at issue, never the reporter's identity beyond what the notice
// itself carries.
type OperatorView struct {
	NoticeID  string          `json:"notice_id"`
	CaseID    string          `json:"case_id"`
	Category  models.Category `json:"category"`
	Domain    string          `json:"domain"`
	Subject   string          `json:"subject"`
	Body      string          `json:"body"`
	URLs      []string        `json:"urls"`
	Status    models.Status   `json:"case_status"`
	Answers   []string        `json:"answers"`
	ExpiresAt *time.Time      `json:"expires_at"`
}

// OperatorView is what the operator's response page shows of notice n.
func (d *Desk) OperatorView(ctx context.Context, n models.Notice) (OperatorView, error) {
	cs, err := store.Case(ctx, d.DB, n.CaseID)
	if err != nil {
		return OperatorView{}, err
	}
	v := OperatorView{NoticeID: n.ID, CaseID: n.CaseID, Category: cs.Category, Domain: n.Domain, Subject: n.Subject,
		Body: n.BodyText, Status: cs.Status, Answers: allowedAnswers(d.answerable(ctx, cs), n), ExpiresAt: n.TokenExpiresAt}
	v.URLs, err = store.CaseURLs(ctx, d.DB, n.CaseID, n.Domain, 1000)
	return v, err
}

// allowedAnswers lists the answers the notice can take now.
func allowedAnswers(cs models.Case, n models.Notice) []string {
	switch {
	case n.RecipientRole == models.RoleRegistrant && cs.Status == models.StatusAwaitingRegistrant:
		return []string{AnswerCorrected}
	case n.RecipientRole == models.RoleOperator && cs.Status == models.StatusAwaitingOperator:
		// A counter-notice answers a DMCA notice; an incomplete copyright
		// complaint is none, so it takes no counter-notice.
		if cs.Category == models.CategoryCopyright && !cs.CopyrightIncomplete {
			return []string{AnswerRemoved, AnswerDispute, AnswerCounterNotice}
		}
		return []string{AnswerRemoved, AnswerDispute}
	}
	return []string{}
}

// What a case's workflow says it awaits (workflows.CaseStatus.Awaiting)
// when an operator's or registrant's answer is what it waits for.
const (
	awaitingOperator   = string(workflows.PhaseOperator)
	awaitingRegistrant = string(workflows.PhaseRegistrant)
)

// answerable is the case as the notice's answers see it. The workflow
// takes the operator's answer from the first notice on, but writes the
// read model's awaiting_operator only after the notices went out: a link
// opened in between asks the workflow what it waits for.
func (d *Desk) answerable(ctx context.Context, cs models.Case) models.Case {
	switch cs.Status {
	case models.StatusClosed, models.StatusAwaitingOperator, models.StatusAwaitingRegistrant:
		return cs
	}
	st, ok := d.caseStatus(ctx, cs.ID)
	if !ok {
		return cs
	}
	switch st.Awaiting {
	case awaitingOperator:
		cs.Status = models.StatusAwaitingOperator
	case awaitingRegistrant:
		cs.Status = models.StatusAwaitingRegistrant
	}
	return cs
}

// Respond checks an operator's answer against the notice's token, records
// it with its delivery state in one transaction and signals the case
// (answers.go). The same answer sent again is a replay, delivered now if
// it was not yet; another answer to a notice already answered is a
// conflict.
func (d *Desk) Respond(ctx context.Context, noticeID, token string, req ResponseRequest) (AnswerResult, error) {
	n, err := d.OperatorNotice(ctx, noticeID, token)
	if err != nil {
		return AnswerResult{}, err
	}
	return d.answerNotice(ctx, n, req, nil)
}

// answerNotice records req as the answer to notice n with its delivery
// state in one transaction and signals the case, as Respond does after
// checking the token. also, when set, runs in that transaction (an
// analyst's acceptance of a reply by mail records itself there).
func (d *Desk) answerNotice(ctx context.Context, n models.Notice, req ResponseRequest, also func(tx *gorm.DB) error) (AnswerResult, error) {
	key := "operator:" + n.ID
	for attempt := 0; ; attempt++ {
		if res, done, err := d.replayOperator(ctx, n, key, req); done || err != nil {
			return res, err
		}
		if attempt > 0 {
			return AnswerResult{}, Conflict("response", "this notice was already answered")
		}
		cs, err := store.Case(ctx, d.DB, n.CaseID)
		if err != nil {
			return AnswerResult{}, err
		}
		allowed := allowedAnswers(d.answerable(ctx, cs), n)
		if len(allowed) == 0 {
			return AnswerResult{}, Conflict("response", "the case is %s and takes no answer from this notice now", cs.Status)
		}
		if errs := req.Validate(allowed); len(errs) > 0 {
			return AnswerResult{}, Problems(KindInvalid, errs)
		}
		reply := operatorReply(n, req)
		ad := models.AnswerDelivery{AnswerKey: key, Kind: models.AnswerOperator, CaseID: n.CaseID, CreatedAt: reply.CreatedAt}
		err = store.RecordOperatorAnswer(ctx, d.DB, &reply, &ad, also)
		if err == nil {
			return AnswerResult{Delivered: d.deliver(ctx, ad, false)}, nil
		}
		if !store.IsUniqueViolation(err) {
			return AnswerResult{}, err
		}
		// Another request answered the notice first: compare with it.
	}
}

// operatorReply is the stored form of an answer to notice n.
func operatorReply(n models.Notice, req ResponseRequest) models.OperatorReply {
	return models.OperatorReply{NoticeID: n.ID, CaseID: n.CaseID, Response: req.Response, Statement: req.Statement,
		MaterialIdentified: req.MaterialIdentified, UnderPenalty: req.UnderPenaltyOfPerjury,
		ConsentJurisdiction: req.ConsentToJurisdiction, Name: req.Name, Address: req.Address, Phone: req.Phone,
		Signature: req.Signature, CreatedAt: answerTime()}
}

// replayOperator answers an answer to a notice answered before: done is
// false when the notice has no recorded answer.
func (d *Desk) replayOperator(ctx context.Context, n models.Notice, key string, req ResponseRequest) (AnswerResult, bool, error) {
	r, ok, err := store.OperatorReplyOf(ctx, d.DB, n.ID)
	if err != nil || !ok {
		return AnswerResult{}, ok || err != nil, err
	}
	want := operatorReply(n, req)
	want.ID, want.CreatedAt = r.ID, r.CreatedAt
	if r != want {
		return AnswerResult{}, true, Conflict("response", "this notice was already answered")
	}
	res, err := d.replay(ctx, key)
	return res, true, err
}
