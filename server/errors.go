package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/internal/webguard"
	"github.com/abusedesk/abusedesk/models"
)

// kinds are the desk error kinds of the HTTP statuses the handlers refuse
// requests with themselves (bad parameters, authentication, limits).
var kinds = map[int]desk.Kind{
	http.StatusBadRequest: desk.KindBadRequest, http.StatusUnauthorized: desk.KindUnauthorized,
	http.StatusForbidden: desk.KindForbidden, http.StatusNotFound: desk.KindNotFound,
	http.StatusConflict: desk.KindConflict, http.StatusGone: desk.KindGone,
	http.StatusRequestEntityTooLarge: desk.KindTooLarge, http.StatusUnprocessableEntity: desk.KindInvalid,
	http.StatusTooManyRequests: desk.KindTooMany, http.StatusServiceUnavailable: desk.KindUnavailable,
}

// fail is a refusal with status and one problem about field, as a desk
// error of the status's kind, so that every error goes through desk's one
// table.
func fail(status int, field, format string, args ...any) error {
	k, ok := kinds[status]
	if !ok {
		k = desk.KindInternal
	}
	return desk.Fail(k, field, format, args...)
}

// statusOf maps an error to its HTTP status and problems: Echo's own
// errors (no route, body too large), then desk's table (desk.StatusOf).
func statusOf(err error) (int, []models.FieldError) { return webguard.StatusOf(err) }

// JSONError answers err in the API's error shape ({"errors": [...]}); page
// routes (WantsHTML) get the pages' error page (PageError). It is the Echo
// instance's HTTPErrorHandler.
func (s *Server) JSONError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, errs := statusOf(err)
	if code >= 500 {
		s.Log.Error("request failed", "path", c.Path(), "err", err)
	}
	if code == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="abusedesk"`)
	}
	if WantsHTML(c) {
		if s.PageError != nil {
			_ = s.PageError(c, code, errs)
		}
		return
	}
	_ = c.JSON(code, map[string]any{"errors": errs})
}

// WantsHTML reports whether a request's route is a page's, whose errors
// are rendered as pages.
func WantsHTML(c echo.Context) bool {
	p := c.Path()
	if strings.HasPrefix(c.Request().URL.Path, "/client/v4/") {
		return false // the reference's API answers in its v4 envelope
	}
	return len(p) > 0 && !strings.HasPrefix(p, "/v1") && !strings.HasPrefix(p, "/edge") && p != "/healthz" &&
		p != "/openapi.json" && p != "/metrics"
}

func formatBytes(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "M"
	case n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "K"
	}
	return strconv.FormatInt(n, 10) + "B"
}
