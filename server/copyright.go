package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// copyrightCompleter is the use case behind POST /v1/reports/{id}/complete
// (*desk.Desk implements it), asserted on s.Desk so UseCases need not grow.
type copyrightCompleter interface {
	CompleteCopyright(ctx context.Context, cs models.Case, req desk.CopyrightCompletion) (desk.CopyrightAnswer, error)
}

// postCopyrightCompletion is POST /v1/reports/{id}/complete: the
// complainant of an incomplete copyright complaint, authorised by the
// token of its status link (?token=), gives the missing 512(c)(3)
// statements and signature. 202 for a completion, 200 for the same one
// sent again, 409 for a case that is not an incomplete copyright notice,
// 422 naming every element still missing.
func (s *Server) postCopyrightCompletion(c echo.Context) error {
	ctx := c.Request().Context()
	cc, ok := s.Desk.(copyrightCompleter)
	if !ok {
		return desk.Fail(desk.KindUnavailable, "", "copyright completion is not available")
	}
	cs, err := s.Desk.ReporterCase(ctx, c.Param("id"), c.QueryParam("token"))
	if err != nil {
		return err
	}
	var req desk.CopyrightCompletion
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	ans, err := cc.CompleteCopyright(ctx, cs, req)
	if err != nil {
		return err
	}
	code := http.StatusAccepted
	if ans.Replayed {
		code = http.StatusOK
	}
	return c.JSON(code, ans)
}
