package temporalserver

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// startUI starts the Temporal Web UI (assets embedded in ui-server) on
// Options.UIAddr and waits until it accepts connections. The port must have
// been checked: ui-server exits the process when it cannot listen.
func startUI(ctx context.Context, o Options) (*uiserver.Server, error) {
	host, port, _ := splitHostPort(o.UIAddr)
	cfg := &uiconfig.Config{
		Host:                bracketIPv6(host),
		Port:                port,
		TemporalGRPCAddress: o.dialAddress(),
		EnableUI:            true,
		DefaultNamespace:    o.Namespace,
		// IncludeCredentials: the browser sends abusedesk's console session
		// cookie (same site: loopback) to the codec endpoint, so an auditor
		// signed in to the console sees decoded payloads in the UI.
		Codec: uiconfig.Codec{Endpoint: o.UICodecEndpoint, IncludeCredentials: true,
			DefaultErrorMessage: "Sign in to the abusedesk console as an auditor to decode payloads"},
		// Served over plain HTTP on a local address.
		CORS:             uiconfig.CORS{CookieInsecure: true},
		HideLogs:         true,
		DisableNewsFetch: true,
	}
	ui, err := newUI(cfg)
	if err != nil {
		return nil, err
	}
	go func() {
		// Start blocks until Stop; on any other failure it exits the process.
		_ = ui.Start()
	}()
	addr := net.JoinHostPort(dialHost(host), strconv.Itoa(port))
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = conn.Close()
			return ui, nil
		}
		select {
		case <-ctx.Done():
			ui.Stop()
			return nil, fmt.Errorf("temporalserver: web UI on %s did not start: %w", addr, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// newUI builds the UI server, turning its panics on bad config into errors.
func newUI(cfg *uiconfig.Config) (ui *uiserver.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("temporalserver: web UI config: %v", r)
		}
	}()
	return uiserver.NewServer(uiserveroptions.WithConfigProvider(cfg)), nil
}

// bracketIPv6 wraps an IPv6 literal for ui-server's "host:port" formatting.
func bracketIPv6(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}
