package server

import (
	"net"
	"net/netip"

	"github.com/labstack/echo/v4"
)

// proxyIPExtractor believes X-Forwarded-For only from the configured
// reverse proxies (trusted_proxies), so the per-client limits count the
// real client behind them and nobody else can pick an address by sending
// the header. Echo's own defaults (loopback, link-local and private
// networks) are turned off: only the networks named are trusted. No
// networks: nil, and the TCP peer is the client.
func proxyIPExtractor(nets []netip.Prefix) echo.IPExtractor {
	if len(nets) == 0 {
		return nil
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range nets {
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
