package desk

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

func problemFields(err error) []string {
	var out []string
	_, ps := Classify(err)
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return out
}

// TestAdminRecordsADefectiveOrder: an order received on paper that lacks
// what it must carry, or has manifest errors, is stored and started (the
// workflow refuses it and asks for clarification); the same order filed
// by an authority's key is a 422 listing every problem; what the admin
// got wrong in transcribing (when it reached us) is still a 422.
func TestAdminRecordsADefectiveOrder(t *testing.T) {
	d, _ := testDesk(t)
	e := &orderEngine{}
	d.Engine = e
	ctx := context.Background()
	admin, bka := OrderCaller{Name: "admin", Role: models.RoleAdmin}, OrderCaller{Name: "bka", Role: RoleAuthority}

	lacking := goodOrder(time.Now().UTC())
	lacking.Kind, lacking.Redress, lacking.StatementOfReasons, lacking.TerritorialScope = "dsa_art9", "", " ", nil
	_, err := d.FileOrder(ctx, bka, lacking)
	require.Equal(t, KindInvalid, kindOf(err))
	require.Equal(t, []string{"statement_of_reasons", "redress", "territorial_scope"}, problemFields(err))
	v, err := d.FileOrder(ctx, admin, lacking)
	require.NoError(t, err, "a received order is stored and answered")
	require.Equal(t, models.OrderReceived, v.Status)
	require.Len(t, e.started, 1)
	o, err := store.Order(ctx, d.DB, v.ID)
	require.NoError(t, err)
	reason, detail := models.OrderRefusal(o.Defects())
	require.Equal(t, models.OrderRefusalInsufficientInf, reason)
	require.Contains(t, detail, "redress: missing: the information on redress (Regulation (EU) 2022/2065 Art. 9(2)(a)(v))")
	require.Contains(t, detail, "territorial_scope: missing")

	wrong := goodOrder(time.Now().UTC())
	wrong.ContentType, wrong.URLs, wrong.TerritorialScope = "scams_fraud", []string{"https://shop.example/a", "ftp://shop.example/b"}, OrderScope{"DE", "Bavaria"}
	_, err = d.FileOrder(ctx, bka, wrong)
	require.Equal(t, []string{"content_type", "urls[1]", "territorial_scope[1]"}, problemFields(err))
	v, err = d.FileOrder(ctx, admin, wrong)
	require.NoError(t, err)
	o, err = store.Order(ctx, d.DB, v.ID)
	require.NoError(t, err)
	require.Equal(t, "DE,BAVARIA", o.TerritorialScope, "kept as the order gave it")
	reason, detail = models.OrderRefusal(o.Defects())
	require.Equal(t, models.OrderRefusalManifestError, reason)
	require.Contains(t, detail, "terrorist content only")
	require.Contains(t, detail, `urls[1]: "ftp://shop.example/b" is not an absolute http(s) URL naming a host`)
	require.Contains(t, detail, `territorial_scope[1]: "BAVARIA" is not an ISO 3166-1 alpha-2 code`)

	typo := goodOrder(time.Now().UTC())
	future := time.Now().Add(time.Hour)
	typo.ReceivedAt, typo.Authority.Contact = &future, ""
	_, err = d.FileOrder(ctx, admin, typo)
	require.Equal(t, []string{"authority.contact", "received_at"}, problemFields(err), "the admin's own facts are checked")

	// A removal order and an information order carry no territorial
	// scope: applied everywhere (Regulation (EU) 2021/784 Art. 3(3)).
	tco := goodOrder(time.Now().UTC())
	tco.TerritorialScope = nil
	v, err = d.FileOrder(ctx, bka, tco)
	require.NoError(t, err)
	require.Equal(t, []string{"everywhere"}, v.TerritorialScope)
	require.Len(t, e.started, 3)
}
