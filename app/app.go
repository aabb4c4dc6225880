// Package app is abusedesk's composition root: Start builds every part from
// the configuration (the database, the Temporal client and, on the default,
// the embedded server, the worker, the use cases, the HTTP front ends, the
// background jobs), explicitly and in one place, and Stop takes them down
// in reverse order. No other package is configured behind Start's back: no
// init() here registers anything or sets another package's variables.
// cmd/abusedesk and the integration tests start abusedesk the same way.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/server"
	"github.com/abusedesk/abusedesk/temporalserver"
	"github.com/prometheus/client_golang/prometheus"
)

// Role selects what one process runs.
type Role int

// Process roles.
const (
	RoleAll    Role = iota // embedded default: Temporal (if embedded), worker, HTTP
	RoleServer             // HTTP only, external Temporal
	RoleWorker             // worker only, external Temporal
)

// App is a running abusedesk process.
type App struct {
	Cfg      *config.Config
	Log      *slog.Logger
	DB       *gorm.DB
	Temporal client.Client
	Embedded *temporalserver.Server
	Worker   sdkworker.Worker
	Desk     *desk.Desk
	Server   *server.Server
	Acts     *activities.Activities
	Intake   *intake.Service
	KeyRing  *codec.KeyRing
	AuditLog *audit.Log

	Role Role

	senders  *desk.SenderTracker // the email intake's record of senders and formats
	stops    []func()
	stopping atomic.Bool    // Temporal's logs go to debug (see quietHandler)
	uiGate   *server.UIGate // signed-in auditors into the embedded Web UI
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
	// server and its intake (tests inject failing signals, or starts
	// without eager dispatch).
	ServerTemporal func(client.Client) client.Client
}

// Start brings up what the role needs, in the order below, and returns
// when it is serving. A step that fails stops what the earlier ones
// started.
func Start(ctx context.Context, cfg *config.Config, opt Options) (_ *App, err error) {
	a := &App{Cfg: cfg, Role: opt.Role, Log: NewLogger(cfg.LogLevel)}
	defer func() {
		if err != nil {
			a.Stop()
		}
	}()
	// 1. What must hold before anything starts: http_addr free, data_dir,
	// the token secret and the payload key ring.
	if err := a.prepare(); err != nil {
		return nil, err
	}
	// 2. The database, migrated to the current schema.
	if err := a.openDatabase(); err != nil {
		return nil, err
	}
	// 3. Temporal: the embedded server (default) and the client.
	if err := a.startTemporal(ctx, opt); err != nil {
		return nil, err
	}
	// 4. The parts every role shares: audit log, activities, intake.
	if err := a.buildCore(opt); err != nil {
		return nil, err
	}
	// 5. The worker runs the workflows and activities.
	if a.Role != RoleServer {
		if err := a.startWorker(); err != nil {
			return nil, err
		}
	}
	if a.Role == RoleWorker && cfg.WorkerStartsCases {
		a.startClaims()
	}
	// 6. The front ends (use cases, JSON API and pages, email intake) and
	// their background jobs.
	if a.Role != RoleWorker {
		if err := a.startFrontEnds(opt); err != nil {
			return nil, err
		}
	}
	// 7. The daily personal-data purge (a Temporal Schedule), every role.
	if err := a.ensurePurgeSchedule(ctx); err != nil {
		return nil, err
	}
	// 8. The profiler, on its own address when pprof_addr is set.
	if err := a.startProfiler(); err != nil {
		return nil, err
	}
	return a, nil
}

