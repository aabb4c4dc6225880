package server

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// edgeServer is a server over a fresh SQLite database holding one active
// content_disabled mitigation of the prefix https://sec.example/dir/,
// recorded in an old, unnormalised spelling (as blocks written before the
// prefixes were normalised, and converted by migration 18, may be).
func edgeServer(tb testing.TB) *Server {
	db, err := store.Open("sqlite:"+filepath.Join(tb.TempDir(), "edge.db"), "")
	require.NoError(tb, err)
	tb.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(tb, store.Migrate(db))
	require.NoError(tb, db.Create(&models.Mitigation{ID: "m-sec-dir", CaseID: "case-1", Step: "disable:sec-dir",
		Domain: "sec.example", Type: models.MitigationContentDisabled, EntityType: models.EntityURLPattern,
		EntityID: "https://SEC.example/./%64ir/*", Status: models.MitigationActive}).Error)
	cfg := &config.Config{PublicURL: "http://abusedesk.test", MaxBodyBytes: 1 << 20}
	return &Server{Cfg: cfg, Desk: &desk.Desk{Cfg: cfg, DB: db}}
}

// originBlocked is the fuzz oracle, written independently of urlnorm: it
// resolves a path as an origin that decodes it once would (every escape
// decoded, "/" and "\" separators, empty and "." segments dropped, ".."
// going up but never above the root) and says whether the result lies in
// the blocked directory "dir".
func originBlocked(rawPath string) bool {
	dec, err := url.PathUnescape(rawPath)
	if err != nil {
		return false
	}
	var stack []string
	for _, seg := range strings.FieldsFunc(dec, func(r rune) bool { return r == '/' || r == '\\' }) {
		switch seg {
		case ".":
		case "..":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		default:
			stack = append(stack, seg)
		}
	}
	return len(stack) > 0 && stack[0] == "dir"
}

// FuzzEdgePath: whatever the spelling of a path, the edge answers 451 when
// the path resolves into the blocked directory and 200 otherwise (a
// sibling such as /dir2/ or /di/r stays up).
func FuzzEdgePath(f *testing.F) {
	s := edgeServer(f)
	h := s.Handler()
	f.Fuzz(func(t *testing.T, p string) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		for i := 0; i < len(p); i++ {
			if p[i] <= ' ' || p[i] == 0x7f {
				t.Skip("not sendable in a request line")
			}
		}
		raw, _, _ := strings.Cut(p, "?")
		if _, err := url.PathUnescape(raw); err != nil {
			t.Skip("malformed escape: the HTTP server refuses it")
		}
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader("GET /edge/sec.example" + p + " HTTP/1.1\r\nHost: x\r\n\r\n")))
		if err != nil {
			t.Skip("not a request target")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		want := http.StatusOK
		if originBlocked(raw) {
			want = http.StatusUnavailableForLegalReasons
		}
		require.Equal(t, want, rec.Code, "path %q: %s", p, rec.Body.String())
	})
}

// TestEdgeSpellings: the spellings of issue 13 are blocked, siblings not,
// against a block stored in an old spelling.
func TestEdgeSpellings(t *testing.T) {
	h := edgeServer(t).Handler()
	for target, want := range map[string]int{
		"/edge/sec.example/dir/page.html":          http.StatusUnavailableForLegalReasons,
		"/edge/sec.example/%64ir/page.html":        http.StatusUnavailableForLegalReasons,
		"/edge/sec.example/./dir/page.html":        http.StatusUnavailableForLegalReasons,
		"/edge/sec.example/x/../dir/page.html":     http.StatusUnavailableForLegalReasons,
		"/edge/SEC.Example./dir//page.html":        http.StatusUnavailableForLegalReasons,
		"/edge/sec.example:443/dir%2Fpage.html":    http.StatusUnavailableForLegalReasons,
		"/edge/sec%2Eexample/%2E%2e/dir/page.html": http.StatusUnavailableForLegalReasons,
		"/edge/sec.example/dir2/page.html":         http.StatusOK,
		"/edge/sec.example/other/dir/page.html":    http.StatusOK,
		"/edge/sec.example:8443/dir/page.html":     http.StatusOK,
		"/edge/www.sec.example/dir/page.html":      http.StatusOK,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		require.Equal(t, want, rec.Code, "%s: %s", target, rec.Body.String())
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/blocklist", nil))
	require.Contains(t, rec.Body.String(), `"url_prefix":"https://sec.example/dir/"`, "served in normal form")
}
