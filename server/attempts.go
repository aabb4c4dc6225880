package server

import (
	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/internal/webguard"
)

// Attempt limiting of failed authentications (issue 13, hole 8): wrong API
// keys, wrong notice and reporter tokens. The limiter is desk's
// (desk.Attempts, shared with the pages' sign-in); here a locked-out
// client gets 429 with Retry-After for every authenticated attempt, the
// right key included (so the answer tells it nothing).

// AuthBlocked reports whether the request's client is locked out after
// too many failed authentications; when it is, it sets Retry-After and
// returns the 429 error to answer with.
func (s *Server) AuthBlocked(c echo.Context) error { return webguard.Blocked(s.Desk, c) }

// NoteAuthFailure counts a failed authentication (a wrong key or token)
// against the request's client.
func (s *Server) NoteAuthFailure(c echo.Context) { webguard.Failed(s.Desk, c) }

// GuardToken limits the routes of token links (the reporter's status, the
// operator's notice): a locked-out client gets 429, and an answer of 404
// to a request that carried a token (a wrong token, or a wrong id: the
// two are answered alike) counts as a failure.
func (s *Server) GuardToken(next echo.HandlerFunc) echo.HandlerFunc {
	return webguard.Token(s.Desk)(next)
}
