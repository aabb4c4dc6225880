package pages

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
)

// postReferral refers a case to the authority of a member state (DSA Art.
// 18) from the case page's form, as POST /v1/cases/{id}/referrals does; a
// refusal is shown on the error page with every problem.
func (p *Pages) postReferral(c echo.Context) error {
	k, _ := c.Get(ctxUser).(config.APIKey)
	id := c.Param("id")
	req := desk.ReferralRequest{MemberState: c.FormValue("member_state"), Suspicion: c.FormValue("suspicion"),
		Urgent: c.FormValue("urgent") != ""}
	if _, _, err := p.desk.Refer(c.Request().Context(), id, k.Name, req); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/console/cases/"+url.PathEscape(id)+"#referrals")
}

// threatStates are the member states a case can be referred to (those
// with an authority in threat_authorities).
func (p *Pages) threatStates() []string {
	if p.desk == nil || p.desk.Cfg == nil {
		return nil
	}
	return p.desk.Cfg.ThreatMemberStates()
}
