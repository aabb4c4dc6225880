package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/workflows"
)

// problem is an error answered with a status and a list of field errors.
type problem struct {
	Status int
	Errors []models.FieldError
}

func (p *problem) Error() string { return fmt.Sprintf("%d: %v", p.Status, p.Errors) }

func fail(status int, field, format string, args ...any) error {
	return &problem{Status: status, Errors: []models.FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// statusOf is the one table from error kinds to HTTP statuses.
func statusOf(err error) (int, []models.FieldError) {
	var p *problem
	var inv *intake.Invalid
	var he *echo.HTTPError
	var app *temporal.ApplicationError
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &p):
		return p.Status, p.Errors
	case errors.As(err, &inv):
		return http.StatusUnprocessableEntity, inv.Problems
	case errors.Is(err, intake.ErrUnavailable):
		return http.StatusServiceUnavailable, []models.FieldError{{Field: "", Message: "the desk cannot take reports right now; nothing was stored; retry later"}}
	case errors.As(err, &app) && app.Type() == workflows.ErrTypeDecisionConflict:
		return http.StatusConflict, []models.FieldError{{Field: "verdict", Message: app.Message()}}
	case errors.As(err, &app) && app.Type() == workflows.ErrTypeMalformedDecision:
		return http.StatusUnprocessableEntity, []models.FieldError{{Field: "verdict", Message: app.Message()}}
	case errors.Is(err, codec.ErrUnknownKeyID), errors.Is(err, codec.ErrDecryptFailed):
		return http.StatusInternalServerError, []models.FieldError{{Field: "payload_keys", Message: err.Error() + "; ?encoded=1 serves the history as stored"}}
	case errors.Is(err, gorm.ErrRecordNotFound), errors.As(err, &nf):
		return http.StatusNotFound, []models.FieldError{{Field: "", Message: "not found"}}
	case errors.As(err, &he):
		msg := fmt.Sprint(he.Message)
		if he.Code == http.StatusRequestEntityTooLarge {
			msg = "request body too large"
			return he.Code, []models.FieldError{{Field: "body", Message: msg}}
		}
		return he.Code, []models.FieldError{{Field: "", Message: msg}}
	}
	return http.StatusInternalServerError, []models.FieldError{{Field: "", Message: "internal error"}}
}

func (s *Server) errorHandler(err error, c echo.Context) {
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
	if wantsHTML(c) {
		if s.ErrorPage != nil {
			_ = s.ErrorPage(c, code, errs)
			return
		}
		return
	}
	_ = c.JSON(code, map[string]any{"errors": errs})
}

// wantsHTML: page routes render errors as pages.
func wantsHTML(c echo.Context) bool {
	p := c.Path()
	return len(p) > 0 && !strings.HasPrefix(p, "/v1") && !strings.HasPrefix(p, "/edge") && p != "/healthz" && p != "/openapi.json" && p != "/metrics"
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
