package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
)

// postClearinghouseFiled records the clearinghouse's report id of a CSAM
// report an analyst filed by hand (docs/DESIGN.md step 7): the report is
// finished and its material preserved for one year.
func (s *Server) postClearinghouseFiled(c echo.Context) error {
	var req desk.ClearinghouseFiledRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	out, err := s.Desk.FileClearinghouseByHand(c.Request().Context(), c.Param("id"), actor(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
