package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
)

func (s *Server) getNotice(c echo.Context) error {
	ctx := c.Request().Context()
	n, err := s.Desk.OperatorNotice(ctx, c.Param("id"), c.QueryParam("token"))
	if err != nil {
		return err
	}
	v, err := s.Desk.OperatorView(ctx, n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// postNoticeResponse records the operator's answer to a notice
// (desk.ResponseRequest; a counter-notice carries the 17 U.S.C.
// 512(g)(3) elements as named fields).
func (s *Server) postNoticeResponse(c echo.Context) error {
	var req desk.ResponseRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	res, err := s.Desk.Respond(c.Request().Context(), c.Param("id"), c.QueryParam("token"), req)
	if err != nil {
		return err
	}
	return c.JSON(answerStatus(res), map[string]any{"notice_id": c.Param("id"), "status": "response received",
		"delivered": res.Delivered, "replayed": res.Replayed})
}
