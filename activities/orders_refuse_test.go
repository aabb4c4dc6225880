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

// TestResolveOrderRefusesADefectiveOrder: an order an admin recorded that
// has a manifest error, or lacks what it must carry, resolves to a
// refusal with the detail and nothing else; the authority's notice says
// why in words and asks for clarification.
func TestResolveOrderRefusesADefectiveOrder(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a := &activities.Activities{DB: db}
		rec := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
		create := func(id string, kind models.OrderKind, ct, redress, urls, scope string) {
			require.NoError(t, store.CreateOrder(ctx, db, models.Order{ID: id, Kind: kind, FiledBy: "admin", FiledByRole: "admin",
				AuthorityName: "BKA", AuthorityContact: "tco@bka.example", MemberState: "DE", ContentType: ct,
				LegalBasis: "Regulation (EU) 2021/784 Art. 3", StatementOfReasons: "glorifies an attack", Redress: redress,
				Reference: "BKA-17", URLs: urls, TerritorialScope: scope, ReceivedAt: rec, Deadline: rec.Add(time.Hour),
				Status: models.OrderReceived}, nil))
		}
		create("ord-m", models.OrderTCORemoval, "scams_fraud", "Verwaltungsgericht", `["https://shop.example/x","ftp://shop.example/y"]`, "everywhere")
		tg, err := a.ResolveOrder(ctx, activities.OrderRef{OrderID: "ord-m"})
		require.NoError(t, err)
		require.Equal(t, models.OrderRefusalManifestError, tg.Refusal)
		require.Contains(t, tg.RefusalDetail, "content_type: a removal order under Regulation (EU) 2021/784 concerns terrorist content only")
		require.Contains(t, tg.RefusalDetail, `urls[1]: "ftp://shop.example/y"`)
		require.Empty(t, tg.Entities, "nothing resolved")

		create("ord-i", models.OrderDSAArt9, "other", "", `["https://shop.example/x"]`, "")
		tg, err = a.ResolveOrder(ctx, activities.OrderRef{OrderID: "ord-i"})
		require.NoError(t, err)
		require.Equal(t, models.OrderRefusalInsufficientInf, tg.Refusal)
		require.Equal(t, "- redress: missing: the information on redress (Regulation (EU) 2022/2065 Art. 9(2)(a)(v))\n"+
			"- territorial_scope: missing: the territorial scope (Regulation (EU) 2022/2065 Art. 9(2)(b))", tg.RefusalDetail)

		n, err := a.SendOrderNotice(ctx, activities.OrderNoticeInput{OrderID: "ord-i", Step: "refused", Kind: activities.NoticeOrderRefused,
			Role: models.RoleAuthority, Facts: map[string]string{"reason": tg.Refusal, "detail": tg.RefusalDetail}})
		require.NoError(t, err)
		var mail models.Notice
		require.NoError(t, db.First(&mail, "id = ?", n.NoticeID).Error)
		require.Equal(t, "tco@bka.example", mail.To)
		require.Contains(t, mail.BodyText, "Reason: the order does not contain sufficient information.")
		require.Contains(t, mail.BodyText, "- redress: missing")
		require.Contains(t, mail.BodyText, "We ask you to clarify the order")
		require.Contains(t, mail.BodyText, "your reference BKA-17")
		require.Contains(t, mail.BodyText, "Art. 9(1)")

		n, err = a.SendOrderNotice(ctx, activities.OrderNoticeInput{OrderID: "ord-m", Step: "refused", Kind: activities.NoticeOrderRefused,
			Role: models.RoleAuthority, Facts: map[string]string{"reason": models.OrderRefusalManifestError, "detail": "- content_type: ..."}})
		require.NoError(t, err)
		mail = models.Notice{}
		require.NoError(t, db.First(&mail, "id = ?", n.NoticeID).Error)
		require.Contains(t, mail.BodyText, "Reason: the order contains manifest errors.")
		require.Contains(t, mail.BodyText, "Art. 3(8), Annex III")
		require.Contains(t, mail.BodyText, "runs from\nthe moment we receive the necessary clarification")
	})
}
