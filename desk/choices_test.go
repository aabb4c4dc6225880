package desk

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestChoicesLine: the timeline's "Case opened" entry names the reporter's
// choice per recipient (README "The reporter's choices").
func TestChoicesLine(t *testing.T) {
	require.Equal(t, "notifications: operator send-anon, hosting provider send",
		ChoicesLine(models.Case{OwnerNotification: models.NotifySendAnon, HostNotification: models.NotifySend}))
	require.Equal(t, "notifications: operator none, hosting provider send, clearinghouse send-anon",
		ChoicesLine(models.Case{OwnerNotification: models.NotifyNone, HostNotification: models.NotifySend, NcmecNotification: models.NotifySendAnon}))
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "t.db"), "")
	require.NoError(t, err)
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(t, store.Migrate(db))
	require.NoError(t, db.Create(&models.Case{ID: "c1", Category: models.CategoryCSAM, Status: models.StatusClosed,
		OwnerNotification: models.NotifyNone, HostNotification: models.NotifySend, NcmecNotification: models.NotifySendAnon}).Error)
	entries := []TimelineEntry{{Kind: "activity", What: "Send notice"}, {Kind: "case", What: "Case opened", Extra: "category csam"}}
	(&Desk{DB: db}).withChoices(context.Background(), "c1", entries)
	require.Equal(t, "category csam; notifications: operator none, hosting provider send, clearinghouse send-anon", entries[1].Extra)
	require.Empty(t, entries[0].Extra)
}
