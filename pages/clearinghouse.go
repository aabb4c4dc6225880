package pages

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
)

// postClearinghouseFiled records the clearinghouse's report id of a CSAM
// report the signed-in analyst filed by hand (docs/DESIGN.md step 7), then
// shows the case again.
func (p *Pages) postClearinghouseFiled(c echo.Context) error {
	k, _ := c.Get(ctxUser).(config.APIKey)
	id := c.Param("id")
	req := desk.ClearinghouseFiledRequest{ReportID: c.FormValue("report_id")}
	if _, err := p.desk.FileClearinghouseByHand(c.Request().Context(), id, k.Name, req); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/console/cases/"+url.PathEscape(id))
}
