package pages

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
)

type loginData struct {
	Next   string
	Errors fieldErrors
	Notice string
}

// safeNext keeps a post-sign-in redirect on the console (never another
// site: no scheme, no //host, no backslash tricks).
func safeNext(next string) string {
	if (next == "/console" || strings.HasPrefix(next, "/console/") || strings.HasPrefix(next, "/console?")) &&
		!strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/console"
}

func (p *Pages) loginPage(c echo.Context) error {
	d := loginData{Next: safeNext(c.QueryParam("next")), Errors: fieldErrors{}}
	if c.QueryParam("out") != "" {
		d.Notice = "You are signed out."
	}
	return p.render(c, http.StatusOK, "login", "Sign in", d)
}

// postLogin checks the API key and starts a session. A client with too
// many failed sign-ins (or other failed authentications) is refused with
// 429 before its key is looked at; a wrong key counts as a failure.
func (p *Pages) postLogin(c echo.Context) error {
	d := loginData{Next: safeNext(c.FormValue("next")), Errors: fieldErrors{}}
	if err := p.authBlocked(c); err != nil {
		d.Errors.add("api_key", "Too many failed sign-ins from your address. Try again in "+
			c.Response().Header().Get("Retry-After")+" seconds.")
		return p.render(c, http.StatusTooManyRequests, "login", "Sign in", d)
	}
	key := strings.TrimSpace(c.FormValue("api_key"))
	k, ok := p.findKey(key)
	switch {
	case key == "":
		d.Errors.add("api_key", "Enter your API key.")
	case !ok:
		p.noteAuthFailure(c)
		d.Errors.add("api_key", "This API key is not valid.")
	case !models.Role(k.Role).Allows(models.RoleAnalyst) && !models.Role(k.Role).Allows(models.RoleAuditor):
		msg := "This key's role (" + k.Role + ") has no access to the console."
		if k.Role == "customer" {
			msg += " Customers sign in at /portal/login."
		}
		d.Errors.add("api_key", msg)
	}
	if d.Errors.Any() {
		return p.render(c, http.StatusUnauthorized, "login", "Sign in", d)
	}
	v, err := p.desk.SignIn(c.Request().Context(), k)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: v, Path: "/", HttpOnly: true, Secure: secure(c),
		SameSite: http.SameSiteLaxMode, MaxAge: int(p.desk.SessionLifetime() / time.Second)})
	next := d.Next
	if k.Role == string(models.RoleAuditor) && next == "/console" {
		next = "/console?status=all"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// findKey looks a presented key up among the configured ones by its hash.
func (p *Pages) findKey(key string) (config.APIKey, bool) {
	if key == "" {
		return config.APIKey{}, false
	}
	h := config.HashKey(key)
	for _, k := range p.desk.Cfg.APIKeys {
		if subtle.ConstantTimeCompare([]byte(h), []byte(k.Hash)) == 1 {
			return k, true
		}
	}
	return config.APIKey{}, false
}

// postLogout ends the session: its row is revoked in the database (so
// every process refuses a copy of the cookie) and the cookie cleared.
func (p *Pages) postLogout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := p.desk.SignOut(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: secure(c),
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	return c.Redirect(http.StatusSeeOther, "/console/login?out=1")
}
