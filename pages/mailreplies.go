package pages

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
)

// postAcceptMailReply records the suggested answer of a reply by mail as
// the operator's answer (desk.AcceptMailReply), for the signed-in
// analyst; a refusal is shown in words on the case page.
func (p *Pages) postAcceptMailReply(c echo.Context) error {
	id := c.Param("id")
	k, _ := c.Get(ctxUser).(config.APIKey)
	if _, err := p.desk.AcceptMailReply(c.Request().Context(), id, c.Param("reply_id"), k.Name); err != nil {
		code, problems := statusOf(err)
		if code != http.StatusConflict && code != http.StatusNotFound && code != http.StatusUnprocessableEntity {
			return err
		}
		refusal := "The operator's answer was not recorded"
		for i, pr := range problems {
			sep := ": "
			if i > 0 {
				sep = "; "
			}
			refusal += sep + pr.Message
		}
		return p.renderCase(c, code, desk.DecisionRequest{}, fieldErrors{}, refusal+".", "")
	}
	return c.Redirect(http.StatusSeeOther, "/console/cases/"+url.PathEscape(id)+"?done="+url.QueryEscape("the operator's answer removed, from their reply by mail"))
}
