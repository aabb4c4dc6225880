package server

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// CaseJSON is the analyst's view of a case (DESIGN.md contract fields and
// more).
type CaseJSON struct {
	CaseID       string          `json:"case_id"`
	Category     models.Category `json:"category"`
	Service      models.Service  `json:"service"`
	Domain       string          `json:"domain"`
	AccountID    string          `json:"account_id,omitempty"`
	Status       models.Status   `json:"status"`
	Outcome      models.Outcome  `json:"outcome"`
	NextDeadline *time.Time      `json:"next_deadline,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
	ClosedAt     *time.Time      `json:"closed_at,omitempty"`
	Untrusted    bool            `json:"untrusted,omitempty"`
	LegalHold    bool            `json:"legal_hold"`
	Source       string          `json:"source"`
	Notices      []NoticeJSON    `json:"notices"`
	// Detail fields (GET /v1/cases/{id} only).
	Description string            `json:"description,omitempty"`
	Reporter    *models.Reporter  `json:"reporter,omitempty"`
	URLs        []string          `json:"urls,omitempty"`
	URLCount    int64             `json:"url_count,omitempty"`
	Decisions   []models.Decision `json:"decisions,omitempty"`
	Blocks      []models.Block    `json:"blocks,omitempty"`
	Awaiting    string            `json:"awaiting,omitempty"`
	DeadlineFor string            `json:"deadline_kind,omitempty"`
	RestoreAt   *time.Time        `json:"restore_at,omitempty"`
	Customer    *CustomerJSON     `json:"customer,omitempty"`
	// MailReplies are the replies to the case's notices that arrived by
	// mail (mailreplies.go).
	MailReplies []MailReplyJSON `json:"mail_replies,omitempty"`
	// NeedsAttention is why an analyst must look (a notice bounced with
	// nowhere else to go); ReporterUnreachable: the reporter's mail
	// bounced (delivery.go).
	NeedsAttention      string `json:"needs_attention,omitempty"`
	ReporterUnreachable bool   `json:"reporter_unreachable,omitempty"`
}

// CustomerJSON is the customer record behind a case.
type CustomerJSON struct {
	Account models.Account        `json:"account"`
	Domain  models.Domain         `json:"domain"`
	Hosted  []models.HostedObject `json:"hosted"`
}

// NoticeJSON is one notice of a case.
type NoticeJSON struct {
	NoticeID         string               `json:"notice_id"`
	Step             string               `json:"step"`
	RecipientRole    models.RecipientRole `json:"recipient_role"`
	To               string               `json:"to"`
	Subject          string               `json:"subject"`
	IncludesOriginIP bool                 `json:"includes_origin_ip"`
	Status           models.NoticeStatus  `json:"status"`
	CreatedAt        time.Time            `json:"created_at"`
	SentAt           *time.Time           `json:"sent_at,omitempty"`
	Body             string               `json:"body,omitempty"`
	// DeliveryState: queued, sent, bounced, redirected (or suppressed).
	DeliveryState models.NoticeDeliveryState `json:"delivery_state"`
	BounceReason  string                     `json:"bounce_reason,omitempty"`
	RedirectedTo  string                     `json:"redirected_to,omitempty"`
}

func caseJSON(cs models.Case, ns []models.Notice) CaseJSON {
	out := CaseJSON{CaseID: cs.ID, Category: cs.Category, Service: cs.Service, Domain: cs.Domain, AccountID: cs.AccountID,
		Status: cs.Status, Outcome: cs.Outcome, NextDeadline: cs.NextDeadline, CreatedAt: cs.CreatedAt,
		ClosedAt: cs.ClosedAt, Untrusted: cs.Untrusted, LegalHold: cs.LegalHold, Source: cs.Source, Notices: []NoticeJSON{}}
	if out.Service == "" {
		out.Service = models.ServiceNone
	}
	for _, n := range ns {
		out.Notices = append(out.Notices, NoticeJSON{NoticeID: n.ID, Step: n.Step, RecipientRole: n.RecipientRole, To: n.To,
			Subject: n.Subject, IncludesOriginIP: n.IncludesOriginIP, Status: n.Status, CreatedAt: n.CreatedAt, SentAt: n.SentAt,
			DeliveryState: models.DeliveryStateOf(n, nil)})
	}
	return out
}

// CaseFilter selects cases for the queue.
type CaseFilter struct {
	Status, Category, Service, Domain string
	DeadlineBefore                    *time.Time
	Limit, Offset                     int
}

// QueryCases lists cases in queue order: CSAM first, then by next
// deadline (none last), then oldest first.
func QueryCases(db *gorm.DB, f CaseFilter) ([]models.Case, error) {
	q := db.Model(&models.Case{})
	switch f.Status {
	case "", "all":
	case "open":
		q = q.Where(store.OpenCases)
	default:
		q = q.Where("status = ?", f.Status)
	}
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if f.Service != "" {
		q = q.Where("service = ?", f.Service)
	}
	if f.Domain != "" {
		d, err := store.NormalizeHost(f.Domain)
		if err != nil {
			// Dropping the filter would list every case.
			return nil, fail(http.StatusBadRequest, "domain", "%v", err)
		}
		q = q.Where("domain = ?", d)
	}
	if f.DeadlineBefore != nil {
		q = q.Where("next_deadline IS NOT NULL AND next_deadline < ?", *f.DeadlineBefore)
	}
	var out []models.Case
	err := q.Order(store.OpenQueueOrder).Offset(f.Offset).Limit(f.Limit).Find(&out).Error
	return out, err
}

func (s *Server) listCases(c echo.Context) error {
	f := CaseFilter{Status: c.QueryParam("status"), Category: c.QueryParam("category"),
		Service: c.QueryParam("service"), Domain: c.QueryParam("domain"), Limit: 50}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return fail(http.StatusBadRequest, "limit", "must be a number from 1 to 500")
		}
		f.Limit = n
	}
	if v := c.QueryParam("cursor"); v != "" {
		// A cursor is an offset this server issued; bounding it keeps the
		// next cursor (offset + limit) from overflowing.
		raw, err := base64.RawURLEncoding.DecodeString(v)
		n, err2 := strconv.Atoi(string(raw))
		if err != nil || err2 != nil || n < 0 || n > maxCursorOffset {
			return fail(http.StatusBadRequest, "cursor", "not a cursor this server issued")
		}
		f.Offset = n
	}
	if v := c.QueryParam("deadline_before"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return fail(http.StatusBadRequest, "deadline_before", "must be an RFC 3339 time")
		}
		f.DeadlineBefore = &t
	}
	if f.Category != "" && !models.Category(f.Category).Valid() {
		return fail(http.StatusBadRequest, "category", "unknown category %q", f.Category)
	}
	if f.Domain != "" {
		if _, err := store.NormalizeHost(f.Domain); err != nil {
			return fail(http.StatusBadRequest, "domain", "%v", err)
		}
	}
	cases, err := QueryCases(s.DB.WithContext(c.Request().Context()), f)
	if err != nil {
		return err
	}
	ids := make([]string, len(cases))
	for i, cs := range cases {
		ids[i] = cs.ID
	}
	byCase := map[string][]models.Notice{}
	if len(ids) > 0 {
		var ns []models.Notice
		if err := s.DB.WithContext(c.Request().Context()).Omit("body_text", "body_html").Where("case_id IN ?", ids).Order("created_at").Find(&ns).Error; err != nil {
			return err
		}
		for _, n := range ns {
			byCase[n.CaseID] = append(byCase[n.CaseID], n)
		}
	}
	out := struct {
		Cases      []CaseJSON `json:"cases"`
		NextCursor string     `json:"next_cursor,omitempty"`
	}{Cases: []CaseJSON{}}
	for _, cs := range cases {
		out.Cases = append(out.Cases, caseJSON(cs, byCase[cs.ID]))
	}
	if len(cases) == f.Limit {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(f.Offset + f.Limit)))
	}
	return c.JSON(http.StatusOK, out)
}

// LoadCase reads a case with everything the analyst sees.
func (s *Server) LoadCase(ctx context.Context, id string) (CaseJSON, error) {
	db := s.DB.WithContext(ctx)
	var cs models.Case
	if err := db.First(&cs, "id = ?", id).Error; err != nil {
		return CaseJSON{}, err
	}
	var ns []models.Notice
	if err := db.Where("case_id = ?", id).Order("created_at").Find(&ns).Error; err != nil {
		return CaseJSON{}, err
	}
	out := caseJSON(cs, ns)
	for i := range out.Notices {
		out.Notices[i].Body = ns[i].BodyText
	}
	out.Description = cs.Description
	out.Reporter = &models.Reporter{Name: cs.ReporterName, Email: cs.ReporterEmail, Organization: cs.ReporterOrg, Title: cs.ReporterTitle}
	db.Model(&models.CaseURL{}).Where("case_id = ?", id).Count(&out.URLCount)
	db.Model(&models.CaseURL{}).Where("case_id = ?", id).Order("seq").Limit(200).Pluck("url", &out.URLs)
	db.Where("case_id = ?", id).Order("id").Find(&out.Decisions)
	db.Where("case_id = ?", id).Find(&out.Blocks)
	replies, err := s.MailReplies(ctx, id)
	if err != nil {
		return CaseJSON{}, err
	}
	out.MailReplies = replies
	if err := s.loadDelivery(ctx, &out); err != nil {
		return CaseJSON{}, err
	}
	if cs.Domain != "" {
		var cu CustomerJSON
		if db.First(&cu.Domain, "name = ?", cs.Domain).Error == nil {
			db.First(&cu.Account, "id = ?", cu.Domain.AccountID)
			db.Where("domain = ?", cs.Domain).Find(&cu.Hosted)
			out.Customer = &cu
		}
	}
	if cs.Status != models.StatusClosed {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if v, err := s.Temporal.QueryWorkflow(qctx, workflows.CaseWorkflowID(id), "", workflows.QueryStatus); err == nil {
			var st workflows.CaseStatus
			if v.Get(&st) == nil {
				out.Awaiting, out.DeadlineFor, out.RestoreAt = st.Awaiting, st.DeadlineKind, st.RestoreAt
				if st.NextDeadline != nil {
					out.NextDeadline = st.NextDeadline
				}
			}
		}
	}
	return out, nil
}

func (s *Server) getCase(c echo.Context) error {
	out, err := s.LoadCase(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// DecisionRequest is the body of POST /v1/cases/{id}/decisions.
type DecisionRequest struct {
	Verdict    string `json:"verdict"`
	Reason     string `json:"reason"`
	Clause     string `json:"clause"`
	Question   string `json:"question"`
	LegalBasis string `json:"legal_basis"`
}

func (r DecisionRequest) decision(analyst string) workflows.Decision {
	return workflows.Decision{Verdict: workflows.Verdict(r.Verdict), Reason: strings.TrimSpace(r.Reason), Clause: r.Clause,
		Question: strings.TrimSpace(r.Question), LegalBasis: strings.TrimSpace(r.LegalBasis), Analyst: analyst}
}

func (s *Server) postDecision(c echo.Context) error {
	var req DecisionRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	res, err := s.DecideAndWait(c.Request().Context(), c.Param("id"), req.decision(actor(c)))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// Decide applies an analyst decision as a Temporal Update; the validator's
// refusal comes back as a 409 or 422.
func (s *Server) Decide(ctx context.Context, caseID string, d workflows.Decision) (workflows.DecisionResult, error) {
	var res workflows.DecisionResult
	if err := workflows.ValidateDecisionShape(d); err != nil {
		return res, err
	}
	var cs models.Case
	if err := s.DB.WithContext(ctx).Select("id", "status", "outcome").First(&cs, "id = ?", caseID).Error; err != nil {
		return res, err
	}
	if cs.Status == models.StatusClosed {
		return res, fail(http.StatusConflict, "verdict", "case is closed (%s)", cs.Outcome)
	}
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.CaseWorkflowID(caseID), UpdateName: workflows.UpdateDecide,
		Args: []any{d}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return res, closedAsConflict(err)
	}
	return res, closedAsConflict(h.Get(ctx, &res))
}

// closedAsConflict turns "workflow already completed" into a 409.
func closedAsConflict(err error) error {
	if err == nil {
		return nil
	}
	if strings.Contains(strings.ToLower(err.Error()), "workflow execution already completed") {
		return fail(http.StatusConflict, "verdict", "case is closed")
	}
	return err
}

// CourtActionRequest reports that the complainant filed a court action.
type CourtActionRequest struct {
	Reference string `json:"reference"`
}

func (s *Server) postCourtAction(c echo.Context) error {
	var req CourtActionRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var cs models.Case
	if err := s.DB.WithContext(ctx).First(&cs, "id = ?", c.Param("id")).Error; err != nil {
		return err
	}
	if cs.Status != models.StatusCounterNotice {
		return fail(http.StatusConflict, "reference", "the case is %s, not waiting out a counter-notice", cs.Status)
	}
	if err := s.Temporal.SignalWorkflow(ctx, workflows.CaseWorkflowID(cs.ID), "", workflows.SignalCourtAction,
		workflows.CourtAction{By: actor(c), Reference: req.Reference}); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"case_id": cs.ID, "status": "court action recorded"})
}

func (s *Server) listReviews(c echo.Context) error {
	var rs []models.Review
	q := s.DB.WithContext(c.Request().Context()).Order("created_at")
	if st := c.QueryParam("status"); st != "" {
		q = q.Where("status = ?", st)
	}
	if err := q.Limit(500).Find(&rs).Error; err != nil {
		return err
	}
	out := make([]ReviewJSON, 0, len(rs))
	for _, r := range rs {
		out = append(out, reviewJSON(r))
	}
	return c.JSON(http.StatusOK, map[string]any{"reviews": out})
}

func (s *Server) postReviewDecision(c echo.Context) error {
	var req DecisionRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	d := req.decision(actor(c))
	d.Clause = c.QueryParam("service")
	if v := strings.TrimSpace(req.Clause); v != "" {
		d.Clause = v
	}
	if err := workflows.ValidateTermination(d); err != nil {
		return err
	}
	id := workflows.ReviewWorkflowID(c.Param("account"), c.Param("kind"))
	ctx := c.Request().Context()
	var rv models.Review
	if err := s.DB.WithContext(ctx).First(&rv, "id = ?", id).Error; err != nil {
		return err // no such review: 404
	}
	if rv.Status == "closed" {
		return fail(http.StatusConflict, "verdict", "the review is already decided (%s)", rv.Verdict)
	}
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: workflows.UpdateDecide, Args: []any{d}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return closedAsConflict(err)
	}
	var res workflows.DecisionResult
	if err := h.Get(ctx, &res); err != nil {
		return closedAsConflict(err)
	}
	return c.JSON(http.StatusOK, map[string]string{"review_id": id, "verdict": string(d.Verdict)})
}

var errNoHistory = errors.New("no history")

// maxCursorOffset bounds the offset a cursor may carry: far past any real
// queue, and small enough that offset + limit never overflows.
const maxCursorOffset = 1 << 30
