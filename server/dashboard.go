package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// dashboardReader is the use case behind GET /v1/dashboard, asserted on
// Server.Desk (as senderLister is) so UseCases need not grow for it.
type dashboardReader interface {
	Dashboard(ctx context.Context, days int, now time.Time) (desk.Dashboard, error)
}

var _ dashboardReader = (*desk.Desk)(nil)

// getDashboard is the JSON twin of the console's dashboard page (issue
// 15): the aggregates over the last ?days (1 to desk.MaxDashboardDays,
// default desk.DefaultDashboardDays) whole UTC days. Durations are in
// nanoseconds (the fields ending in _ns).
func (s *Server) getDashboard(c echo.Context) error {
	days := desk.DefaultDashboardDays
	if v := c.QueryParam("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > desk.MaxDashboardDays {
			return fail(http.StatusBadRequest, "days", "must be a whole number of days from 1 to %d", desk.MaxDashboardDays)
		}
		days = n
	}
	dr, ok := s.Desk.(dashboardReader)
	if !ok {
		return fail(http.StatusServiceUnavailable, "", "the dashboard is not available here")
	}
	v, err := dr.Dashboard(c.Request().Context(), days, time.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// requireAnalystOrAuditor lets through keys of either role (the dashboard
// holds counts that both read in the console). An auditor's key goes
// through the auditor check, every other request through the analyst
// check, so a refusal and the failed-authentication count are
// RequireRole's own.
func (s *Server) requireAnalystOrAuditor(next echo.HandlerFunc) echo.HandlerFunc {
	an, au := s.RequireRole(models.RoleAnalyst)(next), s.RequireRole(models.RoleAuditor)(next)
	return func(c echo.Context) error {
		if k, ok := s.authenticate(c); ok && models.Role(k.Role) == models.RoleAuditor {
			return au(c)
		}
		return an(c)
	}
}
