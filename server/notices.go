package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// operatorNotice loads a notice after checking its response-link token:
// scoped to that one notice, and expiring.
func (s *Server) operatorNotice(ctx context.Context, id, token string) (models.Notice, error) {
	var n models.Notice
	if token == "" {
		return n, fail(http.StatusUnauthorized, "token", "the notice token is required")
	}
	err := s.DB.WithContext(ctx).First(&n, "id = ?", id).Error
	want := s.Links.NoticeToken(id)
	if err != nil || n.TokenExpiresAt == nil || subtle.ConstantTimeCompare([]byte(want), []byte(token)) != 1 {
		return models.Notice{}, fail(http.StatusNotFound, "token", "no notice with this id and token")
	}
	if time.Now().After(*n.TokenExpiresAt) {
		return models.Notice{}, fail(http.StatusGone, "token", "this response link expired on %s; reply to the notice email instead", n.TokenExpiresAt.Format(time.RFC1123))
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

func (s *Server) operatorView(ctx context.Context, n models.Notice) (OperatorView, error) {
	var cs models.Case
	if err := s.DB.WithContext(ctx).First(&cs, "id = ?", n.CaseID).Error; err != nil {
		return OperatorView{}, err
	}
	v := OperatorView{NoticeID: n.ID, CaseID: n.CaseID, Category: cs.Category, Domain: n.Domain, Subject: n.Subject,
		Body: n.BodyText, Status: cs.Status, Answers: allowedAnswers(s.answerable(ctx, cs), n), ExpiresAt: n.TokenExpiresAt}
	q := s.DB.WithContext(ctx).Model(&models.CaseURL{}).Where("case_id = ?", n.CaseID)
	if n.Domain != "" {
		q = q.Where("host = ? OR host LIKE ?", n.Domain, "%."+n.Domain)
	}
	if err := q.Order("seq").Limit(1000).Pluck("url", &v.URLs).Error; err != nil {
		return v, err
	}
	return v, nil
}

// allowedAnswers lists the answers the notice can take now.
func allowedAnswers(cs models.Case, n models.Notice) []string {
	switch {
	case n.RecipientRole == models.RoleRegistrant && cs.Status == models.StatusAwaitingRegistrant:
		return []string{"corrected"}
	case n.RecipientRole == models.RoleOperator && cs.Status == models.StatusAwaitingOperator:
		if cs.Category == models.CategoryCopyright {
			return []string{"removed", "dispute", "counter_notice"}
		}
		return []string{"removed", "dispute"}
	}
	return []string{}
}

// answerable is the case as the notice's answers see it. The workflow
// takes the operator's answer from the first notice on, but writes the
// read model's awaiting_operator only after the notices went out: a link
// opened in between asks the workflow what it waits for.
func (s *Server) answerable(ctx context.Context, cs models.Case) models.Case {
	switch cs.Status {
	case models.StatusClosed, models.StatusAwaitingOperator, models.StatusAwaitingRegistrant:
		return cs
	}
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v, err := s.Temporal.QueryWorkflow(qctx, workflows.CaseWorkflowID(cs.ID), "", workflows.QueryStatus)
	var st workflows.CaseStatus
	if err != nil || v.Get(&st) != nil {
		return cs
	}
	switch st.Awaiting {
	case "operator":
		cs.Status = models.StatusAwaitingOperator
	case "registrant":
		cs.Status = models.StatusAwaitingRegistrant
	}
	return cs
}

func (s *Server) getNotice(c echo.Context) error {
	n, err := s.operatorNotice(c.Request().Context(), c.Param("id"), c.QueryParam("token"))
	if err != nil {
		return err
	}
	v, err := s.operatorView(c.Request().Context(), n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// ResponseRequest is the operator's answer. A counter-notice carries the
// 17 U.S.C. 512(g)(3) elements as named fields.
type ResponseRequest struct {
	Response              string `json:"response"`
	Statement             string `json:"statement"`
	MaterialIdentified    string `json:"material_identified"`
	UnderPenaltyOfPerjury bool   `json:"under_penalty_of_perjury"`
	ConsentToJurisdiction bool   `json:"consent_to_jurisdiction"`
	Name                  string `json:"name"`
	Address               string `json:"address"`
	Phone                 string `json:"phone"`
	Signature             string `json:"signature"`
}

// Validate lists every problem of an answer.
func (r ResponseRequest) Validate(allowed []string) []models.FieldError {
	var errs []models.FieldError
	add := func(f, m string) { errs = append(errs, models.FieldError{Field: f, Message: m}) }
	ok := false
	for _, a := range allowed {
		ok = ok || a == r.Response
	}
	if !ok {
		add("response", "must be one of "+strings.Join(allowed, ", "))
		return errs
	}
	if len(r.Statement) > 20000 {
		add("statement", "at most 20000 characters")
	}
	if r.Response == "dispute" && strings.TrimSpace(r.Statement) == "" {
		add("statement", "required: say why the decision is wrong")
	}
	if r.Response == "counter_notice" {
		if strings.TrimSpace(r.MaterialIdentified) == "" {
			add("material_identified", "required: identify the removed material and where it appeared (512(g)(3)(B))")
		}
		if !r.UnderPenaltyOfPerjury {
			add("under_penalty_of_perjury", "must be true: a statement under penalty of perjury of a good-faith belief that the material was removed by mistake or misidentification (512(g)(3)(C))")
		}
		if !r.ConsentToJurisdiction {
			add("consent_to_jurisdiction", "must be true: consent to the jurisdiction of the federal district court and to accept service of process (512(g)(3)(D))")
		}
		if strings.TrimSpace(r.Name) == "" {
			add("name", "required (512(g)(3)(D))")
		}
		if strings.TrimSpace(r.Address) == "" {
			add("address", "required (512(g)(3)(D))")
		}
		if strings.TrimSpace(r.Phone) == "" {
			add("phone", "required (512(g)(3)(D))")
		}
		if strings.TrimSpace(r.Signature) == "" {
			add("signature", "required: a physical or electronic signature (512(g)(3)(A))")
		}
	}
	return errs
}

func (s *Server) postNoticeResponse(c echo.Context) error {
	var req ResponseRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	res, err := s.RespondOnce(c.Request().Context(), c.Param("id"), c.QueryParam("token"), req)
	if err != nil {
		return err
	}
	return c.JSON(res.status(), map[string]string{"notice_id": c.Param("id"), "status": "response received"})
}

// Respond checks and records an operator's answer and delivers it to the
// case, as RespondOnce does.
func (s *Server) Respond(ctx context.Context, noticeID, token string, req ResponseRequest) error {
	_, err := s.RespondOnce(ctx, noticeID, token, req)
	return err
}

// RespondOnce checks an operator's answer, records it with its delivery
// state in one transaction and signals the case (server/answers.go). The
// same answer sent again is a replay, delivered now if it was not yet;
// another answer to a notice already answered is a 409.
func (s *Server) RespondOnce(ctx context.Context, noticeID, token string, req ResponseRequest) (AnswerResult, error) {
	n, err := s.operatorNotice(ctx, noticeID, token)
	if err != nil {
		return AnswerResult{}, err
	}
	return s.answerNotice(ctx, n, req, nil)
}

// answerNotice records req as the answer to notice n with its delivery
// state in one transaction and signals the case, as RespondOnce does
// after checking the token. also, when set, runs in that transaction (an
// analyst's acceptance of a reply by mail records itself there).
func (s *Server) answerNotice(ctx context.Context, n models.Notice, req ResponseRequest, also func(tx *gorm.DB) error) (AnswerResult, error) {
	key := "operator:" + n.ID
	for attempt := 0; ; attempt++ {
		if res, done, err := s.replayOperator(ctx, n, key, req); done || err != nil {
			return res, err
		}
		if attempt > 0 {
			return AnswerResult{}, fail(http.StatusConflict, "response", "this notice was already answered")
		}
		var cs models.Case
		if err := s.DB.WithContext(ctx).First(&cs, "id = ?", n.CaseID).Error; err != nil {
			return AnswerResult{}, err
		}
		allowed := allowedAnswers(s.answerable(ctx, cs), n)
		if len(allowed) == 0 {
			return AnswerResult{}, fail(http.StatusConflict, "response", "the case is %s and takes no answer from this notice now", cs.Status)
		}
		if errs := req.Validate(allowed); len(errs) > 0 {
			return AnswerResult{}, &problem{Status: http.StatusUnprocessableEntity, Errors: errs}
		}
		reply := operatorReply(n, req)
		d := models.AnswerDelivery{AnswerKey: key, Kind: models.AnswerOperator, CaseID: n.CaseID, CreatedAt: reply.CreatedAt}
		err := s.recordAnswer(ctx, &d, func(tx *gorm.DB) (uint, error) {
			err := tx.Create(&reply).Error
			if err == nil && also != nil {
				err = also(tx)
			}
			return reply.ID, err
		})
		if err == nil {
			return AnswerResult{Delivered: s.deliver(ctx, d, false)}, nil
		}
		if !isUniqueViolation(err) {
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
func (s *Server) replayOperator(ctx context.Context, n models.Notice, key string, req ResponseRequest) (AnswerResult, bool, error) {
	var r models.OperatorReply
	err := s.DB.WithContext(ctx).Where("notice_id = ?", n.ID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return AnswerResult{}, false, nil
	}
	if err != nil {
		return AnswerResult{}, true, err
	}
	want := operatorReply(n, req)
	want.ID, want.CreatedAt = r.ID, r.CreatedAt
	if r != want {
		return AnswerResult{}, true, fail(http.StatusConflict, "response", "this notice was already answered")
	}
	res, err := s.replay(ctx, key)
	return res, true, err
}
