package temporalserver

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// webUI is the Temporal Web UI: the ui-server on an internal loopback port
// and, on Options.UIAddr, the gate and read-only proxy in front of it.
type webUI struct {
	ui    *uiserver.Server
	proxy *uiProxy
}

// Stop stops the proxy, then the ui-server.
func (w *webUI) Stop() {
	if w.proxy != nil {
		w.proxy.stop()
	}
	w.ui.Stop()
}

// startUI starts the Temporal Web UI (assets embedded in ui-server) on an
// internal loopback port, waits until it accepts connections, then serves
// it on Options.UIAddr behind Options.UIGate. The UIAddr port must have
// been checked: the internal port is picked free here (ui-server exits the
// process when it cannot listen).
func startUI(ctx context.Context, o Options) (*webUI, error) {
	port, err := freePort("127.0.0.1")
	if err != nil {
		return nil, fmt.Errorf("temporalserver: web UI internal port: %w", err)
	}
	cfg := &uiconfig.Config{
		Host:                "127.0.0.1",
		Port:                port,
		TemporalGRPCAddress: o.dialAddress(),
		EnableUI:            true,
		DefaultNamespace:    o.Namespace,
		// IncludeCredentials: the browser sends abusedesk's console session
		// cookie (same site: loopback) to the codec endpoint, so an auditor
		// signed in to the console sees decoded payloads in the UI.
		Codec: uiconfig.Codec{Endpoint: o.UICodecEndpoint, IncludeCredentials: true,
			DefaultErrorMessage: "Sign in to the abusedesk console as an auditor to decode payloads"},
		// Read-only: the ui-server refuses every write of its API (terminate,
		// cancel, signal, update, reset, start, batch) and the UI hides the
		// buttons. Cases change only through abusedesk, which checks roles
		// and keeps the database and the audit log in step.
		DisableWriteActions: true, WorkflowTerminateDisabled: true, WorkflowCancelDisabled: true,
		WorkflowSignalDisabled: true, WorkflowUpdateDisabled: true, WorkflowResetDisabled: true,
		WorkflowPauseDisabled: true, BatchActionsDisabled: true, StartWorkflowDisabled: true,
		ActivityCommandsDisabled: true,
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
	internal := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := waitListening(ctx, internal); err != nil {
		ui.Stop()
		return nil, err
	}
	host, uiPort, _ := splitHostPort(o.UIAddr)
	proxy, err := startUIProxy(net.JoinHostPort(host, strconv.Itoa(uiPort)), internal, o.UIGate)
	if err != nil {
		ui.Stop()
		return nil, fmt.Errorf("temporalserver: ui_addr (ABUSEDESK_UI_ADDR) %s: %w", o.UIAddr, err)
	}
	return &webUI{ui: ui, proxy: proxy}, nil
}

// waitListening waits until addr accepts connections.
func waitListening(ctx context.Context, addr string) error {
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("temporalserver: web UI on %s did not start: %w", addr, ctx.Err())
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
