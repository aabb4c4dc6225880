package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

const ctxActor, ctxRole = "actor", "role"

// authenticate finds the API key of a request: a Bearer header, or the
// analyst console's session cookie (pages).
func (s *Server) authenticate(c echo.Context) (config.APIKey, bool) {
	h := c.Request().Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok && tok != "" {
		hash := config.HashKey(strings.TrimSpace(tok))
		if k, found := s.keys[hash]; found {
			return k, true
		}
		// Keys issued through the API (customer keys): customer_auth.go.
		return s.issuedKey(c, hash)
	}
	return s.sessionKey(c)
}

// ctxSession caches a request's session lookup (the pages use the same
// cookie and look it up themselves).
const ctxSession = "server.session"

// sessionLookup is a request's cookie looked up once.
type sessionLookup struct {
	key config.APIKey
	ok  bool
}

// sessionKey is the API key of the console session cookie. Outside
// /console it authenticates only reads and the payload codec (which the
// Temporal Web UI calls with the cookie, and which changes nothing), so
// the JSON API's writes need a Bearer key and cannot be driven with the
// cookie from a page without CSRF protection.
func (s *Server) sessionKey(c echo.Context) (config.APIKey, bool) {
	r := c.Request()
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !strings.HasPrefix(r.URL.Path, "/console/") &&
		r.URL.Path != codec.DecodePath && r.URL.Path != codec.EncodePath {
		return config.APIKey{}, false
	}
	if l, ok := c.Get(ctxSession).(sessionLookup); ok {
		return l.key, l.ok
	}
	var l sessionLookup
	if ck, err := c.Cookie(desk.SessionCookie); err == nil {
		k, ok, err := s.Desk.SessionKey(r.Context(), ck.Value)
		if err != nil {
			s.Log.Error("console session lookup failed", "err", err)
		}
		l = sessionLookup{k, ok}
	}
	c.Set(ctxSession, l)
	return l.key, l.ok
}

// RequireRole lets through keys whose role owns the endpoint (admin owns
// everything). A client locked out after failed authentications gets 429
// (attempts.go) before its key is looked at; a wrong Bearer key counts as
// a failure.
func (s *Server) RequireRole(need models.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := s.AuthBlocked(c); err != nil {
				return err
			}
			k, ok := s.authenticate(c)
			if !ok {
				if strings.HasPrefix(c.Request().Header.Get("Authorization"), "Bearer ") {
					s.NoteAuthFailure(c)
				}
				return fail(http.StatusUnauthorized, "Authorization", "a valid API key is required (Authorization: Bearer <key>)")
			}
			if !models.Role(k.Role).Allows(need) {
				return fail(http.StatusForbidden, "Authorization", "this endpoint needs the %s role; the key has %s", need, k.Role)
			}
			c.Set(ctxActor, k.Name)
			c.Set(ctxRole, k.Role)
			return next(c)
		}
	}
}

func actor(c echo.Context) string {
	if v, ok := c.Get(ctxActor).(string); ok && v != "" {
		return v
	}
	return "unknown"
}

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		return next(c)
	}
}
