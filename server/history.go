package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// getHistory serves a case's workflow history to auditors: payloads
// decoded, or as stored with ?encoded=1; ?download=1 as an attachment.
func (s *Server) getHistory(c echo.Context) error {
	encoded := c.QueryParam("encoded") != ""
	read := s.Desk.CaseHistory
	if encoded {
		read = s.Desk.CaseHistoryEncoded
	}
	b, err := read(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if c.QueryParam("download") != "" {
		name := c.Param("id") + ".history.json"
		if encoded {
			name = c.Param("id") + ".history.encoded.json"
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	return c.Blob(http.StatusOK, "application/json", b)
}
