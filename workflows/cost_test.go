package workflows_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/internal/pgtest"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/worker"
	"github.com/abusedesk/abusedesk/workflows"
)

// BenchmarkCDNCaseCost files CDN phishing reports through the intake and
// runs each case's workflow to its close with the real activities (the
// test suite runs its local activities as the worker does), on SQLite and
// on PostgreSQL. It reports what a case costs the application database:
// statements at intake and in the workflow, and audit entries (each one
// holds the audit head's lock). This is the application side of the
// per-case cost in README "Load and faults"; the engine's side is what
// `abusedesk bench` measures against the empty workflow.
//
//	go test -run '^$' -bench CDNCaseCost -benchtime 200x ./workflows/
func BenchmarkCDNCaseCost(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		benchCDNCase(b, "sqlite:"+filepath.Join(b.TempDir(), "cost.db"))
	})
	b.Run("postgres", func(b *testing.B) { benchCDNCase(b, pgtest.DB(b)) })
}

func benchCDNCase(b *testing.B, url string) {
	db, err := store.Open(url, "")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	if err := store.Migrate(db); err != nil {
		b.Fatal(err)
	}
	if err := audit.Migrate(db); err != nil {
		b.Fatal(err)
	}
	loadCostCustomers(b, db)
	count := &statementCounter{}
	db = db.Session(&gorm.Session{Logger: count})
	acts := &activities.Activities{DB: db, Journal: auditOnly{}, PublicURL: "https://desk.example"}
	starts := &startCapture{}
	svc := &intake.Service{DB: db, Engine: starts, TaskQueue: "cost", PublicURL: "https://desk.example",
		Secret: []byte("0123456789abcdef0123456789abcdef"), Timers: workflows.DefaultTimers}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	fwd := true
	report := models.ReportRequest{Category: models.CategoryPhishing, URLs: []string{"https://www.shop.example/login"},
		Description: "A page that imitates a bank's sign-in form.", ForwardToOperator: &fwd,
		Reporter: models.Reporter{Name: "Rita Reporter", Email: "rita@reporter.example"}}
	var intakeStmts, caseStmts int64
	locks := count.locks.Load()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := count.n.Load()
		if _, err := svc.Submit(context.Background(), report, ""); err != nil {
			b.Fatal(err)
		}
		mid := count.n.Load()
		env := suite.NewTestWorkflowEnvironment()
		worker.RegisterWorkflows(env)
		activities.Register(env, acts)
		env.ExecuteWorkflow(workflows.WorkflowCase, starts.last())
		var res workflows.CaseResult
		if err := env.GetWorkflowError(); err != nil {
			b.Fatal(err)
		}
		if err := env.GetWorkflowResult(&res); err != nil || res.Outcome != models.OutcomeForwarded {
			b.Fatalf("case ended %+v (%v), want forwarded", res, err)
		}
		intakeStmts += mid - before
		caseStmts += count.n.Load() - mid
	}
	b.StopTimer()
	b.ReportMetric(float64(intakeStmts)/float64(b.N), "intake-stmts/case")
	b.ReportMetric(float64(caseStmts)/float64(b.N), "workflow-stmts/case")
	var entries int64
	if err := db.Model(&audit.Entry{}).Count(&entries).Error; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(entries)/float64(b.N), "audit-entries/case")
	b.ReportMetric(float64(count.locks.Load()-locks)/float64(b.N), "audit-locks/case")
}

// loadCostCustomers loads a CDN customer whose origin lies in a hosting
// provider's network, as the demo's CDN domains do.
func loadCostCustomers(b *testing.B, db *gorm.DB) {
	d := &store.CustomerDoc{
		Accounts: []store.AccountDoc{{ID: "cdn", OperatorEmail: "op@shop.example", Domains: []store.DomainDoc{
			{Name: "shop.example", Services: []string{"cdn"}, OriginIPs: []string{"203.0.113.10"}}}}},
		Networks: []store.NetworkDoc{{CIDR: "203.0.113.0/24", Provider: "Host Co", AbuseEmail: "abuse@host.example"}},
	}
	if p := store.ValidateCustomers(d); len(p) > 0 {
		b.Fatal(p)
	}
	if _, err := store.LoadCustomers(db, d, nil); err != nil {
		b.Fatal(err)
	}
}

// auditOnly journals into the audit log, as the desk's journal does for a
// change that is no restriction (a batch with one append).
type auditOnly struct{}

func (auditOnly) RecordAll(tx *gorm.DB, es []activities.JournalEntry) error {
	ne := make([]audit.NewEntry, len(es))
	for i, e := range es {
		ne[i] = audit.NewEntry{Actor: e.Actor, CaseID: e.CaseID, Kind: e.Kind, DedupKey: e.DedupKey, Details: e.Details}
	}
	_, err := audit.AppendMany(tx, ne)
	return err
}

func (auditOnly) Record(tx *gorm.DB, actor, caseID, kind, dedupKey string, details any) error {
	_, err := audit.Append(tx, audit.NewEntry{Actor: actor, CaseID: caseID, Kind: kind, DedupKey: dedupKey, Details: details})
	return err
}

// startCapture stands in for Temporal at the intake: it keeps the input of
// the workflow the intake starts, which the benchmark then runs.
type startCapture struct {
	mu sync.Mutex
	in workflows.CaseInput
}

func (s *startCapture) StartCase(_ context.Context, _ string, in workflows.CaseInput) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.in = in
	return nil
}

func (s *startCapture) last() workflows.CaseInput {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.in
}

// statementCounter is a gorm logger that counts the statements run, and
// the audit log's head locks among them (audit.lockHead's no-op update).
type statementCounter struct{ n, locks atomic.Int64 }

func (c *statementCounter) LogMode(logger.LogLevel) logger.Interface      { return c }
func (c *statementCounter) Info(context.Context, string, ...interface{})  {}
func (c *statementCounter) Warn(context.Context, string, ...interface{})  {}
func (c *statementCounter) Error(context.Context, string, ...interface{}) {}
func (c *statementCounter) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	c.n.Add(1)
	if sql, _ := fc(); strings.Contains(sql, "UPDATE audit_head SET size = size") {
		c.locks.Add(1)
	}
}
