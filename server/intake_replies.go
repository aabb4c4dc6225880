package server

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
)

// intakeReplyLister is the use case behind GET /v1/admin/intake-replies
// (issue 14, "No silence"), asserted on Server.Desk like senderLister.
type intakeReplyLister interface {
	IntakeReplies(ctx context.Context, status, caseID string, limit int) ([]desk.IntakeReplyView, error)
}

var _ intakeReplyLister = (*desk.Desk)(nil)

// getIntakeReplies lists the email intake's replies (refusals, partial
// acceptances, answers about IP addresses, duplicates), sent or kept
// unsent with the reason, newest first, for analysts and admins.
func (s *Server) getIntakeReplies(c echo.Context) error {
	limit := 100
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > desk.MaxIntakeRepliesPage {
			return fail(http.StatusBadRequest, "limit", "must be a number from 1 to %d", desk.MaxIntakeRepliesPage)
		}
		limit = n
	}
	l, ok := s.Desk.(intakeReplyLister)
	if !ok {
		return fail(http.StatusServiceUnavailable, "", "the email intake's replies are not available here")
	}
	rows, err := l.IntakeReplies(c.Request().Context(), c.QueryParam("status"), c.QueryParam("case_id"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"replies": rows})
}
