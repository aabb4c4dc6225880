package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

func replyDB(t *testing.T) *gorm.DB {
	t.Helper()
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "r.db"), "")
	require.NoError(t, err)
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	require.NoError(t, store.Migrate(db))
	return db
}

// TestIntakeRepliesKeptWithoutRelay: without smtp_addr every intake reply
// is kept in the outbox as not sent, with the reason (issue 14, "No
// silence"); the duplicate reply names the earlier case and nothing else.
func TestIntakeRepliesKeptWithoutRelay(t *testing.T) {
	db := replyDB(t)
	ctx := context.Background()
	r := &ProblemReplier{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DB: db}
	require.NoError(t, r.ReplyProblems(ctx, "bob@reporter.example", "Re: help", []models.FieldError{{Field: "urls", Message: "no URL"}}))
	require.NoError(t, r.ReplyDuplicate(ctx, "alice@reporter.example", "Re: phish", "C-1"))
	require.NoError(t, r.ReplyPartial(ctx, "alice@reporter.example", "Re: phish", "C-2", []models.FieldError{{Field: "urls", Message: "x"}}))

	rows, err := store.IntakeReplies(ctx, db, store.IntakeReplyNotSent, "", 10)
	require.NoError(t, err)
	require.Len(t, rows, 3)
	kinds := map[string]store.IntakeReply{}
	for _, row := range rows {
		require.Nil(t, row.SentAt)
		require.Equal(t, notSentNoRelay, row.Error)
		kinds[row.Kind] = row
	}
	require.Equal(t, "bob@reporter.example", kinds[store.IntakeReplyRefusal].To)
	require.Contains(t, kinds[store.IntakeReplyRefusal].Body, "urls: no URL")
	dup := kinds[store.IntakeReplyDuplicate]
	require.Equal(t, "C-1", dup.CaseID)
	require.Contains(t, dup.Body, "abuse report C-1")
	require.NotContains(t, dup.Body, "token")
	require.Equal(t, "C-2", kinds[store.IntakeReplyPartial].CaseID)

	sent, err := store.IntakeReplies(ctx, db, store.IntakeReplySent, "", 10)
	require.NoError(t, err)
	require.Empty(t, sent)
}

// TestIntakeReplySentThroughRelayIsMarkedSent: with a relay the reply goes
// out marked auto-replied (RFC 3834) and its kept row says when; over the
// address's hourly limit it is kept as not sent, with that reason.
func TestIntakeReplySentThroughRelayIsMarkedSent(t *testing.T) {
	db := replyDB(t)
	sink, err := smtpsink.Start("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(sink.Stop)
	ctx := context.Background()
	r := &ProblemReplier{Addr: sink.Addr(), From: "desk@abusedesk.example", Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		DB: db, Limit: &activities.MailLimit{DB: db, PerHour: 1}}
	require.NoError(t, r.ReplyDuplicate(ctx, "alice@reporter.example", "Re: phish", "C-9"))
	msgs := sink.To("alice@reporter.example")
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0].Body, "abuse report C-9")
	require.Contains(t, string(msgs[0].Raw), "Auto-Submitted: auto-replied")

	require.NoError(t, r.ReplyDuplicate(ctx, "alice@reporter.example", "Re: phish", "C-9"))
	require.Len(t, sink.To("alice@reporter.example"), 1, "the second is over the hourly limit")

	rows, err := store.IntakeReplies(ctx, db, "", "C-9", 10)
	require.NoError(t, err)
	require.Len(t, rows, 2)
	require.Nil(t, rows[0].SentAt, "newest first: the limited one")
	require.Equal(t, notSentLimit, rows[0].Error)
	require.NotNil(t, rows[1].SentAt)
	require.Empty(t, rows[1].Error)
}
