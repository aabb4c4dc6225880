package pages

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// The console session (desk's SignIn, SessionKey, SignOut): after signing
// in with an API key, a cookie that carries a random secret. The database
// keeps the secret's SHA-256, the key's hash, the expiry and whether the
// session was revoked, so every server process on the database accepts the
// session, and a sign-out (or an admin's revocation, POST
// /v1/admin/sessions/revoke) holds in all of them and across restarts.
// Removing the key from the configuration ends its sessions; its role is
// read from the configuration on each request.
const (
	sessionCookie = desk.SessionCookie
	ctxUser       = "pages.user"
	ctxSession    = "pages.session"
)

// sessionLookup is a request's cookie looked up once.
type sessionLookup struct {
	key config.APIKey
	ok  bool
}

// cookieKey returns the configured API key of the request's live session
// cookie, looking it up in the database once per request.
func (p *Pages) cookieKey(c echo.Context) (config.APIKey, bool) {
	if l, ok := c.Get(ctxSession).(sessionLookup); ok {
		return l.key, l.ok
	}
	var l sessionLookup
	if ck, err := c.Cookie(sessionCookie); err == nil {
		k, found, err := p.desk.SessionKey(c.Request().Context(), ck.Value)
		if err != nil {
			p.opt.Log.Error("console session lookup failed", "err", err)
		}
		l.key, l.ok = k, found && err == nil
	}
	c.Set(ctxSession, l)
	return l.key, l.ok
}

// SessionKey is the API key of the console session cookie. Outside
// /console it counts only for reads and the payload codec, the rule the
// server applies to the cookie too (a page's POST outside the console
// shows no signed-in user).
func (p *Pages) SessionKey(c echo.Context) (config.APIKey, bool) {
	if k, ok := c.Get(ctxUser).(config.APIKey); ok {
		return k, true
	}
	k, ok := p.cookieKey(c)
	if !ok {
		return config.APIKey{}, false
	}
	r := c.Request()
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !strings.HasPrefix(r.URL.Path, "/console/") &&
		r.URL.Path != codec.DecodePath && r.URL.Path != codec.EncodePath {
		return config.APIKey{}, false
	}
	return k, true
}

// requireRole lets through a signed-in key of one of the roles (admin has
// all); without a session it sends the browser to the sign-in page.
func (p *Pages) requireRole(roles ...models.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			k, ok := p.SessionKey(c)
			if !ok {
				return redirectToLogin(c)
			}
			for _, r := range roles {
				if models.Role(k.Role).Allows(r) {
					c.Set(ctxUser, k)
					return next(c)
				}
			}
			return p.ErrorPage(c, http.StatusForbidden, []models.FieldError{{Field: "role",
				Message: fmt.Sprintf("this page needs the %s role; you are signed in as %s with the %s role", joinRoles(roles), k.Name, k.Role)}})
		}
	}
}

func joinRoles(rs []models.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, " or ")
}

func isConsole(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == "/console" || strings.HasPrefix(p, "/console/")
}

func redirectToLogin(c echo.Context) error {
	next := "/console"
	if c.Request().Method == http.MethodGet {
		next = c.Request().URL.RequestURI()
	}
	return c.Redirect(http.StatusSeeOther, "/console/login?next="+url.QueryEscape(next))
}
