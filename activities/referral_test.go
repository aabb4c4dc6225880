package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// referralJournal and referralMailer record the audit entries and mails.
type referralJournal struct{ kinds []string }

func (j *referralJournal) Record(_ *gorm.DB, actor, _, kind, _ string, _ any) error {
	j.kinds = append(j.kinds, actor+" "+kind)
	return nil
}

type referralMailer struct{ sent []activities.Message }

func (m *referralMailer) Send(_ context.Context, msg activities.Message) error {
	m.sent = append(m.sent, msg)
	return nil
}

// TestReferralActivities: the referral is recorded once (one audit entry
// with the analyst), one notice goes to the recorded authority however
// often the step runs, with the case's report, reporter, URL, customer,
// origin and hosted object, and its sending time is recorded once.
func TestReferralActivities(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		j, m := &referralJournal{}, &referralMailer{}
		a := &activities.Activities{DB: db, Journal: j, Mail: m}
		newCase(t, db, "c1", models.CategoryViolentThreat, "https://pages.example/a/threat")
		require.NoError(t, db.Model(&models.Case{}).Where("id = ?", "c1").
			Updates(map[string]any{"domain": "pages.example", "account_id": "host", "emergency": true}).Error)
		in := activities.ReferralInput{CaseID: "c1", MemberState: "DE", Authority: "lka@polizei.example",
			Suspicion: "names a school and a date", Urgent: true, By: "ana", RequestedAt: time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)}
		require.NoError(t, a.RecordReferral(ctx, in))
		require.NoError(t, a.RecordReferral(ctx, in))
		require.Equal(t, []string{"ana referral"}, j.kinds)

		ref := activities.ReferralRef{CaseID: "c1", MemberState: "DE"}
		n1, err := a.SendReferralNotice(ctx, ref)
		require.NoError(t, err)
		n2, err := a.SendReferralNotice(ctx, ref)
		require.NoError(t, err)
		require.Equal(t, n1.NoticeID, n2.NoticeID)
		require.Len(t, m.sent, 1)
		msg := m.sent[0]
		require.Equal(t, "lka@polizei.example", msg.To)
		require.True(t, strings.HasPrefix(msg.Subject, "[abusedesk case c1] URGENT: "), msg.Subject)
		for _, want := range []string{"names a school and a date", "Rita <rita@r.example>", "https://pages.example/a/threat",
			"Customer account:  (host), operator op@pages.example", "192.0.2.1", "pages obj-a at https://pages.example/a/",
			"immediate danger", "2026-12-06 08:00:00 UTC"} {
			require.Contains(t, msg.Text, want)
		}
		var n models.Notice
		require.NoError(t, db.Where("id = ?", n1.NoticeID).Take(&n).Error)
		require.Equal(t, models.RoleAuthority, n.RecipientRole)
		require.Equal(t, "referral:DE", n.Step)

		ref.NoticeID = n1.NoticeID
		s1, err := a.RecordReferralSent(ctx, ref)
		require.NoError(t, err)
		s2, err := a.RecordReferralSent(ctx, ref)
		require.NoError(t, err)
		require.False(t, s1.SentAt.IsZero())
		require.Equal(t, s1, s2)
		require.Equal(t, []string{"ana referral", "system notice", "system referral_sent"}, j.kinds)

		// The purge erases the analyst's statement and the notice's body;
		// the record of the referral stays.
		closed := time.Now().UTC().Add(-time.Hour)
		require.NoError(t, db.Model(&models.Case{}).Where("id = ?", "c1").
			Updates(map[string]any{"status": models.StatusClosed, "closed_at": closed}).Error)
		_, err = a.ErasePersonalData(ctx, activities.PurgeInput{ClosedBefore: time.Now().UTC()})
		require.NoError(t, err)
		var r models.Referral
		require.NoError(t, db.Where("case_id = ?", "c1").Take(&r).Error)
		require.Equal(t, activities.ErasedText, r.Suspicion)
		require.Equal(t, "lka@polizei.example", r.Authority)
		require.NotNil(t, r.SentAt)
	})
}
