package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDefaults(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := Load("")
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8080", c.HTTPAddr)
	require.Equal(t, "./data", c.DataDir)
	require.Equal(t, "127.0.0.1:7233", c.TemporalAddress)
	require.True(t, c.TemporalEmbedded)
	require.Equal(t, "127.0.0.1:8233", c.UIAddr)
	require.Equal(t, 7*24*time.Hour, c.OperatorResponseWindow)
	require.Equal(t, "http://127.0.0.1:8080", c.PublicURL)
}

func TestFileThenEnv(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "abusedesk.yaml"), []byte("http_addr: 127.0.0.1:9000\nsmtp_addr: 127.0.0.1:2525\napi_keys:\n  - name: a\n    role: analyst\n    hash: "+HashKey("k")+"\n"), 0o600))
	t.Setenv("ABUSEDESK_HTTP_ADDR", "127.0.0.1:9100")
	t.Setenv("ABUSEDESK_BOOTSTRAP_ADMIN_KEY", "boot-key-0123456789")
	c, err := Load("")
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:9100", c.HTTPAddr, "env wins over file")
	require.Equal(t, "127.0.0.1:2525", c.SMTPAddr, "file wins over default")
	require.Len(t, c.APIKeys, 2)
	require.Equal(t, "analyst", c.APIKeys[0].Role)
	require.Equal(t, HashKey("boot-key-0123456789"), c.APIKeys[1].Hash)
}

func TestInvalidNamesKey(t *testing.T) {
	for _, tc := range []struct{ env, val, want string }{
		{"ABUSEDESK_HTTP_ADDR", "nonsense", "http_addr"},
		{"ABUSEDESK_OPERATOR_RESPONSE_WINDOW", "soon", "operator_response_window"},
		{"ABUSEDESK_TEMPORAL_EMBEDDED", "maybe", "temporal_embedded"},
		{"ABUSEDESK_DATABASE_URL", "mysql://x", "database_url"},
		{"ABUSEDESK_LOG_LEVEL", "loud", "log_level"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			t.Chdir(t.TempDir())
			t.Setenv(tc.env, tc.val)
			_, err := Load("")
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestUnknownFileKey(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "c.yaml")
	require.NoError(t, os.WriteFile(f, []byte("htp_addr: x\n"), 0o600))
	_, err := Load(f)
	require.ErrorContains(t, err, "htp_addr")
}
