package pages

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// statusOf is the status and problems of a handler's error: desk's one
// table, and Echo's own errors (a body over the limit, a form that cannot
// be read) as Echo states them.
func statusOf(err error) (int, []models.FieldError) {
	var he *echo.HTTPError
	var de *desk.Error
	if errors.As(err, &he) && !errors.As(err, &de) {
		if he.Code == http.StatusRequestEntityTooLarge {
			return he.Code, []models.FieldError{{Field: "body", Message: "request body too large"}}
		}
		return he.Code, []models.FieldError{{Field: "", Message: fmt.Sprint(he.Message)}}
	}
	return desk.StatusOf(err)
}

// client is the request's client for the attempt limiter, the same as the
// JSON API counts it: the direct peer unless trusted proxies are
// configured (then Echo's IPExtractor says who sent the request).
func client(c echo.Context) string {
	ip := echo.ExtractIPDirect()(c.Request())
	if c.Echo().IPExtractor != nil {
		ip = c.RealIP()
	}
	return desk.ClientID(ip)
}

// authBlocked reports whether the request's client is locked out after
// too many failed authentications (desk's attempt limiter, shared with the
// JSON API); when it is, it sets Retry-After and returns the 429 error.
func (p *Pages) authBlocked(c echo.Context) error {
	d, blocked := p.desk.AuthBlocked(client(c))
	if !blocked {
		return nil
	}
	secs := int(math.Ceil(d.Seconds()))
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return desk.Fail(desk.KindTooMany, "", "too many failed authentications from this address; retry after %d seconds", secs)
}

// noteAuthFailure counts a failed authentication (a wrong key or token)
// against the request's client.
func (p *Pages) noteAuthFailure(c echo.Context) {
	p.desk.AuthFailed(client(c))
}

// guardToken limits the pages of token links (the reporter's status, the
// operator's notice) as the JSON API limits its token routes: a
// locked-out client gets 429, and an answer of 404 to a request that
// carried a token (a wrong token, or a wrong id: the two are answered
// alike) counts as a failure.
func (p *Pages) guardToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := p.authBlocked(c); err != nil {
			return err
		}
		err := next(c)
		code := c.Response().Status
		if err != nil && !c.Response().Committed {
			code, _ = statusOf(err)
		}
		if code == http.StatusNotFound && (c.QueryParam("token") != "" || c.FormValue("token") != "") {
			p.noteAuthFailure(c)
		}
		return err
	}
}
