package store_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/internal/pgtest"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/statements"
	"github.com/abusedesk/abusedesk/store"
)

// liveModels are the models of other packages whose tables store's
// migrations create from a copy of their schema (store cannot import
// them). Before migration 9 each was created by an AutoMigrate of the model
// at every start.
var liveModels = map[string]any{
	"evidence":               &intake.Evidence{},
	"personal_data_erasures": &activities.PersonalDataErasure{},
	"statements":             &statements.Statement{},
}

// freshDB opens an empty database of the kind named.
func freshDB(t *testing.T, kind string) *gorm.DB {
	url := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	if kind == "postgres" {
		url = pgtest.DB(t)
	}
	db, err := store.Open(url, "")
	require.NoError(t, err)
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	return db
}

// schema describes a table as the database holds it: its columns (name,
// type, nullability, default) and the definitions of its indexes.
func schema(t *testing.T, db *gorm.DB, table string) string {
	var rows []string
	if store.IsPostgres(db) {
		require.NoError(t, db.Raw(`SELECT column_name || ' ' || data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`, table).Scan(&rows).Error)
		var idx []string
		require.NoError(t, db.Raw(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? ORDER BY indexname`, table).Scan(&idx).Error)
		rows = append(rows, idx...)
	} else {
		require.NoError(t, db.Raw(`SELECT type || ' ' || name || ': ' || sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type, name`, table).Scan(&rows).Error)
	}
	require.NotEmpty(t, rows, "table %s", table)
	return strings.Join(rows, "\n")
}

// TestMigrationsMatchModels: the tables store's migrations create are
// exactly those an AutoMigrate of the live models creates, so a database
// made by an earlier version (which ran those AutoMigrates) and a new one
// have the same schema, and the models' queries find every column.
func TestMigrationsMatchModels(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			migrated := freshDB(t, kind)
			require.NoError(t, store.Migrate(migrated))
			for table, model := range liveModels {
				auto := freshDB(t, kind)
				require.NoError(t, auto.AutoMigrate(model))
				want := schema(t, auto, table)
				require.Equal(t, want, schema(t, migrated, table), "table %s: store's migration differs from the model", table)
				require.NoError(t, migrated.AutoMigrate(model))
				require.Equal(t, want, schema(t, migrated, table), "table %s: an AutoMigrate of the model changed the migrated table", table)
			}
		})
	}
}

// TestMigrateUpgradesAnEarlierDatabase: a database of an earlier version
// (migrations 1 to 8 recorded, the other packages' tables made by their
// AutoMigrates, rows in them) migrates without error, records versions 9
// and later and keeps its rows.
func TestMigrateUpgradesAnEarlierDatabase(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			db := freshDB(t, kind)
			require.NoError(t, store.Migrate(db))
			// Back to the state an earlier version left: versions 9 to 13
			// (the tables made by AutoMigrates at every start) not recorded.
			require.NoError(t, db.Exec("DELETE FROM schema_migrations WHERE version BETWEEN 9 AND 13").Error)
			for _, m := range liveModels {
				require.NoError(t, db.AutoMigrate(m))
			}
			require.NoError(t, db.AutoMigrate(&store.HistoryExport{}))
			now := time.Now().UTC()
			require.NoError(t, db.Create(&activities.PersonalDataErasure{CaseID: "c1", ErasedAt: now, ClosedBefore: now}).Error)
			require.NoError(t, db.Create(&intake.Evidence{CaseID: "c1", KeyHash: "k1", Source: "email", Raw: []byte("raw")}).Error)
			require.NoError(t, db.Create(&store.HistoryExport{WorkflowID: "w", RunID: "r", CaseID: "c1", SHA256: "s", ExportedAt: now}).Error)

			require.NoError(t, store.Migrate(db))

			var versions []int
			require.NoError(t, db.Raw("SELECT version FROM schema_migrations ORDER BY version").Scan(&versions).Error)
			require.GreaterOrEqual(t, len(versions), 13)
			for i, v := range versions {
				require.Equal(t, i+1, v, "every version once, in order")
			}
			for _, table := range []string{"personal_data_erasures", "evidence", "history_exports"} {
				var n int64
				require.NoError(t, db.Table(table).Count(&n).Error)
				require.EqualValues(t, 1, n, table)
			}
			var heads int64
			require.NoError(t, db.Table("audit_head").Count(&heads).Error)
			require.EqualValues(t, 1, heads, "one audit head row")
		})
	}
}

// TestMigrationsAreNamedAndOrdered: every applied migration is recorded
// with its version and name, in order, once.
func TestMigrationsAreNamedAndOrdered(t *testing.T) {
	db := freshDB(t, "sqlite")
	require.NoError(t, store.Migrate(db))
	require.NoError(t, store.Migrate(db))
	var rows []struct {
		Version int
		Name    string
	}
	require.NoError(t, db.Raw("SELECT version, name FROM schema_migrations ORDER BY version").Scan(&rows).Error)
	for i, r := range rows {
		require.Equal(t, i+1, r.Version)
		require.NotEmpty(t, r.Name, fmt.Sprint("version ", r.Version))
	}
	require.Equal(t, "statements of reasons", rows[12].Name)
}

// TestMigrateAddsCopyrightColumns: a cases table from before version 15
// gets the columns of incomplete copyright notices, and its rows stay.
func TestMigrateAddsCopyrightColumns(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			db := freshDB(t, kind)
			require.NoError(t, store.Migrate(db))
			require.NoError(t, db.Create(&models.Case{ID: "c1", Status: models.StatusReceived}).Error)
			fields := []string{"CopyrightIncomplete", "CopyrightMissing", "CopyrightCompletedAt"}
			for _, f := range fields {
				require.NoError(t, db.Migrator().DropColumn(&models.Case{}, f))
			}
			require.NoError(t, db.Exec("DELETE FROM schema_migrations WHERE version = 15").Error)

			require.NoError(t, store.Migrate(db))
			for _, f := range fields {
				require.True(t, db.Migrator().HasColumn(&models.Case{}, f), f)
			}
			var c models.Case
			require.NoError(t, db.First(&c, "id = ?", "c1").Error)
			require.False(t, c.CopyrightIncomplete)
		})
	}
}
