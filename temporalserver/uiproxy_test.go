package temporalserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestUIProxy checks the proxy in front of the ui-server with a stand-in
// backend: only GET and HEAD pass, the desk's credentials stay out, a nil
// gate lets nobody in.
func TestUIProxy(t *testing.T) {
	var seen *http.Request
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		_, _ = io.WriteString(w, "ui")
	}))
	defer backend.Close()
	internal := strings.TrimPrefix(backend.URL, "http://")
	open := func(next http.Handler) http.Handler { return next }

	addr, err := FreeAddr()
	require.NoError(t, err)
	p, err := startUIProxy(addr, internal, open)
	require.NoError(t, err)
	defer p.stop()

	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/api/v1/namespaces", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer desk-key")
	req.Header.Set("Cookie", "abusedesk_session=s3cret; _csrf=tok")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "ui", string(body))
	require.Empty(t, seen.Header.Get("Authorization"))
	require.Equal(t, "_csrf=tok", seen.Header.Get("Cookie"))

	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		seen = nil
		req, err := http.NewRequest(m, "http://"+addr+"/api/v1/namespaces/default/workflows/x/query/status", strings.NewReader("{}"))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusForbidden, resp.StatusCode, m)
		require.Nil(t, seen, "%s reached the ui-server", m)
	}

	locked, err := FreeAddr()
	require.NoError(t, err)
	lp, err := startUIProxy(locked, internal, nil)
	require.NoError(t, err)
	defer lp.stop()
	seen = nil
	resp, err = http.Get("http://" + locked + "/")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Nil(t, seen)
}
