// Package app assembles abusedesk from its configuration: the database, the
// Temporal client (and the embedded server on the default), the worker, the
// HTTP server and the optional parts. cmd/abusedesk and the integration
// tests start it the same way.
package app

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	historypb "go.temporal.io/api/history/v1"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/server"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/temporalserver"
	"github.com/abusedesk/abusedesk/worker"
	"github.com/abusedesk/abusedesk/workflows"
)

// Role selects what one process runs.
type Role int

// Process roles.
const (
	RoleAll    Role = iota // embedded default: Temporal (if embedded), worker, HTTP
	RoleServer             // HTTP only, external Temporal
	RoleWorker             // worker only, external Temporal
)

// SearchAttributes are the project's typed search attributes.
var SearchAttributes = map[string]enumspb.IndexedValueType{
	"CaseStatus":       enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"CaseCategory":     enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"CaseService":      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"Domain":           enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"CaseNextDeadline": enumspb.INDEXED_VALUE_TYPE_DATETIME,
}

// App is a running abusedesk process.
type App struct {
	Cfg      *config.Config
	Log      *slog.Logger
	DB       *gorm.DB
	Temporal client.Client
	Embedded *temporalserver.Server
	Worker   sdkworker.Worker
	Server   *server.Server
	Acts     *activities.Activities
	Intake   *intake.Service
	KeyRing  *codec.KeyRing
	AuditLog *audit.Log

	Role Role

	stops    []func()
	done     chan struct{}
	stopping atomic.Bool    // Temporal's logs go to debug (see quietHandler)
	uiGate   *server.UIGate // signed-in auditors into the embedded Web UI
}

// uiGateWrap is the embedded Web UI's gate, nil without a UI.
func (a *App) uiGateWrap() func(http.Handler) http.Handler {
	if a.uiGate == nil {
		return nil
	}
	return a.uiGate.Wrap
}

// Options tune Start for tests.
type Options struct {
	Role Role
	// Mailer replaces the SMTP mailer built from smtp_addr.
	Mailer activities.Mailer
	// Now replaces the activities' clock.
	Now func() time.Time
	// TemporalDynamicConfig overrides the embedded server's dynamic config
	// (tests).
	TemporalDynamicConfig map[string]any
	// ServerTemporal, when set, wraps the Temporal client of the HTTP
	// server (tests inject failing signals).
	ServerTemporal func(client.Client) client.Client
}

