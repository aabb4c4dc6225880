package server

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProxyIPExtractor: X-Forwarded-For is believed only from a configured
// proxy, and then the client is the nearest address that is not a proxy;
// without trusted_proxies the header changes nothing, and a private or
// loopback peer is not trusted just for being one (Echo's defaults).
func TestProxyIPExtractor(t *testing.T) {
	require.Nil(t, proxyIPExtractor(nil), "no proxies: the TCP peer is the client")
	ex := proxyIPExtractor([]netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")})
	cases := []struct{ peer, xff, want string }{
		{"10.1.2.3:4000", "198.51.100.7", "198.51.100.7"},
		{"10.1.2.3:4000", "203.0.113.9, 198.51.100.7", "198.51.100.7"},
		{"10.1.2.3:4000", "198.51.100.7, 10.1.9.9", "198.51.100.7"},
		{"192.0.2.5:4000", "198.51.100.7", "192.0.2.5"},
		{"127.0.0.1:4000", "198.51.100.7", "127.0.0.1"},
		{"10.2.0.1:4000", "198.51.100.7", "10.2.0.1"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		r.Header.Set("X-Forwarded-For", c.xff)
		require.Equal(t, c.want, ex(r), "peer %s, X-Forwarded-For %q", c.peer, c.xff)
	}
}
