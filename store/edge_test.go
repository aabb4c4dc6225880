package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestMigrationConvertsBlocks: migration 18 turns every block row into an
// active mitigation of what it actually covered (the object's whole URL
// prefix, in normal form, as a prefix entity), content_removed for a
// removal, with a deterministic ID and the case of the block; a disable
// whose operator removed the content (the case closed content_removed)
// is converted as ended, so the edge no longer answers 451 for it.
func TestMigrationConvertsBlocks(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			db := freshDB(t, kind)
			require.NoError(t, store.Migrate(db))
			// Back to before version 18: no mitigations, blocks in force.
			require.NoError(t, db.Migrator().DropTable(&models.Mitigation{}, &models.MitigationEvent{}))
			require.NoError(t, db.Exec("DELETE FROM schema_migrations WHERE version = 18").Error)
			created := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
			closed := created.Add(48 * time.Hour)
			require.NoError(t, db.Create(&models.HostedObject{ObjectID: "o-site", Domain: "pages.example", AccountID: "acct-1",
				URLPrefix: "https://pages.example/"}).Error)
			require.NoError(t, db.Create(&models.Case{ID: "c-open", Status: models.StatusAwaitingOperator}).Error)
			require.NoError(t, db.Create(&models.Case{ID: "c-gone", Status: models.StatusClosed, Outcome: models.OutcomeContentRemoved, ClosedAt: &closed}).Error)
			for _, b := range []models.Block{
				{ObjectID: "o-site", Domain: "pages.example", URLPrefix: "https://PAGES.example/./", CaseID: "c-open", Reason: "phishing", CreatedAt: created},
				{ObjectID: "o-old", Domain: "old.example", URLPrefix: "https://old.example/%64ir/", CaseID: "c-none", Removed: true, CreatedAt: created},
				{ObjectID: "o-gone", Domain: "gone.example", URLPrefix: "https://gone.example/x/", CaseID: "c-gone", CreatedAt: created},
			} {
				require.NoError(t, db.Create(&b).Error)
			}

			require.NoError(t, store.Migrate(db))

			var ms []models.Mitigation
			require.NoError(t, db.Order("step").Find(&ms).Error)
			require.Len(t, ms, 3)
			byStep := map[string]models.Mitigation{}
			for _, m := range ms {
				byStep[m.Step] = m
			}
			site := byStep["migrated-block:o-site"]
			require.Equal(t, store.MigratedBlockID("o-site"), site.ID)
			require.Equal(t, models.MitigationContentDisabled, site.Type)
			require.Equal(t, models.EntityURLPattern, site.EntityType)
			require.Equal(t, "https://pages.example/*", site.EntityID, "what the block actually covered: the whole prefix")
			require.Equal(t, models.MitigationActive, site.Status)
			require.Equal(t, "c-open", site.CaseID)
			require.Equal(t, "acct-1", site.AccountID)
			require.Equal(t, "pages.example", site.Domain)
			require.True(t, created.Equal(site.EffectiveDate))

			old := byStep["migrated-block:o-old"]
			require.Equal(t, models.MitigationContentRemoved, old.Type)
			require.Equal(t, "https://old.example/dir/*", old.EntityID)
			require.Equal(t, models.MitigationActive, old.Status)

			gone := byStep["migrated-block:o-gone"]
			require.Equal(t, models.MitigationRemoved, gone.Status, "the operator removed it: no 451 forever")
			require.NotNil(t, gone.EndedAt)

			served, err := store.RestrictingMitigations(context.Background(), db)
			require.NoError(t, err)
			require.Len(t, served, 2)
		})
	}
}

// TestEdgeMitigationsQuery: only active and in_review mitigations, found
// by the host's domains: url_pattern under one of them, a zone that is one
// of them, an account that owns one of them.
func TestEdgeMitigationsQuery(t *testing.T) {
	db := freshDB(t, "sqlite")
	require.NoError(t, store.Migrate(db))
	require.NoError(t, db.Create(&models.Domain{Name: "pages.example", AccountID: "acct-1"}).Error)
	mk := func(id string, et models.MitigationEntity, entity, domain string, st models.MitigationStatus) {
		require.NoError(t, db.Create(&models.Mitigation{ID: id, CaseID: "c", Step: id, Domain: domain, Type: models.MitigationContentDisabled,
			EntityType: et, EntityID: entity, Status: st}).Error)
	}
	mk("url-active", models.EntityURLPattern, "https://pages.example/a", "pages.example", models.MitigationActive)
	mk("url-review", models.EntityURLPattern, "https://pages.example/b", "pages.example", models.MitigationInReview)
	mk("url-pending", models.EntityURLPattern, "https://pages.example/c", "pages.example", models.MitigationPending)
	mk("url-cancelled", models.EntityURLPattern, "https://pages.example/d", "pages.example", models.MitigationCancelled)
	mk("url-removed", models.EntityURLPattern, "https://pages.example/e", "pages.example", models.MitigationRemoved)
	mk("url-other", models.EntityURLPattern, "https://other.example/a", "other.example", models.MitigationActive)
	mk("zone", models.EntityZone, "pages.example", "pages.example", models.MitigationActive)
	mk("zone-other", models.EntityZone, "other.example", "other.example", models.MitigationActive)
	mk("account", models.EntityAccount, "acct-1", "", models.MitigationActive)
	mk("account-other", models.EntityAccount, "acct-2", "", models.MitigationActive)

	ms, err := store.EdgeMitigations(context.Background(), db, []string{"example", "img.pages.example", "pages.example"})
	require.NoError(t, err)
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	require.Equal(t, []string{"account", "url-active", "url-review", "zone"}, ids)
}
