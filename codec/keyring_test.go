package codec

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// testKey returns a deterministic 32-byte key in base64, distinct per seed.
func testKey(seed byte) string {
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = seed + byte(i)
	}
	return base64.StdEncoding.EncodeToString(key)
}

func testRing(t *testing.T, entries ...string) *KeyRing {
	t.Helper()
	r, err := ParseKeyRing(strings.Join(entries, ","))
	require.NoError(t, err)
	return r
}

func TestParseKeyRing(t *testing.T) {
	r, err := ParseKeyRing(" k2:" + testKey(2) + " ,\nk1:" + testKey(1) + "\n")
	require.NoError(t, err)
	require.Equal(t, "k2", r.ActiveKeyID())
	require.Equal(t, []string{"k2", "k1"}, r.KeyIDs())

	raw := base64.RawURLEncoding.EncodeToString(make([]byte, KeySize))
	_, err = ParseKeyRing("url:" + raw)
	require.NoError(t, err, "unpadded URL-safe base64 is accepted")
}

func TestParseKeyRingErrors(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	tests := []struct {
		name, ring, want string
	}{
		{"empty", " , ", "key ring is empty"},
		{"no colon", "k1:" + testKey(1) + ",justakey", `entry 2: want "keyid:base64key"`},
		{"empty id", ":" + testKey(1), "entry 1: empty key id"},
		{"bad id", "k 1:" + testKey(1), `key id "k 1" has character ' '`},
		{"long id", strings.Repeat("k", 65) + ":" + testKey(1), "longer than 64"},
		{"duplicate", "k1:" + testKey(1) + ",k1:" + testKey(2), `entry 2: duplicate key id "k1"`},
		{"wrong length", "k1:" + testKey(1) + ",k2:" + short, `entry 2 (key id "k2"): key is 16 bytes, want 32`},
		{"not base64", "k1:%%%", `entry 1 (key id "k1"): key is not valid base64`},
		{"empty key", "k1:", `entry 1 (key id "k1"): empty key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKeyRing(tt.ring)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
			require.True(t, strings.HasPrefix(err.Error(), "codec: "), err.Error())
		})
	}
}

func TestKeyRingNeverPrintsKeys(t *testing.T) {
	key := testKey(7)
	r := testRing(t, "k1:"+key)
	for _, s := range []string{r.String(), r.GoString()} {
		require.Equal(t, "codec.KeyRing[k1]", s)
	}
	_, err := ParseKeyRing("k1:" + key + "," + key)
	require.Error(t, err)
	require.NotContains(t, err.Error(), key, "errors must not quote key material")
}

func TestGenerateKeyEntry(t *testing.T) {
	a, err := GenerateKeyEntry("k1")
	require.NoError(t, err)
	b, err := GenerateKeyEntry("k2")
	require.NoError(t, err)
	r := testRing(t, b, a)
	require.Equal(t, []string{"k2", "k1"}, r.KeyIDs())
	require.NotEqual(t, strings.TrimPrefix(a, "k1:"), strings.TrimPrefix(b, "k2:"))

	_, err = GenerateKeyEntry("bad,id")
	require.Error(t, err)
}

func TestLoadOrCreateKeyRing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, err := LoadOrCreateKeyRing(dir)
	require.NoError(t, err)
	r := testRing(t, first)
	require.Regexp(t, `^k\d{8}$`, r.ActiveKeyID())

	info, err := os.Stat(filepath.Join(dir, KeyFileName))
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	}

	again, err := LoadOrCreateKeyRing(dir)
	require.NoError(t, err)
	require.Equal(t, first, again, "a second start reads the same key")

	_, err = GenerateKeyRingFile(filepath.Join(dir, KeyFileName))
	require.Error(t, err, "an existing key file is never overwritten")
}

func TestLoadOrCreateKeyRingReadsRotatedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, KeyFileName)
	content := "k2:" + testKey(2) + "\nk1:" + testKey(1) + "\n"
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))

	ring, err := LoadOrCreateKeyRing(dir)
	require.NoError(t, err)
	require.Equal(t, "k2:"+testKey(2)+",k1:"+testKey(1), ring)
}

func TestLoadOrCreateKeyRingRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, KeyFileName)

	require.NoError(t, os.WriteFile(path, []byte("k1:short"), 0o600))
	_, err := LoadOrCreateKeyRing(dir)
	require.ErrorContains(t, err, `entry 1 (key id "k1")`)
	require.ErrorContains(t, err, path)

	if runtime.GOOS == "windows" {
		return
	}
	require.NoError(t, os.WriteFile(path, []byte("k1:"+testKey(1)), 0o600))
	require.NoError(t, os.Chmod(path, 0o644))
	_, err = LoadOrCreateKeyRing(dir)
	require.ErrorContains(t, err, "chmod 600")
}
