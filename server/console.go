package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
)

// The console at volume (issue 15): claims, the queue's summary and bulk
// decisions. Same use cases as the console pages (desk/console.go).

// ClaimRequest is the optional body of a claim or release: force takes
// over (or gives up) another analyst's claim.
type ClaimRequest struct {
	Force bool `json:"force"`
}

func (s *Server) claimRequest(c echo.Context) (ClaimRequest, error) {
	var req ClaimRequest
	if c.Request().ContentLength == 0 {
		return req, nil // no body: no force
	}
	err := bindStrict(c, &req)
	return req, err
}

// postClaim serves POST /v1/cases/{id}/claim.
func (s *Server) postClaim(c echo.Context) error {
	req, err := s.claimRequest(c)
	if err != nil {
		return err
	}
	out, err := s.Desk.Claim(c.Request().Context(), c.Param("id"), actor(c), req.Force)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// postRelease serves POST /v1/cases/{id}/release.
func (s *Server) postRelease(c echo.Context) error {
	req, err := s.claimRequest(c)
	if err != nil {
		return err
	}
	out, err := s.Desk.Release(c.Request().Context(), c.Param("id"), actor(c), req.Force)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// getCaseSummary serves GET /v1/cases/summary: counts per status and the
// age of the oldest open case.
func (s *Server) getCaseSummary(c echo.Context) error {
	out, err := s.Desk.Summary(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// postBulkDecision serves POST /v1/decisions/bulk: one decision for up to
// desk.MaxBulkCases cases, answered per case (200 even when some cases
// refused it; each result carries its own code).
func (s *Server) postBulkDecision(c echo.Context) error {
	var req desk.BulkDecision
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	res, err := s.Desk.BulkDecide(c.Request().Context(), req, actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		Results []desk.BulkResult `json:"results"`
	}{res})
}

// assigneeParam maps GET /v1/cases?assignee= to the filter: "me" is the
// caller's key, "none" the unclaimed cases, anything else a key name.
func assigneeParam(c echo.Context) string {
	switch v := strings.TrimSpace(c.QueryParam("assignee")); v {
	case "", "all", "any":
		return ""
	case "me":
		return actor(c)
	case "none":
		return desk.AssigneeNone
	default:
		return v
	}
}
