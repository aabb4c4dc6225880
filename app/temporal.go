package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/server"
	"github.com/abusedesk/abusedesk/temporalserver"
	"github.com/abusedesk/abusedesk/worker"
	"github.com/abusedesk/abusedesk/workflows"
)

// SearchAttributes are the project's typed search attributes, registered
// on the namespace (a new map each call: no caller can change another's).
func SearchAttributes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		"CaseStatus":       enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"CaseCategory":     enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"CaseService":      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"Domain":           enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"CaseNextDeadline": enumspb.INDEXED_VALUE_TYPE_DATETIME,
	}
}

// Timers are the workflow durations from configuration.
func Timers(cfg *config.Config) workflows.Timers {
	return workflows.Timers{
		OperatorReminderAfter: cfg.OperatorReminderAfter, OperatorResponseWindow: cfg.OperatorResponseWindow,
		ReporterInfoWindow: cfg.ReporterInfoWindow, NoticeTokenTTL: cfg.NoticeTokenTTL,
		WhoisCorrectionWindow: cfg.WhoisCorrectionWindow, DisputeReviewWindow: cfg.DisputeReviewWindow,
		MitigationReviewWindow: cfg.MitigationReviewWindow, InterstitialGrace: cfg.InterstitialGrace,
		NCSEIEscalateShare: cfg.NCSEIEscalateShare,
	}
}

// startTemporal starts the embedded Temporal server (the default, in the
// all-in-one role) and dials the client.
func (a *App) startTemporal(ctx context.Context, opt Options) error {
	if a.Role == RoleAll && a.Cfg.TemporalEmbedded {
		if err := a.startEmbedded(ctx, opt); err != nil {
			return err
		}
	}
	return a.dial(ctx)
}

// startEmbedded starts the embedded Temporal server, with its Web UI when
// ui_addr is set (signed-in auditors only, the payload codec served by our
// HTTP server).
func (a *App) startEmbedded(ctx context.Context, opt Options) error {
	cfg := a.Cfg
	codecURL := ""
	var gate func(http.Handler) http.Handler
	if cfg.UIAddr != "" {
		codecURL = cfg.PublicURL + "/v1/codec"
		a.uiGate = &server.UIGate{LoginURL: cfg.PublicURL + "/console/login"}
		gate = a.uiGate.Wrap
	}
	var err error
	a.Embedded, err = temporalserver.Start(ctx, temporalserver.Options{
		Address: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, DataDir: cfg.DataDir,
		Retention: cfg.TemporalRetention, SearchAttributes: SearchAttributes(), UIAddr: cfg.UIAddr,
		UICodecEndpoint: codecURL, ArchivalDir: filepath.Join(cfg.DataDir, "archive"),
		DynamicConfig: opt.TemporalDynamicConfig, UIGate: gate,
		Logger: a.temporalLog("temporal-server"),
	})
	if err != nil {
		return fmt.Errorf("embedded temporal (temporal_address %s): %w", cfg.TemporalAddress, err)
	}
	a.AddStop(a.Embedded.Stop)
	return nil
}

// ClientOptions are the Temporal client options of this configuration,
// with the payload codec.
func ClientOptions(cfg *config.Config, ring *codec.KeyRing, log *slog.Logger) (client.Options, error) {
	o := client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace,
		DataConverter: codec.DataConverter(ring), FailureConverter: codec.FailureConverter(ring),
		// Workers created from the client drop signals not sealed by the ring.
		Interceptors: []interceptor.ClientInterceptor{codec.SignalGuard(ring)},
		Logger:       sdklog.NewStructuredLogger(log)}
	if !cfg.TemporalTLS {
		return o, nil
	}
	t, err := temporalTLS(cfg)
	if err != nil {
		return o, err
	}
	o.ConnectionOptions.TLS = t
	return o, nil
}

// temporalTLS is the TLS configuration of the connection to Temporal:
// a client certificate and a CA when configured.
func temporalTLS(cfg *config.Config) (*tls.Config, error) {
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TemporalTLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TemporalTLSCert, cfg.TemporalTLSKey)
		if err != nil {
			return nil, fmt.Errorf("temporal_tls_cert/temporal_tls_key: %w", err)
		}
		t.Certificates = []tls.Certificate{cert}
	}
	if cfg.TemporalTLSCA != "" {
		pem, err := os.ReadFile(cfg.TemporalTLSCA)
		if err != nil {
			return nil, fmt.Errorf("temporal_tls_ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("temporal_tls_ca: no certificate in %s", cfg.TemporalTLSCA)
		}
		t.RootCAs = pool
	}
	return t, nil
}

// dial connects the Temporal client, waiting up to a minute for a server
// that is still starting.
func (a *App) dial(ctx context.Context) error {
	o, err := ClientOptions(a.Cfg, a.KeyRing, a.temporalLog("temporal-sdk"))
	if err != nil {
		return err
	}
	var last error
	for i := 0; i < 60; i++ { // an external server may still be starting
		c, err := client.DialContext(ctx, o)
		if err == nil {
			a.Temporal = c
			a.AddStop(c.Close)
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return fmt.Errorf("temporal_address %s: %w", a.Cfg.TemporalAddress, last)
}

// startWorker registers the workflows and activities and starts polling.
func (a *App) startWorker() error {
	w, slots, err := worker.New(a.Temporal, a.Cfg.TaskQueue, a.Acts, a.Cfg.WorkerWorkflowTasks, a.Cfg.WorkerActivities)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	a.Worker = w
	// The intake's starts (and a worker's claimed starts) wait for a
	// free slot, so each hands its first task to this worker.
	a.Intake.Admit = slots.WaitFree
	if err := a.Worker.Start(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	a.AddStop(a.Worker.Stop)
	return nil
}
