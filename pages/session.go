package pages

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
)

// The console session: after signing in with an API key, a cookie that
// names the key by a MAC of its hash (never the key or its hash), an expiry
// and a nonce, all under the server secret's MAC. Every server process with
// the same secret accepts it; removing the key from the configuration ends
// its sessions; signing out revokes the nonce in this process.
const (
	sessionCookie = "abusedesk_session"
	// SessionTTL is how long a console session lasts without signing in again.
	SessionTTL = 8 * time.Hour
	ctxUser    = "pages.user"
)

func (p *Pages) mac(label, v string) []byte {
	m := hmac.New(sha256.New, p.opt.Secret)
	m.Write([]byte(label + ":" + v))
	return m.Sum(nil)
}

// keyRef names an API key in a cookie.
func (p *Pages) keyRef(hash string) string {
	return hex.EncodeToString(p.mac("session-key", hash)[:16])
}

// newSession builds the cookie value of a session for key k.
func (p *Pages) newSession(k config.APIKey, now time.Time) (string, error) {
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	body := fmt.Sprintf("%s|%d|%s", p.keyRef(k.Hash), now.Add(SessionTTL).Unix(), hex.EncodeToString(nonce))
	return base64.RawURLEncoding.EncodeToString([]byte(body)) + "." +
		base64.RawURLEncoding.EncodeToString(p.mac("session", body)), nil
}

// parseSession checks a cookie value and returns its key reference and
// nonce.
func (p *Pages) parseSession(v string, now time.Time) (ref, nonce string, ok bool) {
	b64, sig, found := strings.Cut(v, ".")
	body, err1 := base64.RawURLEncoding.DecodeString(b64)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	if !found || err1 != nil || err2 != nil || !hmac.Equal(mac, p.mac("session", string(body))) {
		return "", "", false
	}
	parts := strings.Split(string(body), "|")
	if len(parts) != 3 {
		return "", "", false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || now.Unix() >= exp || p.sessions.revoked(parts[2]) {
		return "", "", false
	}
	return parts[0], parts[2], true
}

// SessionKey is the server's hook: the API key of the console session
// cookie. Outside /console it authenticates only reads and the payload
// codec (which the Temporal Web UI calls with the cookie, and which
// changes nothing), so the JSON API's writes need a Bearer key and cannot
// be driven with the cookie from a page without CSRF protection.
func (p *Pages) SessionKey(c echo.Context) (config.APIKey, bool) {
	if k, ok := c.Get(ctxUser).(config.APIKey); ok {
		return k, true
	}
	ck, err := c.Cookie(sessionCookie)
	if err != nil {
		return config.APIKey{}, false
	}
	ref, _, ok := p.parseSession(ck.Value, time.Now())
	if !ok {
		return config.APIKey{}, false
	}
	r := c.Request()
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !strings.HasPrefix(r.URL.Path, "/console/") &&
		r.URL.Path != codec.DecodePath && r.URL.Path != codec.EncodePath {
		return config.APIKey{}, false
	}
	for _, k := range p.srv.Cfg.APIKeys {
		if hmac.Equal([]byte(p.keyRef(k.Hash)), []byte(ref)) {
			return k, true
		}
	}
	return config.APIKey{}, false
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

// revocations are the nonces of signed-out sessions, kept until the
// sessions would have expired anyway.
type revocations struct {
	mu sync.Mutex
	m  map[string]time.Time
}

func newRevocations() *revocations { return &revocations{m: map[string]time.Time{}} }

func (r *revocations) revoke(nonce string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for n, until := range r.m {
		if now.After(until) {
			delete(r.m, n)
		}
	}
	r.m[nonce] = now.Add(SessionTTL)
}

func (r *revocations) revoked(nonce string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.m[nonce]
	return ok
}
