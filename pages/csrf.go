package pages

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/models"
)

// CSRF protection of every page form: a random seed in an HttpOnly cookie,
// and in each form a token that is the seed's MAC under the server secret
// (a forged form cannot carry it; a cookie planted by a sibling domain
// cannot produce it). Browsers that send Sec-Fetch-Site or Origin are also
// refused cross-origin posts (net/http's CrossOriginProtection).
const (
	csrfCookie = "abusedesk_csrf"
	// CSRFField is the form field that carries the token.
	CSRFField = "csrf_token"
	ctxCSRF   = "pages.csrf"
)

var crossOrigin = http.NewCrossOriginProtection()

func (p *Pages) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		seed := ""
		if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) == 43 {
			seed = ck.Value
		}
		if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
			if err := c.Request().ParseForm(); err != nil {
				code := http.StatusBadRequest
				var he *echo.HTTPError
				if errors.As(err, &he) {
					code = he.Code
				}
				return p.ErrorPage(c, code, []models.FieldError{{Field: "body", Message: "The form could not be read: it is too large or malformed."}})
			}
			if err := crossOrigin.Check(c.Request()); err != nil {
				return p.refuse(c, "This form was sent from another site, so it was refused.")
			}
			got := c.FormValue(CSRFField)
			if seed == "" || got == "" || !hmac.Equal([]byte(got), []byte(p.csrfMAC(seed))) {
				return p.refuse(c, "This form is missing its security token or the token expired, so it was refused. Go back, reload the page and send the form again.")
			}
		}
		if seed == "" {
			b := make([]byte, 32)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			seed = base64.RawURLEncoding.EncodeToString(b)
			c.SetCookie(&http.Cookie{Name: csrfCookie, Value: seed, Path: "/", HttpOnly: true,
				Secure: secure(c), SameSite: http.SameSiteLaxMode})
		}
		c.Set(ctxCSRF, p.csrfMAC(seed))
		return next(c)
	}
}

// refuse answers a refused form with 403 and a page that says why.
func (p *Pages) refuse(c echo.Context, msg string) error {
	c.Set(ctxCSRF, "")
	return p.render(c, http.StatusForbidden, "error", "Form refused",
		errorData{Code: http.StatusForbidden, Text: "Form refused", Problems: []models.FieldError{{Field: CSRFField, Message: msg}}})
}

func (p *Pages) csrfMAC(seed string) string {
	m := hmac.New(sha256.New, p.opt.Secret)
	m.Write([]byte("csrf:" + seed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfToken is the token the current request's forms carry.
func csrfToken(c echo.Context) string {
	s, _ := c.Get(ctxCSRF).(string)
	return s
}

// secure reports whether the page is served over TLS (directly, or behind
// a proxy that says so), so cookies get the Secure attribute.
func secure(c echo.Context) bool {
	return c.IsTLS() || strings.EqualFold(c.Scheme(), "https")
}
