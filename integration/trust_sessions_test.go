package integration

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/app"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/temporalserver"
)

// Issue 13, hole 7 (console sessions outlive sign-out) and hole 8 (no
// limit on failed authentications), reproduced through the real HTTP
// server.

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// browser is a cookie-keeping client that does not follow redirects and
// connects from a chosen loopback address (127.0.0.1, 127.0.0.2, ...), so
// one test can be several clients. Cookies are per host, not per port, so
// one browser carries its cookies to every process on 127.0.0.1.
type browser struct {
	t    *testing.T
	http *http.Client
}

func newBrowser(t *testing.T, from string) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 10 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &browser{t: t, http: &http.Client{Jar: jar, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, u string, form url.Values, hdr map[string]string) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	require.NoError(b.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := b.http.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

// token loads a page and returns the CSRF token of its forms.
func (b *browser) token(u string) string {
	b.t.Helper()
	res, body := b.do(http.MethodGet, u, nil, nil)
	require.Equal(b.t, http.StatusOK, res.StatusCode, body)
	m := csrfRE.FindStringSubmatch(body)
	require.NotNil(b.t, m, "no CSRF token on %s", u)
	return m[1]
}

// signIn signs in at base's /console/login and returns the session cookie.
func (b *browser) signIn(base, key string) *http.Cookie {
	b.t.Helper()
	res, body := b.do(http.MethodPost, base+"/console/login", url.Values{"api_key": {key}, "csrf_token": {b.token(base + "/console/login")}}, nil)
	require.Equal(b.t, http.StatusSeeOther, res.StatusCode, body)
	for _, c := range res.Cookies() {
		if c.Name == "abusedesk_session" && c.Value != "" {
			return c
		}
	}
	require.FailNow(b.t, "no session cookie")
	return nil
}

// signOut posts the console's sign-out form at base.
func (b *browser) signOut(base string) {
	b.t.Helper()
	res, body := b.do(http.MethodPost, base+"/console/logout", url.Values{"csrf_token": {b.token(base + "/console?status=all")}}, nil)
	require.Equal(b.t, http.StatusSeeOther, res.StatusCode, body)
	require.Contains(b.t, res.Header.Get("Location"), "/console/login")
}

// consoleCode asks for the console queue with only this session cookie:
// 200 when the session is good, 303 (to the sign-in page) when not.
func consoleCode(t *testing.T, base string, ck *http.Cookie) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/console?status=all", nil)
	require.NoError(t, err)
	req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

// TestSignOutSurvivesRestart: a signed-out cookie stays refused after the
// process restarts (before the fix the revocation lived in memory and the
// copied cookie worked again for 8 hours), while a session never signed
// out still works.
func TestSignOutSurvivesRestart(t *testing.T) {
	env := testenv.Start(t, testenv.Options{NoDemo: true})
	out := newBrowser(t, "127.0.0.1")
	old := out.signIn(env.URL, testenv.AnalystKey)
	require.Equal(t, http.StatusOK, consoleCode(t, env.URL, old))
	kept := newBrowser(t, "127.0.0.1").signIn(env.URL, testenv.AuditorKey)
	out.signOut(env.URL)
	require.Equal(t, http.StatusSeeOther, consoleCode(t, env.URL, old), "signed out")

	env = env.Restart()
	require.Equal(t, http.StatusOK, consoleCode(t, env.URL, kept), "sessions live in the database")
	require.Equal(t, http.StatusSeeOther, consoleCode(t, env.URL, old), "a signed-out cookie works again after a restart")
	r := call(t, env, "GET", "/v1/cases", "", map[string]string{"Cookie": old.Name + "=" + old.Value}, nil)
	refused(t, r, http.StatusUnauthorized)
}

// startServerProcess starts a second, HTTP-only process on env's database,
// data dir (secrets) and Temporal server: a split deployment's other
// server.
func startServerProcess(t *testing.T, env *testenv.Env) string {
	t.Helper()
	cfg, err := config.Load("") // env's ABUSEDESK_* variables are still set
	require.NoError(t, err)
	cfg.HTTPAddr, err = temporalserver.FreeAddr()
	require.NoError(t, err)
	cfg.TokenSecret = env.App.Cfg.TokenSecret
	cfg.APIKeys = env.App.Cfg.APIKeys
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := app.Start(ctx, cfg, app.Options{Role: app.RoleServer})
	require.NoError(t, err)
	t.Cleanup(b.Stop)
	return "http://" + b.Server.Addr()
}

// TestSessionRevocationAcrossProcesses: two server processes on one
// database honour each other's sign-outs and an admin's revocation of every
// session of a key.
func TestSessionRevocationAcrossProcesses(t *testing.T) {
	env := testenv.Start(t, testenv.Options{NoDemo: true})
	other := startServerProcess(t, env)

	br := newBrowser(t, "127.0.0.1")
	ck := br.signIn(env.URL, testenv.AnalystKey)
	require.Equal(t, http.StatusOK, consoleCode(t, other, ck), "one session for every process")
	br.signOut(other)
	require.Equal(t, http.StatusSeeOther, consoleCode(t, other, ck))
	require.Equal(t, http.StatusSeeOther, consoleCode(t, env.URL, ck), "signed out on the other process")

	// An admin revokes every session of a key, on either process.
	a1 := newBrowser(t, "127.0.0.1").signIn(env.URL, testenv.AnalystKey)
	a2 := newBrowser(t, "127.0.0.1").signIn(other, testenv.AnalystKey)
	au := newBrowser(t, "127.0.0.1").signIn(env.URL, testenv.AuditorKey)
	otherEnv := &testenv.Env{T: t, URL: other}
	refused(t, call(t, otherEnv, "POST", "/v1/admin/sessions/revoke", testenv.AnalystKey, nil, map[string]string{"key_name": "analyst-alice"}), http.StatusForbidden)
	refused(t, call(t, otherEnv, "POST", "/v1/admin/sessions/revoke", testenv.AdminKey, nil, map[string]string{"key_name": "nobody"}), http.StatusUnprocessableEntity)
	r := call(t, otherEnv, "POST", "/v1/admin/sessions/revoke", testenv.AdminKey, nil, map[string]string{"key_name": "analyst-alice"})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	var out struct {
		Revoked int `json:"revoked"`
	}
	r.JSON(t, &out)
	require.Equal(t, 2, out.Revoked)
	for _, base := range []string{env.URL, other} {
		require.Equal(t, http.StatusSeeOther, consoleCode(t, base, a1))
		require.Equal(t, http.StatusSeeOther, consoleCode(t, base, a2))
		require.Equal(t, http.StatusOK, consoleCode(t, base, au), "another key's session is kept")
	}
	r = call(t, env, "POST", "/v1/admin/sessions/revoke", testenv.AdminKey, nil, map[string]string{"key_hash": config.HashKey(testenv.AuditorKey)})
	require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	require.Equal(t, http.StatusSeeOther, consoleCode(t, other, au))
}

// requireTooMany: a 429 whose Retry-After is a positive number of seconds.
func requireTooMany(t *testing.T, res *http.Response, body string) {
	t.Helper()
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode, body)
	s, err := strconv.Atoi(res.Header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After %q", res.Header.Get("Retry-After"))
	require.Positive(t, s)
}

// TestConsoleSignInFlood: 200 wrong keys at /console/login from one client
// (rotating X-Forwarded-For, which is not trusted) are cut off with 429 and
// Retry-After, also for the right key from that client; another client
// signs in with the right key, and its success does not free the attacker.
func TestConsoleSignInFlood(t *testing.T) {
	env := testenv.Start(t, testenv.Options{NoDemo: true})
	att := newBrowser(t, "127.0.0.1")
	tok := att.token(env.URL + "/console/login")
	codes := map[int]int{}
	var last *http.Response
	var lastBody string
	for i := 0; i < 200; i++ {
		last, lastBody = att.do(http.MethodPost, env.URL+"/console/login",
			url.Values{"api_key": {fmt.Sprintf("guess-%d", i)}, "csrf_token": {tok}},
			map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i%250)})
		codes[last.StatusCode]++
	}
	require.LessOrEqual(t, codes[http.StatusUnauthorized], 20, "answers: %v", codes)
	require.GreaterOrEqual(t, codes[http.StatusTooManyRequests], 180, "answers: %v", codes)
	requireTooMany(t, last, lastBody)
	require.Contains(t, lastBody, "Too many failed sign-ins")

	res, body := att.do(http.MethodPost, env.URL+"/console/login", url.Values{"api_key": {testenv.AnalystKey}, "csrf_token": {tok}}, nil)
	requireTooMany(t, res, body)

	other := newBrowser(t, "127.0.0.2")
	ck := other.signIn(env.URL, testenv.AnalystKey)
	require.Equal(t, http.StatusOK, consoleCode(t, env.URL, ck))
	res, body = att.do(http.MethodPost, env.URL+"/console/login", url.Values{"api_key": {"guess"}, "csrf_token": {tok}}, nil)
	requireTooMany(t, res, body)
}

