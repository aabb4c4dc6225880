package activities_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// TestMailLimitAdmitsPerHourOnce: at most PerHour mails to one address in
// any hour, the address compared without case or spaces; asking again for
// a mail already decided (a retried activity) gives the same answer and
// counts nothing; an hour later the address gets mail again.
func TestMailLimitAdmitsPerHourOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		l := &activities.MailLimit{DB: db, PerHour: 3, Now: func() time.Time { return now }}
		admit := func(id, addr string) bool {
			ok, err := l.Admit(ctx, id, addr)
			require.NoError(t, err)
			return ok
		}
		var got []bool
		for i, addr := range []string{"victim@x.example", "Victim@X.example", " victim@x.example", "VICTIM@x.example", "victim@x.example"} {
			got = append(got, admit(fmt.Sprintf("m%d", i), addr))
		}
		require.Equal(t, []bool{true, true, true, false, false}, got)
		require.True(t, admit("m1", "victim@x.example"), "a decided mail keeps its decision")
		require.False(t, admit("m3", "victim@x.example"))
		require.True(t, admit("other", "someone@else.example"))

		var n int64
		require.NoError(t, db.Model(&models.MailAdmission{}).Count(&n).Error)
		require.EqualValues(t, 6, n, "one decision per mail")
		var leaked int64
		require.NoError(t, db.Model(&models.MailAdmission{}).Where("recipient_hash LIKE ?", "%@%").Count(&leaked).Error)
		require.Zero(t, leaked, "addresses are kept as digests")

		now = now.Add(61 * time.Minute)
		require.True(t, admit("later", "victim@x.example"))

		for _, off := range []*activities.MailLimit{nil, {DB: db}} {
			ok, err := off.Admit(ctx, "off", "victim@x.example")
			require.NoError(t, err)
			require.True(t, ok, "no limit configured")
		}
	})
}

// TestMailLimitHoldsAcrossConnections: deciders racing for one address (as
// several worker processes do, each with its own connections) admit
// exactly PerHour mails between them.
func TestMailLimitHoldsAcrossConnections(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		l := &activities.MailLimit{DB: db, PerHour: 5}
		var mu sync.Mutex
		admitted := 0
		var errs []error
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var ok bool
				var err error
				// SQLite answers "database is locked" past its busy timeout;
				// a retried activity would try again.
				for attempt := 0; attempt < 5; attempt++ {
					if ok, err = l.Admit(context.Background(), fmt.Sprintf("race-%d", i), "victim@x.example"); err == nil {
						break
					}
				}
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				}
				if ok {
					admitted++
				}
			}()
		}
		wg.Wait()
		require.Empty(t, errs)
		require.Equal(t, 5, admitted)
	})
}
