package pages

import (
	"net/http"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

type timelineData struct {
	CaseID  string
	Entries []desk.TimelineEntry
	Events  int
	// CanDownload shows the raw-history link to auditors only (the
	// download needs that role).
	CanDownload bool
}

// timelinePage is the auditor's view; ?download=1 gives the raw history as
// JSON that replays (the same bytes as GET /v1/cases/{id}/history), which
// like that endpoint needs the auditor role: the decoded history holds
// every payload (reporters' facts, notice bodies). The page itself shows
// analysts no more than the case page does (verdicts, clauses, reasons,
// notice ids, statuses), so it stays open to them.
func (p *Pages) timelinePage(c echo.Context) error {
	id := c.Param("id")
	if c.QueryParam("download") != "" {
		k, _ := c.Get(ctxUser).(config.APIKey)
		if !models.Role(k.Role).Allows(models.RoleAuditor) {
			return p.ErrorPage(c, http.StatusForbidden, []models.FieldError{{Field: "role",
				Message: "downloading a case's history needs the auditor role; you are signed in with the " + k.Role + " role"}})
		}
		raw, err := p.desk.CaseHistory(c.Request().Context(), id)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(id)+`.history.json"`)
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.Blob(http.StatusOK, "application/json", raw)
	}
	es, err := p.desk.Timeline(c.Request().Context(), id)
	if err != nil {
		return err
	}
	k, _ := c.Get(ctxUser).(config.APIKey)
	return p.render(c, http.StatusOK, "timeline", "Timeline of case "+id, timelineData{CaseID: id, Entries: es,
		CanDownload: models.Role(k.Role).Allows(models.RoleAuditor)})
}

func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			return r
		}
		return '_'
	}, s)
}
