package integration

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
)

// TestTrustReadsRefuseBadParameters drives the read endpoints of
// auditors and analysts with the parameters of issue 13 through the real
// server. Before the fixes: an inclusion proof with size 4000000000000
// allocated size*32 bytes (fatal out of memory), a consistency proof to
// 2^64-1 panicked in makeslice (500), a transparency period over 120
// months answered 500, page 2^63-1 of the statements wrapped around to
// page 1, from after to answered 200 with nothing, an invalid domain filter
// listed every case, and an analyst could download a case's decoded
// history from the console.
func TestTrustReadsRefuseBadParameters(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Env: quietAudit})
	caseID := fileCDN(t, env, 1)[0]
	get := func(path, key string) reply { return call(t, env, "GET", path, key, nil, nil) }
	names := func(r reply, code int, field, text string) {
		t.Helper()
		p := refused(t, r, code)
		require.Equal(t, []string{field}, p.Fields(), string(r.Body))
		require.Contains(t, p.Errors[0].Message, text, string(r.Body))
	}
	auditor := testenv.AuditorKey

	t.Run("audit proofs are checked against the log", func(t *testing.T) {
		names(get("/v1/audit/proof/inclusion?index=0&size=4000000000000", auditor), 400, "size", "exceeds the log")
		names(get("/v1/audit/proof/consistency?from=0&to=18446744073709551615", auditor), 400, "to", "exceeds the log")
		names(get("/v1/audit/proof/consistency?from=1&to=18446744073709551616", auditor), 400, "to", "not a non-negative integer")
		names(get("/v1/audit/proof/inclusion?index=-1", auditor), 400, "index", "not a non-negative integer")
		names(get("/v1/audit/proof/inclusion?index=4000000000000", auditor), 400, "index", "not below the tree size")
		names(get("/v1/audit/proof/consistency?from=4000000000000", auditor), 400, "from", "exceeds to")
		var cp struct {
			TreeSize uint64 `json:"tree_size"`
		}
		r := get("/v1/audit/proof/inclusion?index=0", auditor)
		require.Equal(t, http.StatusOK, r.Code, string(r.Body))
		r.JSON(t, &cp)
		require.Positive(t, cp.TreeSize)
		r = get("/v1/audit/proof/consistency?from=1", auditor)
		require.Equal(t, http.StatusOK, r.Code, string(r.Body))
	})

	t.Run("transparency period is bounded", func(t *testing.T) {
		names(get("/v1/transparency?from=2000-01&to=2030-01", auditor), 400, "to", "at most 120")
		names(get("/v1/transparency?from=2000-01&to=2030-01&format=csv", auditor), 400, "to", "at most 120")
		for _, q := range []string{"", "&format=csv"} {
			r := get("/transparency?from=2000-01&to=2030-01"+q, "")
			require.Equal(t, http.StatusBadRequest, r.Code, string(r.Body))
			require.Contains(t, string(r.Body), "at most 120")
		}
		require.Equal(t, http.StatusOK, get("/transparency?from=2016-01&to=2025-12", "").Code, "120 months are allowed")
	})

	t.Run("statements page and period", func(t *testing.T) {
		names(get("/v1/statements?page=9223372036854775807", auditor), 400, "page", "at most 1000000")
		names(get("/v1/statements?page=1000001", auditor), 400, "page", "at most 1000000")
		names(get("/v1/statements?from=2026-02-01&to=2026-01-01", auditor), 400, "to", "not after from")
		require.Equal(t, http.StatusOK, get("/v1/statements?page=1000000", auditor).Code)
		require.Equal(t, http.StatusOK, get("/v1/statements?from=2026-01-01&to=2026-01-01", auditor).Code, "one whole day")
	})

	t.Run("case list refuses an invalid domain filter", func(t *testing.T) {
		names(get("/v1/cases?status=all&domain="+url.QueryEscape("not a domain!"), testenv.AnalystKey), 400, "domain", "not a valid domain")
		r := get("/v1/cases?status=all&domain=nowhere.example", testenv.AnalystKey)
		require.Equal(t, http.StatusOK, r.Code, string(r.Body))
		require.Contains(t, string(r.Body), `"cases":[]`)
	})

	t.Run("history download needs the auditor role", func(t *testing.T) {
		timeline := "/console/cases/" + caseID + "/timeline"
		analyst := consoleSession(t, env, testenv.AnalystKey)
		code, body := consoleGet(t, analyst, env.URL+timeline+"?download=1")
		require.Equal(t, http.StatusForbidden, code, body)
		require.Contains(t, body, "auditor role")
		require.NotContains(t, body, `"events"`)
		code, body = consoleGet(t, analyst, env.URL+timeline)
		require.Equal(t, http.StatusOK, code, "the timeline itself shows analysts what the case page shows")
		require.Contains(t, body, "Case opened")
		code, body = consoleGet(t, consoleSession(t, env, auditor), env.URL+timeline+"?download=1")
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, body, `"events"`)
	})
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// consoleSession signs in to the console with key and returns the client
// that carries the session cookie.
func consoleSession(t *testing.T, env *testenv.Env, key string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	code, page := consoleGet(t, c, env.URL+"/console/login")
	require.Equal(t, http.StatusOK, code)
	m := csrfInput.FindStringSubmatch(page)
	require.NotNil(t, m, "login form carries a csrf token")
	resp, err := c.PostForm(env.URL+"/console/login", url.Values{"api_key": {key}, "csrf_token": {m[1]}, "next": {"/console"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "signed in and redirected to the queue")
	return c
}

func consoleGet(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, strings.TrimSpace(string(b))
}
