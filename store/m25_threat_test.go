package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// TestMigrateThreatRenumbersRanks: a database from before version 25 gets
// the emergency column and the referrals table; its cases' ranks move (the
// others from 1 to 5, ncsei to 2, CSAM stays 0) and its rows stay.
func TestMigrateThreatRenumbersRanks(t *testing.T) {
	queueDBs(t, func(t *testing.T, db *gorm.DB) {
		now := time.Now().UTC()
		rows := []models.Case{
			{ID: "c-csam", Category: models.CategoryCSAM, Priority: 0, Status: models.StatusAwaitingAnalyst, CreatedAt: now},
			{ID: "c-ncsei", Category: models.CategoryNCSEI, Priority: 1, Status: models.StatusAwaitingAnalyst, CreatedAt: now},
			{ID: "c-other", Category: models.CategoryPhishing, Priority: 1, Status: models.StatusAwaitingAnalyst, CreatedAt: now},
		}
		require.NoError(t, db.Create(&rows).Error)
		require.NoError(t, db.Migrator().DropColumn(&models.Case{}, "Emergency"))
		require.NoError(t, db.Migrator().DropTable(&models.Referral{}))
		require.NoError(t, db.Exec("DELETE FROM schema_migrations WHERE version = 25").Error)

		require.NoError(t, Migrate(db))
		require.True(t, db.Migrator().HasColumn(&models.Case{}, "Emergency"))
		require.True(t, db.Migrator().HasTable(&models.Referral{}))
		rank := map[string]int{}
		var got []models.Case
		require.NoError(t, db.Order("id").Find(&got).Error)
		for _, c := range got {
			rank[c.ID] = c.Priority
			require.False(t, c.Emergency)
		}
		require.Equal(t, map[string]int{"c-csam": PriorityCSAM, "c-ncsei": PriorityNCSEI, "c-other": PriorityOther}, rank)
	})
}

// TestReferralRecordedOnce: a case's referral to a member state is one row
// (a second record keeps the first and runs no second audit entry), and
// its sending time is recorded once.
func TestReferralRecordedOnce(t *testing.T) {
	queueDBs(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		at := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
		audits := 0
		then := func(*gorm.DB) error { audits++; return nil }
		r := models.Referral{CaseID: "c1", MemberState: "DE", Authority: "lka@polizei.example", Suspicion: "threat", By: "ana", RequestedAt: at}
		first, err := RecordReferral(ctx, db, r, then)
		require.NoError(t, err)
		r.Suspicion, r.By = "again", "ben"
		second, err := RecordReferral(ctx, db, r, then)
		require.NoError(t, err)
		require.Equal(t, first.ID, second.ID)
		require.Equal(t, "ana", second.By)
		require.Equal(t, 1, audits)

		sent, err := MarkReferralSent(ctx, db, "c1", "DE", "n_1", at.Add(time.Minute), then)
		require.NoError(t, err)
		again, err := MarkReferralSent(ctx, db, "c1", "DE", "n_2", at.Add(time.Hour), then)
		require.NoError(t, err)
		require.Equal(t, sent, again)
		require.Equal(t, at.Add(time.Minute), sent)
		require.Equal(t, 2, audits)
		rs, err := CaseReferrals(ctx, db, "c1")
		require.NoError(t, err)
		require.Len(t, rs, 1)
		require.Equal(t, "n_1", rs[0].NoticeID)
	})
}