// TestBearerAndTokenFlood: wrong Bearer keys at the API and wrong notice
// and reporter tokens are cut off with 429 per client; the right key from
// another client still works.
func TestBearerAndTokenFlood(t *testing.T) {
	env := testenv.Start(t, testenv.Options{NoDemo: true})
	att := newBrowser(t, "127.0.0.1")
	codes := map[int]int{}
	var res *http.Response
	var body string
	for i := 0; i < 50; i++ {
		res, body = att.do(http.MethodGet, env.URL+"/v1/cases", nil, map[string]string{"Authorization": fmt.Sprintf("Bearer guess-%d", i)})
		codes[res.StatusCode]++
	}
	require.GreaterOrEqual(t, codes[http.StatusTooManyRequests], 30, "answers: %v", codes)
	requireTooMany(t, res, body)
	res, body = att.do(http.MethodGet, env.URL+"/v1/cases", nil, map[string]string{"Authorization": "Bearer " + testenv.AnalystKey})
	requireTooMany(t, res, body)
	res, body = newBrowser(t, "127.0.0.2").do(http.MethodGet, env.URL+"/v1/cases", nil, map[string]string{"Authorization": "Bearer " + testenv.AnalystKey})
	require.Equal(t, http.StatusOK, res.StatusCode, body)

	// Token links: the API's and the pages', from a third client.
	tk := newBrowser(t, "127.0.0.3")
	codes = map[int]int{}
	for i := 0; i < 40; i++ {
		paths := []string{"/v1/notices/n_x?token=bad%d", "/v1/reports/c_x?token=bad%d", "/status/c_x?token=bad%d", "/respond/n_x?token=bad%d"}
		res, body = tk.do(http.MethodGet, env.URL+fmt.Sprintf(paths[i%len(paths)], i), nil, nil)
		codes[res.StatusCode]++
	}
	require.GreaterOrEqual(t, codes[http.StatusTooManyRequests], 20, "answers: %v", codes)
	requireTooMany(t, res, body)
}
