package app

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
)

// TestTokenSecretFile: the generated token secret is a private file read
// back unchanged on the next start; a secret written by an earlier version
// still reads; one that others may read is refused (the rule of the other
// generated secrets, internal/secretfile).
func TestTokenSecretFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	a := &App{Cfg: &config.Config{DataDir: dir}}
	require.NoError(t, a.secrets())
	first := a.Cfg.TokenSecret
	require.Len(t, first, 64)
	path := filepath.Join(dir, tokenSecretFile)
	info, err := os.Stat(path)
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	}
	again := &App{Cfg: &config.Config{DataDir: dir}}
	require.NoError(t, again.secrets())
	require.Equal(t, first, again.Cfg.TokenSecret, "the secret is kept across starts")

	// An earlier version's file (os.WriteFile, mode 0600) reads as before.
	old := filepath.Join(t.TempDir(), tokenSecretFile)
	require.NoError(t, os.WriteFile(old, []byte("  0123abcd\n"), 0o600))
	s, err := loadOrCreateTokenSecret(old)
	require.NoError(t, err)
	require.Equal(t, "0123abcd", s)

	if runtime.GOOS == "windows" {
		return
	}
	require.NoError(t, os.Chmod(old, 0o644))
	_, err = loadOrCreateTokenSecret(old)
	require.ErrorContains(t, err, "chmod 600")

	// A configured secret is used as it is: no file is made.
	cfgDir := t.TempDir()
	b := &App{Cfg: &config.Config{DataDir: cfgDir, TokenSecret: "configured"}}
	require.NoError(t, b.secrets())
	require.Equal(t, "configured", b.Cfg.TokenSecret)
	_, err = os.Stat(filepath.Join(cfgDir, tokenSecretFile))
	require.ErrorIs(t, err, os.ErrNotExist)
}
