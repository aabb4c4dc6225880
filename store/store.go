// Package store opens abusedesk's database (SQLite on the embedded default,
// PostgreSQL in production) and applies its versioned migrations.
package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/abusedesk/abusedesk/models"
)

// Open connects to databaseURL: empty means a SQLite file in dataDir,
// "sqlite:PATH" a SQLite file at PATH, postgres:// PostgreSQL.
func Open(databaseURL, dataDir string) (*gorm.DB, error) {
	cfg := &gorm.Config{Logger: logger.Default.LogMode(logger.Silent), NowFunc: func() time.Time { return time.Now().UTC() }}
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		db, err := gorm.Open(postgres.Open(databaseURL), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		// Ten per process: a deployment runs several processes (and the
		// Temporal server's own pools) against one server whose default
		// max_connections is 100.
		sqlDB.SetMaxOpenConns(10)
		sqlDB.SetMaxIdleConns(10)
		return db, nil
	}
	path := strings.TrimPrefix(databaseURL, "sqlite:")
	if path == "" {
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return nil, fmt.Errorf("data_dir: %w", err)
		}
		path = filepath.Join(dataDir, "abusedesk.db")
	}
	dsn := "file:" + path + "?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=10000&_foreign_keys=on&_txlock=immediate"
	// No gorm PrepareStmt here: with the one connection below, a statement
	// being prepared outside a transaction waits for the connection while
	// the transaction that holds it waits for that statement to be
	// prepared (gorm's statement store), until a context deadline ends
	// it; under a burst of first uses every local activity stalled for its
	// whole timeout (README, Load and faults).
	db, err := gorm.Open(sqlite.Open(dsn), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	// One writer at a time is what SQLite does anyway; one connection
	// avoids SQLITE_BUSY between our own goroutines.
	sqlDB.SetMaxOpenConns(1)
	return db, nil
}

// IsPostgres reports whether db is a PostgreSQL connection.
func IsPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }

// migration is one schema version.
type migration struct {
	Version int
	Name    string
	Up      func(tx *gorm.DB) error
}

// schemaMigration records an applied migration.
type schemaMigration struct {
	Version   int `gorm:"primaryKey"`
	Name      string
	AppliedAt time.Time
}

// migrations is the ordered schema history of every table abusedesk keeps,
// its own and those of the audit log, the statements, the purge and the
// intake. Add new versions at the end (the next free one is announced with
// the change that takes it); never edit an applied one. A migration that
// creates a table earlier versions of abusedesk made with an AutoMigrate at
// every start (9 to 13) is an AutoMigrate too, so that it finds such a
// table and only records its version.
var migrations = []migration{
	{1, "initial schema", func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(
			&models.Account{}, &models.Domain{}, &models.HostedObject{}, &models.Network{},
			&models.Case{}, &models.CaseURL{}, &models.Notice{}, &models.Block{}, &models.Strike{},
			&models.Decision{}, &models.OperatorReply{}, &models.ReporterReply{}, &models.Review{},
			&models.Termination{}, &models.ClearinghouseReport{},
		)
	}},
	{2, "open-queue index", func(tx *gorm.DB) error {
		// The analyst queue (open cases in queue order, first page) reads
		// this partial index in order and stops at the page size, instead of
		// sorting every open case. The ORDER BY must stay exactly
		// OpenQueueOrder for the planner to use it, and the query's status
		// condition must be the literal below (a bound parameter does not
		// prove the index's WHERE on SQLite or in PostgreSQL's generic plans).
		return tx.Exec("CREATE INDEX IF NOT EXISTS idx_cases_open_queue ON cases (" + OpenQueueOrder + ") WHERE " + OpenCases).Error
	}},
	{3, "console sessions", migrateSessions},
	{4, "submission digests", migrateSubmissions},
	{5, "answer delivery", migrateAnswers},
	{6, "mail and intake limits", migrateLimits},
	{7, "notice delivery states", migrateDelivery},
	{8, "replies to notices by mail", migrateMailReplies},
	{9, "report evidence", migrateEvidence},
	{10, "history exports", migrateHistoryExports},
	{11, "audit log", migrateAudit},
	{12, "personal-data erasures", migrateErasures},
	{13, "statements of reasons", migrateStatements},
	{14, "intake sender outcomes", migrateIntakeSenders},
	{15, "incomplete copyright notices", migrateCopyrightIncomplete},
	{16, "case assignees", migrateAssignee},
	{17, "email intake replies outbox", migrateIntakeReplies},
	{18, "mitigations", migrateMitigations},
	{19, "customer accounts: abuse contacts and issued keys", migrateCustomerAccounts},
	{20, "case category source and network answers", migrateNetwork},
	{21, "reporter notification choices", migrateChoices},
	{22, "clearinghouse reports: state and preservation", migrateClearinghouse},
	{23, "orders from authorities", migrateOrders},
	{24, "content hash of hosted objects (identical copies)", migrateContentHash},
	{25, "emergency cases, queue ranks and referrals to authorities (DSA Art. 18)", migrateThreat},
	{26, "cases a worker claims to start (the split deployment's starts)", migrateStartClaims},
}

// OpenCases is the condition that selects open cases, as literal SQL.
const OpenCases = "status <> 'closed'"

// OpenQueueOrder is the queue order: by rank (models.Case.Priority: CSAM,
// then emergency cases, then ncsei cases, then the rest), then by next
// deadline (none last), then oldest first.
const OpenQueueOrder = "priority, (CASE WHEN next_deadline IS NULL THEN 1 ELSE 0 END), next_deadline, created_at, id"

// Migrate applies every migration not yet applied, each in a transaction.
// On PostgreSQL an advisory lock keeps two processes from migrating at once.
func Migrate(db *gorm.DB) error {
	if IsPostgres(db) {
		if err := db.Exec("SELECT pg_advisory_lock(727001)").Error; err != nil {
			return err
		}
		defer db.Exec("SELECT pg_advisory_unlock(727001)")
	}
	if err := db.AutoMigrate(&schemaMigration{}); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range migrations {
		var n int64
		if err := db.Model(&schemaMigration{}).Where("version = ?", m.Version).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if err := db.Transaction(func(tx *gorm.DB) error {
			if err := m.Up(tx); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{Version: m.Version, Name: m.Name, AppliedAt: time.Now().UTC()}).Error
		}); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
	}
	return nil
}
