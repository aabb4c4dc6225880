package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
)

// Mitigations (docs/DESIGN.md "Mitigations"): the analysts' endpoints on
// the restrictions of a case. Every answer shows the mitigations after the
// change.

func (s *Server) getCaseMitigations(c echo.Context) error {
	ms, err := s.Desk.CaseMitigations(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"case_id": c.Param("id"), "mitigations": ms})
}

func (s *Server) postCaseMitigation(c echo.Context) error {
	var req desk.PlaceMitigationRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	ms, err := s.Desk.PlaceMitigation(c.Request().Context(), c.Param("id"), req, actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"case_id": c.Param("id"), "mitigations": ms})
}

func (s *Server) getMitigationsInReview(c echo.Context) error {
	ms, err := s.Desk.MitigationsInReview(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"mitigations": ms})
}

func (s *Server) postMitigationReview(c echo.Context) error {
	var req desk.MitigationReviewRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	m, err := s.Desk.ReviewMitigation(c.Request().Context(), c.Param("id"), req, actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (s *Server) postMitigationCancel(c echo.Context) error {
	var req desk.MitigationCancelRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	m, err := s.Desk.CancelMitigation(c.Request().Context(), c.Param("id"), req, actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}
