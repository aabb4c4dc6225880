package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestPurgeErasesIntakeReplies: the email intake's replies hold a sender's
// address and what it was told. The purge blanks those naming a purged
// case, deletes case-less ones (refusals) older than the cutoff, and leaves
// newer ones and those of open cases alone.
func TestPurgeErasesIntakeReplies(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		cutoff := now.Add(-time.Hour)
		newCase(t, db, "Cpurged", models.CategoryPhishing, "https://shop.example/a")
		newCase(t, db, "Copen", models.CategoryPhishing, "https://shop.example/b")
		closed := now.Add(-2 * time.Hour)
		require.NoError(t, db.Model(&models.Case{}).Where("id = ?", "Cpurged").
			Updates(map[string]any{"status": models.StatusClosed, "closed_at": closed}).Error)
		for _, r := range []store.IntakeReply{
			{To: "a@sender.example", Subject: "dup", Body: "case Cpurged", CaseID: "Cpurged", Kind: "duplicate", CreatedAt: closed},
			{To: "b@sender.example", Subject: "dup", Body: "case Copen", CaseID: "Copen", Kind: "duplicate", CreatedAt: closed},
			{To: "c@sender.example", Subject: "refused", Body: "old", Kind: "refusal", CreatedAt: now.Add(-3 * time.Hour)},
			{To: "d@sender.example", Subject: "refused", Body: "new", Kind: "refusal", CreatedAt: now},
		} {
			require.NoError(t, db.Create(&r).Error)
		}
		a := &activities.Activities{DB: db}
		res, err := a.ErasePersonalData(ctx, activities.PurgeInput{ClosedBefore: cutoff})
		require.NoError(t, err)
		require.Equal(t, 2, res.IntakeReplies, "one blanked, one deleted")

		var left []store.IntakeReply
		require.NoError(t, db.Order("id").Find(&left).Error)
		require.Len(t, left, 3)
		byBody := map[string]store.IntakeReply{}
		for _, r := range left {
			byBody[r.Body] = r
		}
		erased, ok := byBody[activities.ErasedText]
		require.True(t, ok, "the purged case's reply is blanked: %+v", left)
		require.Equal(t, "Cpurged", erased.CaseID)
		require.Empty(t, erased.To)
		require.Equal(t, "b@sender.example", byBody["case Copen"].To)
		require.Equal(t, "d@sender.example", byBody["new"].To)

		again, err := a.ErasePersonalData(ctx, activities.PurgeInput{ClosedBefore: cutoff})
		require.NoError(t, err)
		require.Zero(t, again.IntakeReplies, "a repeated run erases nothing twice")
	})
}
