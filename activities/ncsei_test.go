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

// TestFindIdenticalCopies: the copies of a reported object (same content
// hash, any account), each with the entity that covers it.
func TestFindIdenticalCopies(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		h := strings.Repeat("0f", 32)
		require.NoError(t, db.Model(&models.HostedObject{}).Where("object_id = ?", "obj-a").Update("content_hash", h).Error)
		require.NoError(t, db.Create(&models.HostedObject{ObjectID: "obj-copy", Domain: "shop.example", AccountID: "cdn",
			URLPrefix: "https://SHOP.example/img/", ContentHash: h}).Error)
		a := &activities.Activities{DB: db}
		res, err := a.FindIdenticalCopies(context.Background(), activities.CopiesInput{CaseID: "c1", ObjectIDs: []string{"obj-a"}})
		require.NoError(t, err)
		require.Equal(t, []activities.HostedCopy{{ObjectID: "obj-copy", Domain: "shop.example", AccountID: "cdn",
			URLPrefix: "https://SHOP.example/img/", EntityID: "https://shop.example/img/*", ContentHash: h}}, res.Copies)
	})
}

// recordingMailer keeps the messages sent.
type recordingMailer struct{ sent []activities.Message }

func (m *recordingMailer) Send(_ context.Context, msg activities.Message) error {
	m.sent = append(m.sent, msg)
	return nil
}

// TestEscalateCase: an escalation is journalled once per case and step
// and mailed to the escalation address; without one it is only
// journalled.
func TestEscalateCase(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		j, m := &recordingJournal{}, &recordingMailer{}
		a := &activities.Activities{DB: db, Journal: j, Mail: m, EscalationEmail: "escalate@desk.example"}
		in := activities.EscalationInput{CaseID: "c1", Step: "ncsei-escalation", Deadline: time.Date(2026, 11, 7, 14, 0, 0, 0, time.UTC),
			Reason: "escalated: no analyst decision within 24h of the 48-hour TAKE IT DOWN window"}
		require.NoError(t, a.EscalateCase(context.Background(), in))
		require.Equal(t, []string{"system escalation escalation:c1:ncsei-escalation"}, j.entries)
		require.Len(t, m.sent, 1)
		require.Equal(t, "escalate@desk.example", m.sent[0].To)
		require.Contains(t, m.sent[0].Text, in.Reason)
		require.Contains(t, m.sent[0].Text, "Sat, 07 Nov 2026 14:00:00 UTC")

		a.EscalationEmail = ""
		require.NoError(t, a.EscalateCase(context.Background(), activities.EscalationInput{CaseID: "c2", Step: "ncsei-escalation"}))
		require.Len(t, m.sent, 1, "no address: journalled only")
		require.Len(t, j.entries, 2)
	})
}
