package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestMigrationChoicesBackfill (migration 21, README "The reporter's
// choices"): cases stored before the choices existed get them from what
// they did: the operator send when forward_to_operator was set, none
// otherwise and for CSAM; the host send; the clearinghouse of CSAM send.
// On SQLite and PostgreSQL.
func TestMigrationChoicesBackfill(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			db := freshDB(t, kind)
			require.NoError(t, store.Migrate(db))
			require.NoError(t, db.Create(&[]models.Case{
				{ID: "fwd", Category: models.CategoryPhishing, ForwardToOperator: true, Status: models.StatusClosed},
				{ID: "opt", Category: models.CategoryPhishing, ForwardToOperator: false, Status: models.StatusClosed},
				{ID: "csam", Category: models.CategoryCSAM, ForwardToOperator: true, Status: models.StatusClosed},
				{ID: "new", Category: models.CategoryPhishing, ForwardToOperator: true, Status: models.StatusClosed,
					OwnerNotification: models.NotifySendAnon, HostNotification: models.NotifySendAnon},
			}).Error)
			require.NoError(t, db.Exec("DELETE FROM schema_migrations WHERE version = 21").Error)
			require.NoError(t, store.Migrate(db))
			want := map[string][3]models.Notification{
				"fwd": {"send", "send", ""}, "opt": {"none", "send", ""}, "csam": {"none", "send", "send"},
				"new": {"send-anon", "send-anon", ""},
			}
			for id, w := range want {
				var c models.Case
				require.NoError(t, db.First(&c, "id = ?", id).Error)
				require.Equal(t, w, [3]models.Notification{c.OwnerNotification, c.HostNotification, c.NcmecNotification}, id)
			}
		})
	}
}
