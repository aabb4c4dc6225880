package pages

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/store"
)

// TestConsoleSessionInDatabase: a sign-in starts a session another Pages
// (another process) on the same database accepts; the sign-out ends it for
// both; removing the key from the configuration ends it too.
func TestConsoleSessionInDatabase(t *testing.T) {
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "t.db"), "")
	require.NoError(t, err)
	require.NoError(t, store.Migrate(db))
	k := config.APIKey{Name: "alice", Hash: config.HashKey("k"), Role: "analyst"}
	cfg := &config.Config{APIKeys: []config.APIKey{k}, Auth: config.Auth{SessionLifetime: 90 * time.Minute}}
	p := New(Deps{Desk: &desk.Desk{Cfg: cfg, DB: db}, Secret: []byte("s3cret")})
	other := New(Deps{Desk: &desk.Desk{Cfg: cfg, DB: db}, Secret: []byte("s3cret")})
	e := echo.New()
	ctx := func(method, target string, form url.Values, ck *http.Cookie) (echo.Context, *httptest.ResponseRecorder) {
		var r *http.Request
		if form != nil {
			r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			r = httptest.NewRequest(method, target, nil)
		}
		if ck != nil {
			r.AddCookie(ck)
		}
		w := httptest.NewRecorder()
		return e.NewContext(r, w), w
	}
	signedIn := func(p *Pages, ck *http.Cookie) bool {
		c, _ := ctx(http.MethodGet, "/console", nil, ck)
		_, ok := p.SessionKey(c)
		return ok
	}

	c, w := ctx(http.MethodPost, "/console/login", url.Values{"api_key": {"k"}}, nil)
	require.NoError(t, p.postLogin(c))
	require.Equal(t, http.StatusSeeOther, w.Code)
	res := w.Result()
	require.Len(t, res.Cookies(), 1)
	ck := res.Cookies()[0]
	require.Equal(t, sessionCookie, ck.Name)
	require.Equal(t, 90*60, ck.MaxAge, "session_lifetime")
	require.NotContains(t, ck.Value, k.Hash)
	require.True(t, signedIn(p, ck))
	require.True(t, signedIn(other, ck), "another process on the database")
	require.False(t, signedIn(p, &http.Cookie{Name: sessionCookie, Value: strings.Repeat("A", 43)}), "an unknown secret")

	c, w = ctx(http.MethodPost, "/console/logout", url.Values{}, ck)
	require.NoError(t, other.postLogout(c))
	require.Equal(t, http.StatusSeeOther, w.Code)
	require.False(t, signedIn(other, ck))
	require.False(t, signedIn(p, ck), "signed out in the other process")

	c, _ = ctx(http.MethodPost, "/console/login", url.Values{"api_key": {"k"}}, nil)
	require.NoError(t, p.postLogin(c))
	ck2 := c.Response().Header().Get("Set-Cookie")
	require.NotEmpty(t, ck2)
	fresh := &http.Cookie{Name: sessionCookie, Value: strings.SplitN(strings.TrimPrefix(ck2, sessionCookie+"="), ";", 2)[0]}
	require.True(t, signedIn(p, fresh))
	gone := New(Deps{Desk: &desk.Desk{Cfg: &config.Config{}, DB: db}, Secret: []byte("s3cret")})
	require.False(t, signedIn(gone, fresh), "the key is no longer configured")
}
