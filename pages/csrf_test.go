package pages_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
)

// TestBrowserCSRFLessPostRefused sends the report form from the browser
// without its CSRF token: it is refused and no case is made.
func TestBrowserCSRFLessPostRefused(t *testing.T) {
	b := newBrowser(t, "visitor")
	env := testenv.Start(t, testenv.Options{})
	b.base = env.URL

	b.open("/?category=phishing")
	b.fill("#urls", "https://pages.example/x")
	b.fill("#description", "phish")
	b.fill("#email", "v@reporter.example")
	b.eval(`document.querySelector("input[name=csrf_token]").remove(); "ok"`)
	require.EqualValues(t, http.StatusForbidden, b.submit("main form button[type=submit]"))
	require.Contains(t, b.text("main"), "missing its security token")
	var n int64
	require.NoError(t, env.App.DB.Model(&models.Case{}).Count(&n).Error)
	require.Zero(t, n, "a refused form makes no case")
}

var tokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// client is a cookie-keeping HTTP client that does not follow redirects.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &client{t: t, base: base, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(method, path string, form url.Values, header map[string]string) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	require.NoError(c.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// token loads a page and returns the CSRF token of its forms.
func (c *client) token(path string) string {
	c.t.Helper()
	res, body := c.do(http.MethodGet, path, nil, nil)
	require.Equal(c.t, http.StatusOK, res.StatusCode, body)
	m := tokenRE.FindStringSubmatch(body)
	require.NotNil(c.t, m, "no CSRF token on %s", path)
	return m[1]
}

// TestCSRFAndSessionOverHTTP checks the protections a browser test cannot
// easily reach: every form post without a valid token (or from another
// origin) is refused, the pages carry the strict CSP, and the console
// session cookie cannot drive the JSON API's writes.
func TestCSRFAndSessionOverHTTP(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	created := env.File(map[string]any{"category": "phishing", "urls": []string{"https://pages.example/x"},
		"description": "d", "reporter": map[string]any{"email": "r@reporter.example"}})

	anon := newClient(t, env.URL)
	res, _ := anon.do(http.MethodGet, "/", nil, nil)
	require.Contains(t, res.Header.Get("Content-Security-Policy"), "script-src 'self'")
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	require.Contains(t, res.Header.Get("Set-Cookie"), "HttpOnly")
	for _, path := range []string{"/", "/console/login", "/console/logout", "/status/" + created.CaseID + "/answer",
		"/respond/n_x", "/console/cases/" + created.CaseID + "/decide"} {
		fresh := newClient(t, env.URL)
		res, body := fresh.do(http.MethodPost, path, url.Values{"category": {"phishing"}}, nil)
		require.Equal(t, http.StatusForbidden, res.StatusCode, "%s without a token: %s", path, body)
		require.Contains(t, body, "Form refused")
	}

	// A token from another visitor's cookie, or a post from another origin,
	// is refused too; the visitor's own token works.
	form := url.Values{"category": {"phishing"}, "urls": {"https://pages.example/y"}, "description": {"d"},
		"email": {"r@reporter.example"}, "csrf_token": {newClient(t, env.URL).token("/?category=phishing")}}
	res, _ = anon.do(http.MethodPost, "/", form, nil)
	require.Equal(t, http.StatusForbidden, res.StatusCode, "someone else's token")
	form.Set("csrf_token", anon.token("/?category=phishing"))
	res, _ = anon.do(http.MethodPost, "/", form, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
	require.Equal(t, http.StatusForbidden, res.StatusCode, "cross-origin post")
	res, body := anon.do(http.MethodPost, "/", form, nil)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	require.Contains(t, body, "Report received")

	// The console session: HttpOnly, SameSite; reads the API, never writes it.
	an := newClient(t, env.URL)
	res, _ = an.do(http.MethodPost, "/console/login", url.Values{"api_key": {testenv.AnalystKey}, "csrf_token": {an.token("/console/login")}}, nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	cookie := res.Header.Get("Set-Cookie")
	require.Contains(t, cookie, "abusedesk_session=")
	require.Contains(t, cookie, "HttpOnly")
	require.Contains(t, cookie, "SameSite=Lax")
	res, _ = an.do(http.MethodGet, "/v1/cases/"+created.CaseID, nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	res, _ = an.do(http.MethodPost, "/v1/cases/"+created.CaseID+"/decisions", nil, nil)
	require.Equal(t, http.StatusUnauthorized, res.StatusCode, "the cookie does not authorize API writes")
	res, _ = an.do(http.MethodPost, "/console/cases/"+created.CaseID+"/decide", url.Values{"verdict": {"no_violation"}, "reason": {"r"}}, nil)
	require.Equal(t, http.StatusForbidden, res.StatusCode, "a signed-in analyst's form still needs its token")

	// A CDN case: the reporter's page names the hosting provider to contact
	// next, never the operator or the origin IP.
	cdn := env.File(map[string]any{"category": "malware", "urls": []string{"https://shop.example/bad.exe"},
		"description": "d", "reporter": map[string]any{"email": "r@reporter.example"}})
	env.WaitCase(cdn.CaseID, 30*time.Second, func(c testenv.CaseJSON) bool { return c.Status == "closed" })
	status, err := url.Parse(cdn.StatusURL)
	require.NoError(t, err)
	res, body = anon.do(http.MethodGet, status.RequestURI(), nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, body, "Example Hosting Co &lt;abuse@hosting.example&gt;")
	require.NotContains(t, body, "webmaster@shop.example")
	require.NotContains(t, body, "203.0.113.10")
	res, _ = anon.do(http.MethodGet, "/status/"+cdn.CaseID+"?token=wrong", nil, nil)
	require.Equal(t, http.StatusNotFound, res.StatusCode)

	// Page errors are pages: a form too large, a category not chosen.
	big := url.Values{"answer": {strings.Repeat("a", 5<<20)}}
	res, body = anon.do(http.MethodPost, "/status/"+cdn.CaseID+"/answer", big, nil)
	require.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	require.Contains(t, res.Header.Get("Content-Type"), "text/html")
	require.Contains(t, body, "too large")
	res, body = anon.do(http.MethodGet, "/?category=", nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, body, "Choose one of the categories below.")

	// A forged session cookie is no session.
	forged := newClient(t, env.URL)
	u, _ := url.Parse(env.URL)
	forged.http.Jar.SetCookies(u, []*http.Cookie{{Name: "abusedesk_session", Value: "eHh4fDk5OTk5OTk5OTl8eHh4.AAAA"}})
	res, _ = forged.do(http.MethodGet, "/console", nil, nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Contains(t, res.Header.Get("Location"), "/console/login")
}
