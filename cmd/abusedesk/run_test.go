package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/temporalserver"
)

// syncBuffer is a buffer the serving goroutine writes and the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeKeepsLocalAdminKey: `abusedesk serve` with an auditor key in
// ABUSEDESK_API_KEYS (JSON) used to fail to parse it, and with api_keys set
// it stopped accepting the generated data/admin.key. Now the local admin
// key still works next to the configured keys, the banner names its file,
// and a customer key reaches none of the analyst, auditor or admin
// endpoints.
func TestServeKeepsLocalAdminKey(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	ta, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	ha, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	const opsKey, customerKey = "ops-auditor-key-0123456789", "customer-key-0123456789"
	keys := `[{"name":"ops","hash":"` + config.HashKey(opsKey) + `","role":"auditor"},` +
		`{"name":"shop","hash":"` + strings.ToUpper(config.HashKey(customerKey)) + `","role":"customer","account":"acct-1"}]`
	for k, v := range map[string]string{"ABUSEDESK_DATA_DIR": filepath.Join(dir, "data"), "ABUSEDESK_HTTP_ADDR": ha,
		"ABUSEDESK_TEMPORAL_ADDRESS": ta, "ABUSEDESK_UI_ADDR": "", "ABUSEDESK_LOG_LEVEL": "warn",
		"ABUSEDESK_HISTORY_EXPORT_INTERVAL": "0", "ABUSEDESK_API_KEYS": keys} {
		t.Setenv(k, v)
	}
	banner := &syncBuffer{}
	bannerOut = banner
	t.Cleanup(func() { bannerOut = os.Stdout })

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	get := func(path, key string) int {
		req, err := http.NewRequest("GET", "http://"+ha+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(banner.String(), "abusedesk is running") {
		select {
		case err := <-done:
			done <- err
			require.FailNow(t, "serve stopped", "%v", err)
		default:
		}
		require.True(t, time.Now().Before(deadline), "serve did not start")
		time.Sleep(200 * time.Millisecond)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "data", "admin.key"))
	require.NoError(t, err, "serve generates data/admin.key also when api_keys are set")
	admin := strings.TrimSpace(string(raw))
	require.Contains(t, banner.String(), filepath.Join(dir, "data", "admin.key"), "the banner names the key's file")
	require.Equal(t, http.StatusOK, get("/v1/admin/outbox", admin), "the local admin key still works")
	require.Equal(t, http.StatusOK, get("/v1/audit/checkpoint", opsKey), "the configured auditor key works")
	for _, p := range []string{"/v1/cases", "/v1/audit/checkpoint", "/v1/admin/outbox", "/v1/statements"} {
		require.Equal(t, http.StatusForbidden, get(p, customerKey), "a customer key must not reach %s", p)
	}
}

// TestServeRefusesShortBootstrapKey: a guessable bootstrap_admin_key is a
// configuration error naming the key.
func TestServeRefusesShortBootstrapKey(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("ABUSEDESK_BOOTSTRAP_ADMIN_KEY", "admin")
	err := runServe(context.Background())
	require.ErrorContains(t, err, "bootstrap_admin_key")
	require.ErrorContains(t, err, "at least 16 characters")
}
