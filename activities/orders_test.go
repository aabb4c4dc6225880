package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

func newOrder(t *testing.T, db *gorm.DB, id string, kind models.OrderKind, urls string) {
	rec := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	require.NoError(t, store.CreateOrder(context.Background(), db, models.Order{ID: id, Kind: kind,
		AuthorityName: "BKA", AuthorityContact: "tco@bka.example", MemberState: "DE", ContentType: "terrorist_content",
		LegalBasis: "Regulation (EU) 2021/784 Art. 3", StatementOfReasons: "glorifies an attack",
		Redress: "Verwaltungsgericht Wiesbaden", URLs: urls, TerritorialScope: "DE", ReceivedAt: rec,
		Deadline: rec.Add(time.Hour), Status: models.OrderReceived}, nil))
}

// TestResolveOrderAndRecordSteps: an order's URLs resolve to content we
// host (content_disabled), a CDN zone (legal_block) or not ours; a step
// is recorded once with its time.
func TestResolveOrderAndRecordSteps(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a := &activities.Activities{DB: db}
		newOrder(t, db, "ord-a", models.OrderTCORemoval,
			`["https://pages.example/a/video.mp4","https://SHOP.example/x?y=1","https://elsewhere.example/z","https://parked.example/p"]`)
		tg, err := a.ResolveOrder(ctx, activities.OrderRef{OrderID: "ord-a"})
		require.NoError(t, err)
		require.Len(t, tg.Entities, 2)
		require.Equal(t, models.MitigationContentDisabled, tg.Entities[0].Type)
		require.Equal(t, "host", tg.Entities[0].AccountID)
		require.Equal(t, models.MitigationLegalBlock, tg.Entities[1].Type)
		require.Equal(t, "shop.example", tg.Entities[1].Domain)
		require.Equal(t, []string{"https://elsewhere.example/z", "https://parked.example/p"}, tg.NotOurs)
		require.Equal(t, []string{"cdn", "host"}, tg.Accounts)

		r1, err := a.RecordOrderStep(ctx, activities.OrderStepInput{OrderID: "ord-a", Step: "receipt", Mark: activities.OrderMarkReceipt, What: "receipt"})
		require.NoError(t, err)
		r2, err := a.RecordOrderStep(ctx, activities.OrderStepInput{OrderID: "ord-a", Step: "receipt", Mark: activities.OrderMarkReceipt, What: "receipt"})
		require.NoError(t, err)
		require.True(t, r1.At.Equal(r2.At), "a retried step keeps its first time")
		o, err := store.Order(ctx, db, "ord-a")
		require.NoError(t, err)
		require.Equal(t, models.OrderReceiptConfirmed, o.Status)
		require.NotNil(t, o.ReceiptConfirmedAt)
		evs, err := store.OrderEvents(ctx, db, "ord-a")
		require.NoError(t, err)
		require.Len(t, evs, 2, "received and receipt")

		newOrder(t, db, "ord-i", models.OrderDSAArt10, `["https://shop.example/profile"]`)
		ti, err := a.ResolveOrder(ctx, activities.OrderRef{OrderID: "ord-i"})
		require.NoError(t, err)
		require.Contains(t, ti.Information, "op@shop.example")
	})
}

// TestOrderNoticesText: the authority's and the customer's notices state
// what the law asks of them, once per step.
func TestOrderNoticesText(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a := &activities.Activities{DB: db}
		newOrder(t, db, "ord-n", models.OrderTCORemoval, `["https://shop.example/x"]`)
		send := func(step string, kind activities.NoticeKind, role models.RecipientRole, acct string, facts map[string]string) models.Notice {
			r, err := a.SendOrderNotice(ctx, activities.OrderNoticeInput{OrderID: "ord-n", Step: step, Kind: kind, Role: role, AccountID: acct, Facts: facts})
			require.NoError(t, err)
			again, err := a.SendOrderNotice(ctx, activities.OrderNoticeInput{OrderID: "ord-n", Step: step, Kind: kind, Role: role, AccountID: acct, Facts: facts})
			require.NoError(t, err)
			require.Equal(t, r.NoticeID, again.NoticeID)
			var n models.Notice
			require.NoError(t, db.First(&n, "id = ?", r.NoticeID).Error)
			return n
		}
		rc := send("receipt", activities.NoticeOrderReceipt, models.RoleAuthority, "", nil)
		require.Equal(t, "tco@bka.example", rc.To)
		require.Contains(t, rc.BodyText, "within one hour of receipt")
		require.Contains(t, rc.BodyText, "2026-12-06 11:00:00 UTC")
		ef := send("effect", activities.NoticeOrderEffect, models.RoleAuthority, "", map[string]string{
			"effect": "https://shop.example/x: access blocked at our edge in DE", "effect_at": "2026-12-06 10:01:00 UTC"})
		require.Contains(t, ef.BodyText, "Effect given: 2026-12-06 10:01:00 UTC")
		require.Contains(t, ef.BodyText, "Annex II of Regulation (EU) 2021/784")
		rf := send("refused", activities.NoticeOrderRefused, models.RoleAuthority, "", map[string]string{
			"reason": models.OrderRefusalNotOurCustomer, "detail": "https://elsewhere.example/z"})
		require.Contains(t, rf.BodyText, "not on a service we provide")
		require.Contains(t, rf.BodyText, "Annex III")
		cu := send("customer:cdn", activities.NoticeCustomerOrder, models.RoleOperator, "cdn", map[string]string{
			"effect": "blocked in DE", "effect_at": "2026-12-06 10:01:00 UTC"})
		require.Equal(t, "op@shop.example", cu.To)
		require.Contains(t, cu.BodyText, "Verwaltungsgericht Wiesbaden")
		require.Contains(t, cu.BodyText, "glorifies an attack")
		require.Contains(t, cu.BodyText, "Art. 11")
	})
}
