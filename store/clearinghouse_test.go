package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestMigrateClearinghouseState: a clearinghouse_reports table from before
// version 22 gets the state and preservation columns; the stub's rows,
// marked filed though never sent, become prepared for filing by hand.
func TestMigrateClearinghouseState(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			db := freshDB(t, kind)
			require.NoError(t, store.Migrate(db))
			fields := []string{"ReportID", "State", "FiledAt", "FiledBy", "ByHand", "FilesUploaded", "Error", "PreserveUntil", "UpdatedAt"}
			for _, f := range fields {
				require.NoError(t, db.Migrator().DropColumn(&models.ClearinghouseReport{}, f))
			}
			require.NoError(t, db.Exec("INSERT INTO clearinghouse_reports (case_id, reference, filed, created_at) VALUES ('C1', 'CH-C1', ?, CURRENT_TIMESTAMP)", true).Error)
			require.NoError(t, db.Exec("DELETE FROM schema_migrations WHERE version = 22").Error)

			require.NoError(t, store.Migrate(db))
			for _, f := range fields {
				require.True(t, db.Migrator().HasColumn(&models.ClearinghouseReport{}, f), f)
			}
			var r models.ClearinghouseReport
			require.NoError(t, db.Take(&r, "case_id = ?", "C1").Error)
			require.Equal(t, models.ClearinghousePrepared, r.State)
			require.False(t, r.Filed)
			require.True(t, r.ByHand)
			require.Empty(t, r.Reference)
			require.Nil(t, r.PreserveUntil)
		})
	}
}
