package server

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
)

// senderLister is the use case behind GET /v1/admin/senders (issue 14,
// format drift). It is asserted on Server.Desk rather than added to
// UseCases so that a front end without it answers 503 instead of failing
// to build.
type senderLister interface {
	Senders(ctx context.Context, limit int) ([]desk.SenderView, error)
}

var _ senderLister = (*desk.Desk)(nil)

// defaultSendersPage is how many records a read returns without ?limit.
const defaultSendersPage = 100

// SendersAnswer is the answer of GET /v1/admin/senders: the email intake's
// senders by format, drifting ones first, and how many are drifting.
type SendersAnswer struct {
	Senders  []desk.SenderView `json:"senders"`
	Drifting int               `json:"drifting"`
}

// getSenders lists the per-sender records of the email intake for
// analysts (and admins): counts, last problem, drift.
func (s *Server) getSenders(c echo.Context) error {
	limit := defaultSendersPage
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > desk.MaxSendersPage {
			return fail(http.StatusBadRequest, "limit", "must be a number from 1 to %d", desk.MaxSendersPage)
		}
		limit = n
	}
	sl, ok := s.Desk.(senderLister)
	if !ok {
		return fail(http.StatusServiceUnavailable, "", "the email intake's sender records are not available here")
	}
	rows, err := sl.Senders(c.Request().Context(), limit)
	if err != nil {
		return err
	}
	ans := SendersAnswer{Senders: rows}
	for _, r := range rows {
		if r.Drifting {
			ans.Drifting++
		}
	}
	return c.JSON(http.StatusOK, ans)
}
