package config

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Rate
		err  bool
	}{
		{"30/m", Rate{Burst: 30, Per: time.Minute}, false},
		{" 60/H ", Rate{Burst: 60, Per: time.Hour}, false},
		{"5/second", Rate{Burst: 5, Per: time.Second}, false},
		{"off", Rate{}, false},
		{"0", Rate{}, false},
		{"", Rate{}, false},
		{"30", Rate{}, true},
		{"30/d", Rate{}, true},
		{"-1/m", Rate{}, true},
		{"x/m", Rate{}, true},
		{"0/m", Rate{}, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseRate(tc.in)
			if tc.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	require.InDelta(t, 0.5, Rate{Burst: 30, Per: time.Minute}.PerSecond(), 1e-9)
	require.Equal(t, "30/m", Rate{Burst: 30, Per: time.Minute}.String())
	require.True(t, Rate{}.Off())
}

// TestLimitKeysRefuseBadValues: a bad limit fails the start naming its key.
func TestLimitKeysRefuseBadValues(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("ABUSEDESK_INTAKE_RATE_PER_CLIENT", "lots")
	t.Setenv("ABUSEDESK_REPORTER_MAIL_PER_HOUR", "-2")
	t.Setenv("ABUSEDESK_HTTP_READ_TIMEOUT", "1ms")
	t.Setenv("ABUSEDESK_INTAKE_MAIL_RATE_PER_CLIENT", "many")
	t.Setenv("ABUSEDESK_TRUSTED_PROXIES", "10.0.0.0/8, proxy.example")
	_, err := Load("")
	require.Error(t, err)
	for _, key := range []string{"intake_rate_per_client", "reporter_mail_per_hour", "http_read_timeout", "intake_mail_rate_per_client", "trusted_proxies"} {
		require.Contains(t, err.Error(), key)
	}
	t.Setenv("ABUSEDESK_INTAKE_RATE_PER_CLIENT", "10/s")
	t.Setenv("ABUSEDESK_REPORTER_MAIL_PER_HOUR", "3")
	t.Setenv("ABUSEDESK_HTTP_READ_TIMEOUT", "2s")
	t.Setenv("ABUSEDESK_INTAKE_MAIL_RATE_PER_CLIENT", "")
	t.Setenv("ABUSEDESK_TRUSTED_PROXIES", "10.1.2.3/8, 192.0.2.7")
	c, err := Load("")
	require.NoError(t, err)
	require.Equal(t, Limits{IntakePerClient: Rate{Burst: 10, Per: time.Second}, IntakePerReporter: Rate{Burst: 60, Per: time.Hour},
		ReporterMailPerHour: 3, HTTPReadTimeout: 2 * time.Second, HTTPWriteTimeout: 5 * time.Minute,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}}, c.Limits)
}
