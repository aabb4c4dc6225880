// Package webguard holds what the two HTTP front ends (server, JSON, and
// pages, HTML) share about a request: how its error maps to a status and
// problems, who its client is for the attempt limiter, and the guard of
// the token-link routes. One copy, so the API and the pages cannot drift
// apart on who is locked out or what counts as a failed attempt.
package webguard

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// Limiter is desk's failed-authentication limiter, by client.
type Limiter interface {
	AuthBlocked(client string) (time.Duration, bool)
	AuthFailed(client string)
}

// StatusOf is the status and problems of a handler's error: desk's one
// table, and Echo's own errors (a body over the limit, a form that cannot
// be read) as Echo states them.
func StatusOf(err error) (int, []models.FieldError) {
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

// Client is the request's client for the limiters: the direct peer unless
// trusted proxies are configured (then Echo's IPExtractor says who sent
// the request).
func Client(c echo.Context) string {
	ip := echo.ExtractIPDirect()(c.Request())
	if c.Echo().IPExtractor != nil {
		ip = c.RealIP()
	}
	return desk.ClientID(ip)
}

// Blocked reports whether the request's client is locked out after too
// many failed authentications; when it is, it sets Retry-After and returns
// the 429 error to answer with.
func Blocked(l Limiter, c echo.Context) error {
	d, blocked := l.AuthBlocked(Client(c))
	if !blocked {
		return nil
	}
	secs := int(math.Ceil(d.Seconds()))
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return desk.Fail(desk.KindTooMany, "", "too many failed authentications from this address; retry after %d seconds", secs)
}

// Failed counts a failed authentication (a wrong key or token) against
// the request's client.
func Failed(l Limiter, c echo.Context) { l.AuthFailed(Client(c)) }

// Token guards the routes of token links (the reporter's status, the
// operator's notice): a locked-out client gets 429, and an answer of 404
// to a request that carried a token (a wrong token, or a wrong id: the
// two are answered alike) counts as a failure.
func Token(l Limiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := Blocked(l, c); err != nil {
				return err
			}
			err := next(c)
			code := c.Response().Status
			if err != nil && !c.Response().Committed {
				code, _ = StatusOf(err)
			}
			if code == http.StatusNotFound && (c.QueryParam("token") != "" || c.FormValue("token") != "") {
				Failed(l, c)
			}
			return err
		}
	}
}
