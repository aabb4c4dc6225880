package server

import (
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
)

// Attempt limiting of failed authentications (issue 13, hole 8): wrong API
// keys, wrong notice and reporter tokens. The limiter is desk's
// (desk.Attempts, shared with the pages' sign-in); here a locked-out
// client gets 429 with Retry-After for every authenticated attempt, the
// right key included (so the answer tells it nothing).

// AuthBlocked reports whether the request's client is locked out after
// too many failed authentications; when it is, it sets Retry-After and
// returns the 429 error to answer with.
func (s *Server) AuthBlocked(c echo.Context) error {
	d, blocked := s.Desk.AuthBlocked(clientID(c))
	if !blocked {
		return nil
	}
	secs := int(math.Ceil(d.Seconds()))
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return desk.Fail(desk.KindTooMany, "", "too many failed authentications from this address; retry after %d seconds", secs)
}

// NoteAuthFailure counts a failed authentication (a wrong key or token)
// against the request's client.
func (s *Server) NoteAuthFailure(c echo.Context) { s.Desk.AuthFailed(clientID(c)) }

// GuardToken limits the routes of token links (the reporter's status, the
// operator's notice): a locked-out client gets 429, and an answer of 404
// to a request that carried a token (a wrong token, or a wrong id: the
// two are answered alike) counts as a failure.
func (s *Server) GuardToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.AuthBlocked(c); err != nil {
			return err
		}
		err := next(c)
		code := c.Response().Status
		if err != nil && !c.Response().Committed {
			code, _ = statusOf(err)
		}
		if code == http.StatusNotFound && (c.QueryParam("token") != "" || c.FormValue("token") != "") {
			s.NoteAuthFailure(c)
		}
		return err
	}
}
