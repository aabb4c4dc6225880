package server

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
)

// maxCursorOffset bounds the offset a cursor may carry: far past any real
// queue, and small enough that offset + limit never overflows.
const maxCursorOffset = 1 << 30

// caseFilter reads the queue's parameters.
func caseFilter(c echo.Context) (desk.CaseFilter, error) {
	f := desk.CaseFilter{Status: c.QueryParam("status"), Category: c.QueryParam("category"),
		Service: c.QueryParam("service"), Domain: c.QueryParam("domain"), Assignee: assigneeParam(c), Limit: 50}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return f, fail(http.StatusBadRequest, "limit", "must be a number from 1 to 500")
		}
		f.Limit = n
	}
	if v := c.QueryParam("cursor"); v != "" {
		// A cursor is an offset this server issued; bounding it keeps the
		// next cursor (offset + limit) from overflowing.
		raw, err := base64.RawURLEncoding.DecodeString(v)
		n, err2 := strconv.Atoi(string(raw))
		if err != nil || err2 != nil || n < 0 || n > maxCursorOffset {
			return f, fail(http.StatusBadRequest, "cursor", "not a cursor this server issued")
		}
		f.Offset = n
	}
	if v := c.QueryParam("deadline_before"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return f, fail(http.StatusBadRequest, "deadline_before", "must be an RFC 3339 time")
		}
		f.DeadlineBefore = &t
	}
	return f, nil
}

func (s *Server) listCases(c echo.Context) error {
	f, err := caseFilter(c)
	if err != nil {
		return err
	}
	cases, err := s.Desk.ListCases(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Cases      []desk.CaseView `json:"cases"`
		NextCursor string          `json:"next_cursor,omitempty"`
	}{Cases: cases}
	if len(cases) == f.Limit {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(f.Offset + f.Limit)))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getCase(c echo.Context) error {
	out, err := s.Desk.LoadCase(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// postDecision applies an analyst decision and answers the case's state
// after it (desk.DecisionAnswer).
func (s *Server) postDecision(c echo.Context) error {
	var req desk.DecisionRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	res, err := s.Desk.DecideAndWait(c.Request().Context(), c.Param("id"), req, actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
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
	res, err := s.Desk.CourtAction(c.Request().Context(), c.Param("id"), actor(c), req.Reference)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, res)
}

func (s *Server) listReviews(c echo.Context) error {
	rs, err := s.Desk.Reviews(c.Request().Context(), c.QueryParam("status"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"reviews": rs})
}

// postReviewDecision decides a termination review; ?service= names the
// service a terminate verdict ends.
func (s *Server) postReviewDecision(c echo.Context) error {
	var req desk.DecisionRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	res, err := s.Desk.DecideReview(c.Request().Context(), c.Param("account"), c.Param("kind"), c.QueryParam("service"), req, actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// answerStatus is the HTTP status of an accepted answer: 202 for a new
// one, 200 for the same answer sent again.
func answerStatus(r desk.AnswerResult) int {
	if r.Replayed {
		return http.StatusOK
	}
	return http.StatusAccepted
}

// postAcceptMailReply serves POST /v1/cases/{id}/mail-replies/{reply_id}/accept.
func (s *Server) postAcceptMailReply(c echo.Context) error {
	res, err := s.Desk.AcceptMailReply(c.Request().Context(), c.Param("id"), c.Param("reply_id"), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(answerStatus(res), map[string]any{"case_id": c.Param("id"), "reply_id": c.Param("reply_id"),
		"status": "operator answer recorded", "delivered": res.Delivered, "replayed": res.Replayed})
}
