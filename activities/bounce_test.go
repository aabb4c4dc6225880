package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/models"
)

func bounceNotice(t *testing.T, db *gorm.DB, id, caseID, step string, role models.RecipientRole, to, domain string) {
	t.Helper()
	now := time.Now()
	require.NoError(t, db.Create(&models.Notice{ID: id, CaseID: caseID, Step: step, RecipientRole: role, To: to,
		Subject: "Abuse report " + caseID, BodyText: "body\n", Domain: domain, Status: models.NoticeSent,
		CreatedAt: now, SentAt: &now}).Error)
}

func delivery(t *testing.T, db *gorm.DB, id string) models.NoticeDelivery {
	t.Helper()
	var d models.NoticeDelivery
	require.NoError(t, db.First(&d, "notice_id = ?", id).Error)
	return d
}

func flags(t *testing.T, db *gorm.DB, caseID string) map[models.CaseFlagKind]string {
	t.Helper()
	var fs []models.CaseFlag
	require.NoError(t, db.Where("case_id = ?", caseID).Find(&fs).Error)
	out := map[models.CaseFlagKind]string{}
	for _, f := range fs {
		out[f.Kind] = f.Reason
	}
	return out
}

// TestBouncedHostNoticeGoesToTheOtherNetworkContact: the host notice went
// to the most specific network's address (abuse@reseller.example) and
// bounced; the enclosing customer network names abuse@host.example, so the
// notice goes there (through a real SMTP sink, VERP envelope sender and
// case header) as a new hosting_provider notice, and the bounced one is
// redirected. A retry sends nothing twice; a second DSN sees Redirected.
func TestBouncedHostNoticeGoesToTheOtherNetworkContact(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		sink, err := smtpsink.Start("127.0.0.1:0")
		require.NoError(t, err)
		defer sink.Stop()
		a := &activities.Activities{DB: db, TokenSecret: []byte("s"),
			Mail: &activities.SMTPMailer{Addr: sink.Addr(), From: "Abuse Desk <abuse@desk.example>", BounceLocalPart: "bounces"}}
		newCase(t, db, "cb1", models.CategoryPhishing, "https://shop.example/x")
		bounceNotice(t, db, "n_b1", "cb1", "host-forward:shop.example", models.RoleHostingProvider, "abuse@reseller.example", "shop.example")

		ctx := context.Background()
		rec, err := a.RecordBounce(ctx, activities.BounceInput{NoticeID: "n_b1", Status: "5.1.1", Reason: "smtp; 550 5.1.1 unknown"})
		require.NoError(t, err)
		require.True(t, rec.Found)
		require.Equal(t, models.NoticeBounced, delivery(t, db, "n_b1").State)
		out, err := a.HandleBouncedNotice(ctx, rec)
		require.NoError(t, err)
		require.Equal(t, activities.BounceRedirected, out.Action)
		require.Equal(t, "abuse@host.example", out.To)
		_, err = a.HandleBouncedNotice(ctx, rec) // a retried activity
		require.NoError(t, err)

		msgs := sink.To("abuse@host.example")
		require.Len(t, msgs, 1)
		require.Equal(t, out.NewNoticeID, msgs[0].NoticeID)
		require.Equal(t, "bounces+"+out.NewNoticeID+"@desk.example", msgs[0].From)
		require.Contains(t, string(msgs[0].Raw), "X-Abusedesk-Case: cb1\r\n")
		d := delivery(t, db, "n_b1")
		require.Equal(t, models.NoticeRedirected, d.State)
		require.Equal(t, out.NewNoticeID, d.RedirectedTo)
		require.Equal(t, "smtp; 550 5.1.1 unknown", d.BounceReason)
		var n models.Notice
		require.NoError(t, db.First(&n, "id = ?", out.NewNoticeID).Error)
		require.Equal(t, models.RoleHostingProvider, n.RecipientRole)
		require.Equal(t, models.NoticeSent, n.Status)
		require.Empty(t, flags(t, db, "cb1"))

		again, err := a.RecordBounce(ctx, activities.BounceInput{NoticeID: "n_b1", Status: "5.1.1"})
		require.NoError(t, err)
		require.True(t, again.Redirected)
		missing, err := a.RecordBounce(ctx, activities.BounceInput{NoticeID: "n_none"})
		require.NoError(t, err)
		require.False(t, missing.Found)
	})
}

// TestBouncedNoticesWithNowhereToGo: a host notice whose origin is in no
// network flags the case for an analyst; a
// reporter's bounced mail marks the reporter unreachable. Nothing is sent.
func TestBouncedNoticesWithNowhereToGo(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		sink, err := smtpsink.Start("127.0.0.1:0")
		require.NoError(t, err)
		defer sink.Stop()
		a := &activities.Activities{DB: db, Mail: &activities.SMTPMailer{Addr: sink.Addr(), From: "abuse@desk.example"}}
		ctx := context.Background()
		newCase(t, db, "cb2", models.CategoryPhishing, "https://pages.example/a/x")
		bounceNotice(t, db, "n_b2", "cb2", "host-forward:pages.example", models.RoleHostingProvider, "abuse@gone.example", "pages.example")
		bounceNotice(t, db, "n_b3", "cb2", "reporter-receipt", models.RoleReporter, "rita@r.example", "")
		for id, want := range map[string]string{"n_b2": activities.BounceNeedsAttention, "n_b3": activities.BounceReporterUnreachable} {
			rec, err := a.RecordBounce(ctx, activities.BounceInput{NoticeID: id, Status: "5.1.1"})
			require.NoError(t, err)
			out, err := a.HandleBouncedNotice(ctx, rec)
			require.NoError(t, err)
			require.Equal(t, want, out.Action)
			require.Equal(t, models.NoticeBounced, delivery(t, db, id).State)
		}
		f := flags(t, db, "cb2")
		require.Contains(t, f[models.FlagNeedsAttention], "no other abuse contact")
		require.Contains(t, f, models.FlagReporterUnreachable)
		require.Empty(t, sink.Messages())
	})
}
