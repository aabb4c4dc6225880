package integration

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
)

// TestIntakeLimitBehindTrustedProxy: behind a configured reverse proxy
// (trusted_proxies) the intake limit counts each real client named in
// X-Forwarded-For, so one flooding client does not lock out the others
// that share the proxy's address.
func TestIntakeLimitBehindTrustedProxy(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_INTAKE_RATE_PER_CLIENT": "2/h", "ABUSEDESK_INTAKE_RATE_PER_REPORTER": "off",
		"ABUSEDESK_TRUSTED_PROXIES": "127.0.0.1/32"}})
	file := func(client string, i int) reply {
		r := report("phishing", []string{fmt.Sprintf("https://elsewhere.example/proxy/%s/%d", client, i)}, true)
		return call(t, env, "POST", "/v1/reports", "", map[string]string{"X-Forwarded-For": client}, r)
	}
	for i := 0; i < 2; i++ {
		require.Equal(t, http.StatusAccepted, file("198.51.100.7", i).Code)
	}
	requireLimited(t, file("198.51.100.7", 2), "intake_rate_per_client")
	require.Equal(t, http.StatusAccepted, file("198.51.100.8", 0).Code, "another client behind the same proxy has its own allowance")
}
