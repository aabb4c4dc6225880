package activities_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// recordingJournal keeps what the activities journal.
type recordingJournal struct{ entries []string }

func (j *recordingJournal) Record(_ *gorm.DB, actor, _, kind, key string, _ any) error {
	j.entries = append(j.entries, actor+" "+kind+" "+key)
	return nil
}

// TestApplyAndChangeMitigation: a mitigation is stored once per case and
// step; one not explained by an earlier restriction is journalled as a
// restriction (its statement of reasons), one that is points at it; each
// change is journalled once; an ended mitigation refuses a change for good.
func TestApplyAndChangeMitigation(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		j := &recordingJournal{}
		a := &activities.Activities{DB: db, Journal: j}
		newCase(t, db, "c1", models.CategoryPhishing, "https://shop.example/login")
		spec := activities.MitigationSpec{ID: "m1", CaseID: "c1", Step: "placed:m1", AccountID: "cdn", Domain: "shop.example",
			Type: models.MitigationPhishingInterstitial, EntityType: models.EntityURLPattern, EntityID: "https://shop.example/login",
			Status: models.MitigationPending, EffectiveDate: time.Now().Add(24 * time.Hour), Reason: "phishing", By: "ana"}
		res, err := a.ApplyMitigation(ctx, spec)
		require.NoError(t, err)
		again := spec
		again.ID = "m-retry"
		res2, err := a.ApplyMitigation(ctx, again)
		require.NoError(t, err)
		require.Equal(t, "m1", res.ID)
		require.Equal(t, "m1", res2.ID, "a retry finds the stored mitigation")
		require.Equal(t, []string{"ana restriction restriction:c1:placed:m1"}, j.entries)

		explained := spec
		explained.ID, explained.Step, explained.StatementKey = "m2", "content_disabled:x", "restriction:c1:disable:obj-a"
		explained.Status = models.MitigationActive
		_, err = a.ApplyMitigation(ctx, explained)
		require.NoError(t, err)
		require.Equal(t, "ana mitigation mitigation:c1:content_disabled:x", j.entries[1])
		var m2 models.Mitigation
		require.NoError(t, db.First(&m2, "id = ?", "m2").Error)
		require.Equal(t, "restriction:c1:disable:obj-a", m2.StatementID)

		change := activities.MitigationChangeInput{MitigationID: "m1", To: models.MitigationCancelled, Actor: "ana", Reason: "fixed"}
		require.NoError(t, a.ChangeMitigation(ctx, change))
		require.NoError(t, a.ChangeMitigation(ctx, change), "a retried change is no error")
		require.Len(t, j.entries, 3, "and is journalled once")
		require.Equal(t, "ana mitigation mitigation:m1:status:pending>cancelled", j.entries[2])
		err = a.ChangeMitigation(ctx, activities.MitigationChangeInput{MitigationID: "m1", To: models.MitigationActive})
		var app *temporal.ApplicationError
		require.True(t, errors.As(err, &app))
		require.Equal(t, activities.ErrTypeMitigationEnded, app.Type())
		require.True(t, app.NonRetryable())
		var evs []models.MitigationEvent
		require.NoError(t, db.Where("mitigation_id = ?", "m1").Order("id").Find(&evs).Error)
		require.Len(t, evs, 2)
		require.Equal(t, models.MitigationCancelled, evs[1].To)
		require.Equal(t, "fixed", evs[1].Reason)
	})
}

// TestAppealOutcomeNotice: the customer is told the analyst's answer and
// the redress left (out-of-court settlement, courts).
func TestAppealOutcomeNotice(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &activities.Activities{DB: db, PublicURL: "http://desk"}
		newCase(t, db, "c2", models.CategoryPhishing, "https://shop.example/login")
		for _, tc := range []struct{ decision, want string }{
			{"uphold", "upheld it: the restriction stays in place"},
			{"lift", "lifted it: the restriction is removed"},
		} {
			r, err := a.SendNotice(context.Background(), activities.NoticeInput{CaseID: "c2", Step: "mitigation-appeal-outcome:" + tc.decision,
				Kind: activities.NoticeCustomerAppealOutcome, Role: models.RoleOperator, Domain: "shop.example",
				Facts: map[string]string{"mitigation_id": "m1", "type": "phishing_interstitial", "entity": "https://shop.example/login",
					"decision": tc.decision, "note": "checked the page"}})
			require.NoError(t, err)
			var n models.Notice
			require.NoError(t, db.First(&n, "id = ?", r.NoticeID).Error)
			require.Equal(t, "op@shop.example", n.To)
			require.Contains(t, n.BodyText, tc.want)
			require.Contains(t, n.BodyText, "Reason: checked the page")
			require.Contains(t, n.BodyText, "out-of-court")
		}
	})
}
