package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestClearinghouseKeys: no URL is the hand-filing default; a URL needs a
// user name and a password; the password may live in a file only its owner
// reads.
func TestClearinghouseKeys(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	c, err := Load("")
	require.NoError(t, err)
	require.Empty(t, c.ClearinghouseURL)

	t.Setenv("ABUSEDESK_CLEARINGHOUSE_URL", "ftp://report.example")
	_, err = Load("")
	require.ErrorContains(t, err, "clearinghouse_url")
	require.ErrorContains(t, err, "clearinghouse_username (ABUSEDESK_CLEARINGHOUSE_USERNAME): required")
	require.ErrorContains(t, err, "clearinghouse_password (ABUSEDESK_CLEARINGHOUSE_PASSWORD): required")

	path := filepath.Join(dir, "ch.secret")
	require.NoError(t, os.WriteFile(path, []byte("s3cret\n"), 0o644))
	t.Setenv("ABUSEDESK_CLEARINGHOUSE_URL", "https://exttest.cybertip.org/ispws/")
	t.Setenv("ABUSEDESK_CLEARINGHOUSE_USERNAME", "esp")
	t.Setenv("ABUSEDESK_CLEARINGHOUSE_PASSWORD", "file:"+path)
	c, err = Load("")
	require.NoError(t, err)
	require.Equal(t, "https://exttest.cybertip.org/ispws", c.ClearinghouseURL)
	_, err = c.ClearinghouseSecret()
	require.ErrorContains(t, err, "readable by others")
	require.NoError(t, os.Chmod(path, 0o600))
	secret, err := c.ClearinghouseSecret()
	require.NoError(t, err)
	require.Equal(t, "s3cret", secret)

	t.Setenv("ABUSEDESK_CLEARINGHOUSE_PASSWORD", "plain")
	c, err = Load("")
	require.NoError(t, err)
	secret, err = c.ClearinghouseSecret()
	require.NoError(t, err)
	require.Equal(t, "plain", secret)
}
