package temporalserver

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	// Registers the "postgres12" persistence plugin.
	_ "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/tools/common/schema"
	toolsql "go.temporal.io/server/tools/sql"
)

const (
	// sqliteFile is the Temporal database's file name inside Options.DataDir.
	sqliteFile = "temporal.db"
	// sqliteVisibilityFile holds the visibility records. Temporal's SQLite
	// plugin gives each file one connection; with both stores in one file
	// every visibility write queues behind (and blocks) the history
	// service's reads and writes. A data directory made before this file
	// existed keeps visibility in temporal.db (its records are there).
	sqliteVisibilityFile = "temporal_visibility.db"
	// postgresPlugin is Temporal's PostgreSQL (lib/pq) persistence plugin.
	postgresPlugin = "postgres12"
	// postgresAdminDB is the database connected to while creating the others.
	postgresAdminDB = "postgres"
	// postgresMaxConns bounds each service's pool per store: every service
	// opens its own, so 10 gives a peak of about 35 connections.
	postgresMaxConns = 10
	// visibilitySuffix names the visibility database after the main one.
	visibilitySuffix = "_visibility"
	// schemaStore and schemaVisibility are the embedded schema directories.
	schemaStore      = "postgresql/v12/temporal"
	schemaVisibility = "postgresql/v12/visibility"
)

// sqliteConfig returns the SQL config of DataDir/temporal.db. A new file gets
// the schema, and the namespace is inserted when missing (CreateNamespaces is
// a no-op for an existing one, so search attributes given here only count on
// a new file; Start registers missing ones through the frontend).
func sqliteConfig(o Options) (store, visibility *config.SQL, err error) {
	if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
		return nil, nil, fmt.Errorf("temporalserver: data dir: %w", err)
	}
	file := filepath.Join(o.DataDir, sqliteFile)
	visFile := filepath.Join(o.DataDir, sqliteVisibilityFile)
	shared := exists(file) && !exists(visFile)
	store, err = sqliteFileConfig(file)
	if err != nil {
		return nil, nil, err
	}
	visibility = store
	if !shared {
		// The schema tool writes both schemas; the visibility file uses one.
		if visibility, err = sqliteFileConfig(visFile); err != nil {
			return nil, nil, err
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, o.Namespace, false, o.SearchAttributes)
	if err != nil {
		return nil, nil, fmt.Errorf("temporalserver: namespace config: %w", err)
	}
	if err := sqliteschema.CreateNamespaces(store, ns); err != nil {
		return nil, nil, fmt.Errorf("temporalserver: create namespace: %w", err)
	}
	return store, visibility, nil
}

// sqliteFileConfig returns the SQL config of one SQLite file, setting up
// the schema when the file is new.
func sqliteFileConfig(file string) (*config.SQL, error) {
	cfg := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: file,
		// Pragmas go without the "_" prefix; the plugin adds "_pragma=".
		// WAL with synchronous=normal doubles throughput over the defaults.
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "normal",
			"busy_timeout": "5000",
		},
	}
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		if err := sqliteschema.SetupSchema(cfg); err != nil {
			// Leave no half-initialised file behind: the next start would skip setup.
			for _, suffix := range []string{"", "-wal", "-shm"} {
				_ = os.Remove(file + suffix)
			}
			return nil, fmt.Errorf("temporalserver: sqlite schema of %s: %w", filepath.Base(file), err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("temporalserver: sqlite file: %w", err)
	}
	return cfg, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// postgresConfigs returns the SQL configs of the default store and the
// visibility store named by rawURL.
func postgresConfigs(rawURL string) (store, visibility *config.SQL, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, fmt.Errorf("temporalserver: database_url: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, nil, fmt.Errorf("temporalserver: database_url: scheme %q is not postgres", u.Scheme)
	}
	dbName := strings.TrimPrefix(u.Path, "/")
	if dbName == "" || strings.Contains(dbName, "/") {
		return nil, nil, fmt.Errorf("temporalserver: database_url: missing database name in %q", u.Redacted())
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "5432"
	}
	attrs := map[string]string{}
	for k, v := range u.Query() {
		if len(v) > 0 {
			attrs[k] = v[len(v)-1]
		}
	}
	password, _ := u.User.Password()
	store = &config.SQL{
		PluginName:        postgresPlugin,
		User:              u.User.Username(),
		Password:          password,
		DatabaseName:      dbName,
		ConnectAddr:       net.JoinHostPort(host, port),
		ConnectProtocol:   "tcp",
		ConnectAttributes: attrs,
		MaxConns:          postgresMaxConns,
		MaxIdleConns:      postgresMaxConns,
		MaxConnLifetime:   time.Hour,
	}
	visibility = copySQL(store)
	visibility.DatabaseName = dbName + visibilitySuffix
	return store, visibility, nil
}

// copySQL copies cfg, including its attribute map, so callees that mutate
// their argument (toolsql.DoCreateDatabase overwrites DatabaseName) cannot
// change the caller's config.
func copySQL(cfg *config.SQL) *config.SQL {
	c := *cfg
	c.ConnectAttributes = make(map[string]string, len(cfg.ConnectAttributes))
	for k, v := range cfg.ConnectAttributes {
		c.ConnectAttributes[k] = v
	}
	return &c
}

// SetupPostgresSchema creates the two Temporal databases named by rawURL
// (<dbname> and <dbname>_visibility) when missing, then sets up or upgrades
// their schema to the version this binary embeds. It is safe to run again
// and is what `abusedesk` runs before starting an embedded server on
// PostgreSQL; it can also be run alone before a Temporal cluster starts.
func SetupPostgresSchema(ctx context.Context, rawURL string) error {
	return setupPostgresSchema(ctx, rawURL, NewLogger(slog.Default()))
}

func setupPostgresSchema(ctx context.Context, rawURL string, logger log.Logger) error {
	store, visibility, err := postgresConfigs(rawURL)
	if err != nil {
		return err
	}
	for _, db := range []struct {
		cfg    *config.SQL
		schema string
	}{{store, schemaStore}, {visibility, schemaVisibility}} {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := setupPostgresDB(db.cfg, db.schema, logger); err != nil {
			return fmt.Errorf("temporalserver: postgres database %s: %w", db.cfg.DatabaseName, err)
		}
	}
	return nil
}

// setupPostgresDB creates one database if missing and brings its schema to
// the newest embedded version.
func setupPostgresDB(cfg *config.SQL, schemaName string, logger log.Logger) error {
	// A failure here is not final: the database may exist already while this
	// user cannot reach the admin database. Connecting below tells for sure.
	if err := toolsql.DoCreateDatabase(copySQL(cfg), postgresAdminDB, logger); err != nil {
		logger.Warn("create database failed; trying to use it as is",
			tag.NewStringTag("database", cfg.DatabaseName), tag.Error(err))
	}
	conn, err := toolsql.NewConnection(copySQL(cfg), logger)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	if err := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger).Run(); err != nil {
		return fmt.Errorf("setup schema: %w", err)
	}
	if err := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{
		DBName:     cfg.DatabaseName,
		SchemaName: schemaName,
	}, logger).Run(); err != nil {
		return fmt.Errorf("update schema: %w", err)
	}
	return nil
}
