package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// TestClaimFilterAndCounts (issue 15): a claim is stored and journaled in
// its transaction, another analyst's claim is refused unless forced, the
// queue filters by assignee, and the counts per status come with each
// status's oldest case.
func TestClaimFilterAndCounts(t *testing.T) {
	queueDBs(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		rows := []models.Case{
			{ID: "c1", Category: "phishing", Priority: 1, Status: "awaiting_analyst", Service: "hosting", CreatedAt: base.Add(2 * time.Hour)},
			{ID: "c2", Category: "phishing", Priority: 1, Status: "awaiting_analyst", Service: "hosting", CreatedAt: base},
			{ID: "c3", Category: "malware", Priority: 1, Status: "awaiting_operator", Service: "hosting", CreatedAt: base.Add(time.Hour)},
			{ID: "c4", Category: "malware", Priority: 1, Status: "closed", Service: "hosting", CreatedAt: base.Add(-time.Hour)},
		}
		require.NoError(t, db.Create(&rows).Error)

		var journaled []string
		journal := func(tx *gorm.DB, previous string) error {
			journaled = append(journaled, previous)
			return nil
		}
		a, err := SetAssignee(ctx, db, "c1", "alice", "alice", false, journal)
		require.NoError(t, err)
		require.Equal(t, "alice", a.Assignee)
		require.NotNil(t, a.AssignedAt)
		_, err = SetAssignee(ctx, db, "c3", "alice", "alice", false, journal)
		require.NoError(t, err)

		// Bob cannot take or release Alice's case without force.
		_, err = SetAssignee(ctx, db, "c1", "bob", "bob", false, journal)
		var held *HeldError
		require.True(t, errors.As(err, &held), "%v", err)
		require.Equal(t, "alice", held.Holder)
		_, err = SetAssignee(ctx, db, "c1", "", "bob", false, journal)
		require.True(t, errors.As(err, &held))
		_, err = SetAssignee(ctx, db, "nope", "bob", "bob", false, journal)
		require.ErrorIs(t, err, gorm.ErrRecordNotFound)
		// A journal failure rolls the claim back.
		_, err = SetAssignee(ctx, db, "c2", "bob", "bob", false, func(*gorm.DB, string) error { return errors.New("journal down") })
		require.Error(t, err)
		// Forced, Bob takes c3 over.
		_, err = SetAssignee(ctx, db, "c3", "bob", "bob", true, journal)
		require.NoError(t, err)
		require.Equal(t, []string{"", "", "alice"}, journaled)

		ids := func(assignee string) []string {
			cs, err := QueryCases(ctx, db, CaseFilter{Status: "open", Assignee: assignee, Limit: 50})
			require.NoError(t, err)
			var out []string
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		require.Equal(t, []string{"c1"}, ids("alice"))
		require.Equal(t, []string{"c3"}, ids("bob"))
		require.Equal(t, []string{"c2"}, ids(AssigneeNone))
		require.Len(t, ids(""), 3)

		as, err := Assignments(ctx, db, []string{"c1", "c2", "c3"})
		require.NoError(t, err)
		require.Equal(t, "alice", as["c1"].Assignee)
		require.Equal(t, "bob", as["c3"].Assignee)
		_, ok := as["c2"]
		require.False(t, ok)

		// Alice releases her own case.
		a, err = SetAssignee(ctx, db, "c1", "", "alice", false, journal)
		require.NoError(t, err)
		require.Equal(t, "", a.Assignee)
		require.Equal(t, []string{"c2", "c1"}, ids(AssigneeNone)) // queue order: oldest first

		counts, err := StatusCounts(ctx, db)
		require.NoError(t, err)
		got := map[models.Status]StatusCount{}
		for _, c := range counts {
			got[c.Status] = c
		}
		require.Len(t, got, 3)
		require.EqualValues(t, 2, got["awaiting_analyst"].Count)
		require.True(t, base.Equal(got["awaiting_analyst"].Oldest), "oldest %v", got["awaiting_analyst"].Oldest)
		require.EqualValues(t, 1, got["awaiting_operator"].Count)
		require.True(t, base.Add(time.Hour).Equal(got["awaiting_operator"].Oldest))
		require.True(t, base.Add(-time.Hour).Equal(got["closed"].Oldest))
	})
}