// Start brings up what the role needs and returns when it is serving.
func Start(ctx context.Context, cfg *config.Config, opt Options) (_ *App, err error) {
	a := &App{Cfg: cfg, Log: NewLogger(cfg.LogLevel), done: make(chan struct{})}
	a.stops = append(a.stops, func() { close(a.done) })
	a.Role = opt.Role
	defer func() {
		if err != nil {
			a.Stop()
		}
	}()
	if opt.Role != RoleWorker {
		if err := checkHTTPAddr(cfg.HTTPAddr); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data_dir %s: %w", cfg.DataDir, err)
	}
	if err := a.secrets(); err != nil {
		return nil, err
	}
	if a.DB, err = store.Open(cfg.DatabaseURL, cfg.DataDir); err != nil {
		return nil, fmt.Errorf("database_url: %w", err)
	}
	if err := store.Migrate(a.DB); err != nil {
		return nil, err
	}
	if opt.Role == RoleAll && cfg.TemporalEmbedded {
		codecURL := ""
		if cfg.UIAddr != "" {
			codecURL = cfg.PublicURL + "/v1/codec"
			a.uiGate = &server.UIGate{LoginURL: cfg.PublicURL + "/console/login"}
		}
		a.Embedded, err = temporalserver.Start(ctx, temporalserver.Options{
			Address: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, DataDir: cfg.DataDir,
			Retention: cfg.TemporalRetention, SearchAttributes: SearchAttributes, UIAddr: cfg.UIAddr,
			UICodecEndpoint: codecURL, ArchivalDir: filepath.Join(cfg.DataDir, "archive"),
			DynamicConfig: opt.TemporalDynamicConfig, UIGate: a.uiGateWrap(),
			Logger: a.temporalLog("temporal-server"),
		})
		if err != nil {
			return nil, fmt.Errorf("embedded temporal (temporal_address %s): %w", cfg.TemporalAddress, err)
		}
		a.stops = append(a.stops, a.Embedded.Stop)
	}
	if err := a.dial(ctx); err != nil {
		return nil, err
	}
	a.Acts = a.activities(opt)
	if err := a.wireNotices(a.Acts); err != nil {
		return nil, err
	}
	skey, _, err := AuditKeys(cfg)
	if err != nil {
		return nil, fmt.Errorf("audit_signing_key: %w", err)
	}
	if a.AuditLog, err = audit.NewLog(a.DB, skey); err != nil {
		return nil, fmt.Errorf("audit_signing_key: %w", err)
	}
	a.Acts.Journal = auditJournal{}
	a.Intake = &intake.Service{DB: a.DB, Temporal: a.Temporal, TaskQueue: cfg.TaskQueue, Timers: Timers(cfg),
		PublicURL: cfg.PublicURL, Secret: a.Acts.TokenSecret, Log: a.Log}
	if opt.Role != RoleServer {
		a.Worker = worker.New(a.Temporal, cfg.TaskQueue, a.Acts, cfg.WorkerWorkflowTasks, cfg.WorkerActivities)
		for _, h := range workerHooks {
			h(a.Worker, a)
		}
		if err := a.Worker.Start(); err != nil {
			return nil, fmt.Errorf("worker: %w", err)
		}
		a.stops = append(a.stops, a.Worker.Stop)
	}
	if opt.Role != RoleWorker {
		tc := a.Temporal
		if opt.ServerTemporal != nil {
			tc = opt.ServerTemporal(tc)
		}
		a.Server = &server.Server{Cfg: cfg, DB: a.DB, Temporal: tc, Intake: a.Intake, Log: a.Log,
			Links: activities.Links{PublicURL: cfg.PublicURL, Secret: a.Acts.TokenSecret},
			HistoryDecoder: func(ctx context.Context, h *historypb.History) error {
				return DecodeHistory(ctx, h, codec.NewCodec(a.KeyRing))
			},
			Extra: Extras(a)}
		if err := a.Server.Start(); err != nil {
			return nil, httpAddrError(cfg.HTTPAddr, err)
		}
		if a.uiGate != nil {
			a.uiGate.Serve(a.Server)
		}
		a.stops = append(a.stops, func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = a.Server.Shutdown(sctx)
		})
		go a.reconcile()
	}
	for _, h := range startHooks {
		if err := h(ctx, a); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Timers are the workflow durations from configuration.
func Timers(cfg *config.Config) workflows.Timers {
	return workflows.Timers{
		OperatorReminderAfter: cfg.OperatorReminderAfter, OperatorResponseWindow: cfg.OperatorResponseWindow,
		ReporterInfoWindow: cfg.ReporterInfoWindow, NoticeTokenTTL: cfg.NoticeTokenTTL,
		WhoisCorrectionWindow: cfg.WhoisCorrectionWindow, DisputeReviewWindow: cfg.DisputeReviewWindow,
	}
}

func (a *App) activities(opt Options) *activities.Activities {
	cfg := a.Cfg
	acts := &activities.Activities{DB: a.DB, Hosting: activities.DBHosting{}, Registrar: activities.DBRegistrar{},
		Clearinghouse: activities.DBClearinghouse{}, PublicURL: cfg.PublicURL, Now: opt.Now,
		TokenSecret: []byte(cfg.TokenSecret), MailLimit: &activities.MailLimit{DB: a.DB, PerHour: cfg.Limits.ReporterMailPerHour, Now: opt.Now},
		Policy: activities.StrikePolicy{CopyrightStrikes: cfg.CopyrightStrikes, CopyrightWindow: cfg.CopyrightStrikeWindow,
			HostingStrikes: cfg.HostingStrikes, HostingWindow: cfg.HostingStrikeWindow}}
	switch {
	case opt.Mailer != nil:
		acts.Mail = opt.Mailer
	case cfg.SMTPAddr != "":
		acts.Mail = &activities.SMTPMailer{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom}
	}
	return acts
}

// secrets loads or generates the token secret and the payload key ring.
func (a *App) secrets() error {
	cfg := a.Cfg
	if cfg.TokenSecret == "" {
		p := filepath.Join(cfg.DataDir, "token.secret")
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			buf := make([]byte, 32)
			if _, err := rand.Read(buf); err != nil {
				return err
			}
			b = []byte(hex.EncodeToString(buf))
			if err := os.WriteFile(p, b, 0o600); err != nil {
				return fmt.Errorf("token_secret: %w", err)
			}
		} else if err != nil {
			return fmt.Errorf("token_secret: %w", err)
		}
		cfg.TokenSecret = strings.TrimSpace(string(b))
	}
	if cfg.PayloadKeys == "" {
		ring, err := codec.LoadOrCreateKeyRing(cfg.DataDir)
		if err != nil {
			return fmt.Errorf("payload_keys: %w", err)
		}
		cfg.PayloadKeys = ring
	}
	ring, err := codec.ParseKeyRing(cfg.PayloadKeys)
	if err != nil {
		return fmt.Errorf("payload_keys: %w", err)
	}
	a.KeyRing = ring
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
	if cfg.TemporalTLS {
		t := &tls.Config{MinVersion: tls.VersionTLS12}
		if cfg.TemporalTLSCert != "" {
			cert, err := tls.LoadX509KeyPair(cfg.TemporalTLSCert, cfg.TemporalTLSKey)
			if err != nil {
				return o, fmt.Errorf("temporal_tls_cert/temporal_tls_key: %w", err)
			}
			t.Certificates = []tls.Certificate{cert}
		}
		if cfg.TemporalTLSCA != "" {
			pem, err := os.ReadFile(cfg.TemporalTLSCA)
			if err != nil {
				return o, fmt.Errorf("temporal_tls_ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return o, fmt.Errorf("temporal_tls_ca: no certificate in %s", cfg.TemporalTLSCA)
			}
			t.RootCAs = pool
		}
		o.ConnectionOptions.TLS = t
	}
	return o, nil
}

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
			a.stops = append(a.stops, c.Close)
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

// reconcile starts, every half minute, the workflows of cases stored but
// never started (a crash between storing and starting).
func (a *App) reconcile() {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if n, err := a.Intake.Reconcile(ctx, 30*time.Second); err != nil {
			a.Log.Warn("reconcile failed", "err", err)
		} else if n > 0 {
			a.Log.Info("started workflows of stored cases", "count", n)
		}
		cancel()
		select {
		case <-a.done:
			return
		case <-t.C:
		}
	}
}

// Stop shuts everything down in reverse order.
func (a *App) Stop() {
	a.stopping.Store(true)
	for i := len(a.stops) - 1; i >= 0; i-- {
		a.stops[i]()
	}
	a.stops = nil
	if a.DB != nil {
		if db, err := a.DB.DB(); err == nil {
			_ = db.Close()
		}
	}
}

// NewLogger is the process logger at a configured level.
func NewLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}
