package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestMitigationLifecycle: a mitigation is created once per case and step,
// each change writes one event in its transaction, a change already made
// writes nothing, an ended mitigation takes no change, and the analysts'
// list puts overdue reviews first.
func TestMitigationLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
		journaled := 0
		then := func(*gorm.DB, models.Mitigation) error { journaled++; return nil }
		m := models.Mitigation{ID: "m1", CaseID: "C1", Step: "mitigate:u1", Type: models.MitigationContentDisabled,
			EntityType: models.EntityURLPattern, EntityID: "https://a.example/x", Status: models.MitigationPending,
			EffectiveDate: at.Add(time.Hour), UpdatedBy: "analyst", UpdatedAt: at}
		got, created, err := store.CreateMitigation(ctx, db, m, then)
		require.NoError(t, err)
		require.True(t, created)
		again := m
		again.ID = "m-other"
		got2, created, err := store.CreateMitigation(ctx, db, again, then)
		require.NoError(t, err)
		require.False(t, created, "same case and step is the same mitigation")
		require.Equal(t, got.ID, got2.ID)
		require.Equal(t, 1, journaled)

		change := func(ch store.MitigationChange) (models.Mitigation, bool) {
			ch.ID, ch.At = "m1", at
			after, changed, err := store.ChangeMitigation(ctx, db, ch, func(*gorm.DB, models.Mitigation, models.Mitigation) error {
				journaled++
				return nil
			})
			require.NoError(t, err)
			return after, changed
		}
		after, changed := change(store.MitigationChange{Kind: models.MitigationEventStatus, To: models.MitigationActive, Actor: "system"})
		require.True(t, changed)
		require.Equal(t, models.MitigationActive, after.Status)
		_, changed = change(store.MitigationChange{Kind: models.MitigationEventStatus, To: models.MitigationActive, Actor: "system"})
		require.False(t, changed, "a retried change writes nothing")
		deadline := at.Add(72 * time.Hour)
		after, changed = change(store.MitigationChange{Kind: models.MitigationEventAppeal, Actor: "customer",
			AppealReason: "removed", AppealStatement: "we took it down", ReviewDeadline: &deadline})
		require.True(t, changed)
		require.Equal(t, models.MitigationInReview, after.Status)
		after, changed = change(store.MitigationChange{Kind: models.MitigationEventOverdue, Actor: "system"})
		require.True(t, changed)
		require.True(t, after.ReviewOverdue)

		// A second mitigation in review, not overdue, with an earlier deadline.
		early := at.Add(time.Hour)
		m2 := models.Mitigation{ID: "m2", CaseID: "C1", Step: "mitigate:u2", Status: models.MitigationInReview,
			ReviewDeadline: &early, UpdatedAt: at}
		_, _, err = store.CreateMitigation(ctx, db, m2, nil)
		require.NoError(t, err)
		review, err := store.MitigationsInReview(ctx, db, 10)
		require.NoError(t, err)
		require.Len(t, review, 2)
		require.Equal(t, "m1", review[0].ID, "an overdue review comes first")

		after, changed = change(store.MitigationChange{Kind: models.MitigationEventStatus, To: models.MitigationRemoved,
			Actor: "analyst", ReviewDecision: "lift"})
		require.True(t, changed)
		require.NotNil(t, after.EndedAt)
		require.Equal(t, "lift", after.ReviewDecision)
		_, _, err = store.ChangeMitigation(ctx, db, store.MitigationChange{ID: "m1", Kind: models.MitigationEventStatus,
			To: models.MitigationActive, At: at}, nil)
		require.ErrorIs(t, err, store.ErrMitigationEnded)

		evs, err := store.MitigationEvents(ctx, db, []string{"m1"})
		require.NoError(t, err)
		var kinds []string
		for _, e := range evs["m1"] {
			kinds = append(kinds, e.Kind+":"+string(e.From)+">"+string(e.To))
		}
		require.Equal(t, []string{"status:>pending", "status:pending>active", "appeal:active>in_review",
			"overdue:in_review>in_review", "status:in_review>removed"}, kinds)
		require.Equal(t, 5, journaled)
		ms, err := store.CaseMitigations(ctx, db, "C1")
		require.NoError(t, err)
		require.Len(t, ms, 2)
		serving, err := store.ServingMitigations(ctx, db, "")
		require.NoError(t, err)
		require.Len(t, serving, 1)
		require.Equal(t, "m2", serving[0].ID)
	})
}