// prepare checks what must hold before anything starts.
func (a *App) prepare() error {
	if a.Role != RoleWorker {
		if err := checkHTTPAddr(a.Cfg.HTTPAddr); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(a.Cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("data_dir %s: %w", a.Cfg.DataDir, err)
	}
	return a.secrets()
}

// buildCore builds the parts every role shares: the audit log, the
// activities with their journal (statement of reasons, then audit entry)
// and metrics, and the intake service (which starts cases' workflows with
// the unwrapped client, in every role).
func (a *App) buildCore(opt Options) error {
	cfg := a.Cfg
	skey, _, err := AuditKeys(cfg)
	if err != nil {
		return fmt.Errorf("audit_signing_key: %w", err)
	}
	if a.AuditLog, err = audit.NewLog(a.DB, skey); err != nil {
		return fmt.Errorf("audit_signing_key: %w", err)
	}
	// Every part's metrics, on the registry GET /metrics serves.
	if err := activities.RegisterMetrics(prometheus.DefaultRegisterer); err != nil {
		return err
	}
	if err := desk.RegisterDriftMetrics(prometheus.DefaultRegisterer); err != nil {
		return err
	}
	if err := desk.RegisterMetrics(prometheus.DefaultRegisterer); err != nil {
		return err
	}
	if err := server.RegisterMetrics(prometheus.DefaultRegisterer); err != nil {
		return err
	}
	a.Acts = a.activities(opt)
	if err := a.wireNotices(a.Acts); err != nil {
		return err
	}
	a.Acts.Journal = statementJournal{next: auditJournal{}}
	a.Intake = &intake.Service{DB: a.DB, Engine: desk.Temporal{Client: a.serverTemporal(opt)}, TaskQueue: cfg.TaskQueue, Timers: Timers(cfg),
		PublicURL: cfg.PublicURL, Secret: a.Acts.TokenSecret, Log: a.Log, OwnProvider: cfg.ProviderName,
		// A server without a worker leaves the starts to the workers
		// (ClaimStarts), whose starts are eager.
		DeferStarts: a.Role == RoleServer && cfg.WorkerStartsCases}
	return nil
}

// startFrontEnds builds the use cases and serves them over HTTP (JSON API
// and pages) and SMTP (email intake), and starts the jobs of the processes
// that serve HTTP.
func (a *App) startFrontEnds(opt Options) error {
	ac, err := config.LoadAudit(a.Cfg.File)
	if err != nil {
		return err
	}
	a.Desk = a.buildDesk(opt)
	// The format-drift gauges GET /metrics serves, as stored before a
	// restart (a failure only leaves them at zero).
	a.senders = &desk.SenderTracker{DB: a.DB, Log: a.Log}
	if err := a.senders.RestoreGauges(context.Background()); err != nil {
		a.Log.Error("could not restore the email intake's sender gauges", "err", err)
	}
	// Stops run in reverse: HTTP and mail intake stop taking reports
	// before the start queue drains.
	if !a.Intake.DeferStarts {
		a.startQueue()
	}
	if err := a.startHTTP(); err != nil {
		return err
	}
	a.every(30*time.Second, a.reconcile)
	a.every(a.Cfg.AnswerRedeliveryInterval, a.redeliverAnswers)
	if ac.HistoryExportInterval > 0 {
		a.every(ac.HistoryExportInterval, a.exportHistories)
	}
	if ac.DSASubmitURL != "" {
		a.startStatementSubmitter(ac)
	}
	return a.startEmailIntake()
}

// every runs job now and then every interval until Stop, which waits for
// a run in progress to end.
func (a *App) every(interval time.Duration, job func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	a.AddStop(func() { cancel(); <-done })
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			job(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// reconcile starts the workflows of cases stored but never started (a
// crash between storing and starting).
func (a *App) reconcile(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if n, err := a.Intake.Reconcile(ctx, 30*time.Second); err != nil && ctx.Err() == nil {
		a.Log.Warn("reconcile failed", "err", err)
	} else if n > 0 {
		a.Log.Info("started workflows of stored cases", "count", n)
	}
	if n, err := a.Desk.ReconcileOrders(ctx, 30*time.Second); err != nil && ctx.Err() == nil {
		a.Log.Warn("order reconcile failed", "err", err)
	} else if n > 0 {
		a.Log.Info("started workflows of stored orders", "count", n)
	}
}

// startQueue starts the intake's start queue (intake_starters), drained
// for up to 10 s at Stop.
func (a *App) startQueue() {
	stopStarts := a.Intake.StartInBackground(a.Cfg.IntakeStarters, intakeStartQueue)
	a.AddStop(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopStarts(ctx)
	})
}

// claimPoll is how often a worker process looks for cases a server left it
// to start (worker_starts_cases), when the last look found fewer than a
// batch.
const claimPoll = 100 * time.Millisecond

// startClaims makes a worker process start the cases the split
// deployment's server stores (intake.Service.ClaimStarts). Stops run in
// reverse: the claims stop, then the queue drains, then the worker stops.
func (a *App) startClaims() {
	a.startQueue()
	a.every(claimPoll, func(ctx context.Context) {
		if _, err := a.Intake.ClaimStarts(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("claiming cases to start failed; the next look tries again", "err", err)
		}
	})
}

// intakeStartQueue is how many stored reports may wait for their workflow's
// start (intake_starters); more make each request start its own.
const intakeStartQueue = 1024

// answerGrace leaves an answer just recorded to its own request's signal.
const answerGrace = 5 * time.Second

// redeliverAnswers signals the case workflows of operators' and reporters'
// answers that were recorded but whose signal failed (issue 13, answers
// that can be lost).
func (a *App) redeliverAnswers(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if n, err := a.Desk.RedeliverAnswers(ctx, answerGrace); err != nil && ctx.Err() == nil {
		a.Log.Warn("answer redelivery failed", "err", err)
	} else if n > 0 {
		a.Log.Info("delivered recorded answers", "count", n)
	}
}

// startProfiler serves the Go profiler when pprof_addr is set.
func (a *App) startProfiler() error {
	stop, err := StartProfiler(a.Cfg.PprofAddr, a.Log)
	if err != nil {
		return err
	}
	a.AddStop(stop)
	return nil
}

// AddStop registers a function run at Stop (before earlier ones).
func (a *App) AddStop(f func()) { a.stops = append(a.stops, f) }

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
