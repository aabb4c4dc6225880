package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
)

// Referrals to authorities (DSA Art. 18; docs/DESIGN.md "Threats to life
// or safety"): POST /v1/cases/{id}/referrals (analyst). 201 with the new
// referral; 200 with the referral made before when the case was referred
// to that member state already (nothing is sent again); 404 unknown case;
// 422 every problem, a member state without a configured authority
// naming the configured ones.

// referralUseCases is the desk's referral use case (*desk.Desk).
type referralUseCases interface {
	Refer(ctx context.Context, caseID, analyst string, r desk.ReferralRequest) (desk.ReferralView, bool, error)
}

func (s *Server) postReferral(c echo.Context) error {
	uc, ok := s.Desk.(referralUseCases)
	if !ok {
		return fail(http.StatusServiceUnavailable, "", "referrals are not available")
	}
	var req desk.ReferralRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	v, created, err := uc.Refer(c.Request().Context(), c.Param("id"), actor(c), req)
	if err != nil {
		return err
	}
	if created {
		return c.JSON(http.StatusCreated, v)
	}
	return c.JSON(http.StatusOK, v)
}

// referralSchemas document the body and the answer of POST
// /v1/cases/{id}/referrals.
func referralSchemas() (body, answer map[string]any) {
	dt := map[string]any{"type": "string", "format": "date-time"}
	body = obj([]string{"member_state", "suspicion"}, map[string]any{
		"member_state": map[string]any{"type": "string", "description": "ISO 3166-1 alpha-2 code of the member state concerned (EU for Europol); one with an authority in threat_authorities"},
		"suspicion":    map[string]any{"type": "string", "maxLength": desk.MaxSuspicion, "description": "why the information gives rise to a suspicion of a criminal offence involving a threat to someone's life or safety (sent to the authority)"},
		"urgent":       boolean,
	})
	answer = obj([]string{"member_state", "authority", "by", "requested_at", "sent_at", "workflow_id"}, map[string]any{
		"member_state": str, "authority": map[string]any{"type": "string", "format": "email"}, "suspicion": str, "urgent": boolean,
		"by": str, "requested_at": dt, "sent_at": map[string]any{"type": "string", "format": "date-time", "nullable": true},
		"notice_id": str, "workflow_id": str,
	})
	return body, answer
}

var referralBody, referralAnswer = referralSchemas()
