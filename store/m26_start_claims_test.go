package store_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// The workers claim the cases a server stored unclaimed, oldest first, a
// batch at a time; a case started, or claimed at intake, is never claimed;
// two claims at once never take the same case.
func TestClaimUnstarted(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		add := func(id string, at time.Time, started bool, claimed *time.Time) {
			require.NoError(t, db.Create(&models.Case{ID: id, Category: models.CategoryPhishing, Status: models.StatusReceived,
				Service: models.ServiceNone, WorkflowStarted: started, StartClaimedAt: claimed, CreatedAt: at}).Error)
		}
		add("started", t0, true, nil)
		add("at-intake", t0, false, &t0)
		add("c3", t0.Add(3*time.Second), false, nil)
		add("c1", t0.Add(1*time.Second), false, nil)
		add("c2", t0.Add(2*time.Second), false, nil)

		now := t0.Add(time.Minute)
		got, err := store.ClaimUnstarted(ctx, db, now, 2)
		require.NoError(t, err)
		require.ElementsMatch(t, []string{"c1", "c2"}, ids(got), "the two oldest unclaimed")
		for _, c := range got {
			require.NotNil(t, c.StartClaimedAt)
			require.True(t, c.StartClaimedAt.Equal(now))
			require.Equal(t, models.CategoryPhishing, c.Category, "the row as stored")
		}
		got, err = store.ClaimUnstarted(ctx, db, now, 2)
		require.NoError(t, err)
		require.Equal(t, []string{"c3"}, ids(got))
		got, err = store.ClaimUnstarted(ctx, db, now, 2)
		require.NoError(t, err)
		require.Empty(t, got)

		// Concurrent claims split the cases between them.
		for i := 0; i < 40; i++ {
			add("r"+string(rune('a'+i/26))+string(rune('a'+i%26)), t0.Add(time.Duration(10+i)*time.Second), false, nil)
		}
		var mu sync.Mutex
		var all []string
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					cs, err := store.ClaimUnstarted(ctx, db, now, 3)
					if err != nil {
						t.Error(err)
						return
					}
					if len(cs) == 0 {
						return
					}
					mu.Lock()
					all = append(all, ids(cs)...)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		sort.Strings(all)
		require.Len(t, all, 40)
		for i := 1; i < len(all); i++ {
			require.NotEqual(t, all[i-1], all[i], "claimed twice")
		}
	})
}

func ids(cs []models.Case) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
