package pages

import (
	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/internal/webguard"
	"github.com/abusedesk/abusedesk/models"
)

// statusOf is the status and problems of a handler's error: desk's one
// table, and Echo's own errors (a body over the limit, a form that cannot
// be read) as Echo states them.
func statusOf(err error) (int, []models.FieldError) { return webguard.StatusOf(err) }

// authBlocked reports whether the request's client is locked out after
// too many failed authentications (desk's attempt limiter, shared with the
// JSON API); when it is, it sets Retry-After and returns the 429 error.
func (p *Pages) authBlocked(c echo.Context) error { return webguard.Blocked(p.desk, c) }

// noteAuthFailure counts a failed authentication (a wrong key or token)
// against the request's client.
func (p *Pages) noteAuthFailure(c echo.Context) {
	webguard.Failed(p.desk, c)
}

// guardToken limits the pages of token links (the reporter's status, the
// operator's notice) as the JSON API limits its token routes: a
// locked-out client gets 429, and an answer of 404 to a request that
// carried a token (a wrong token, or a wrong id: the two are answered
// alike) counts as a failure.
func (p *Pages) guardToken(next echo.HandlerFunc) echo.HandlerFunc {
	return webguard.Token(p.desk)(next)
}
