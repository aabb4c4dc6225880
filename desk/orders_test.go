package desk

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func goodOrder(now time.Time) OrderRequest {
	rec := now.Add(-time.Minute)
	return OrderRequest{Kind: "tco_removal", Authority: OrderAuthority{Name: "BKA", Contact: "tco@bka.example"},
		MemberState: "de", LegalBasis: "Regulation (EU) 2021/784 Art. 3", StatementOfReasons: "terrorist content",
		Redress: "Verwaltungsgericht Wiesbaden, one month", URLs: []string{"https://shop.example/a"}, TerritorialScope: OrderScope{"de", "fr"}, ReceivedAt: &rec}
}

// TestValidateOrderListsEveryProblem: every field is checked and every
// problem named, in field order.
func TestValidateOrderListsEveryProblem(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	r := goodOrder(now)
	scope, ps := validateOrder(&r, now)
	require.Empty(t, ps)
	require.Equal(t, "DE,FR", scope)
	require.Equal(t, "DE", r.MemberState)

	r = goodOrder(now)
	r.TerritorialScope = OrderScope{"Everywhere"}
	scope, ps = validateOrder(&r, now)
	require.Empty(t, ps)
	require.Equal(t, "everywhere", scope)

	future := now.Add(OrderClockSkew + time.Second)
	before := now.Add(-time.Hour)
	urls := make([]string, MaxOrderURLs+1)
	for i := range urls {
		urls[i] = "https://shop.example/x"
	}
	bad := OrderRequest{Kind: "x", Authority: OrderAuthority{Contact: "Name <a@b.example>"}, MemberState: "US",
		ContentType: "gossip", LegalBasis: strings.Repeat("l", 501), Redress: strings.Repeat("r", 2001),
		ReferenceURL: "javascript:alert(1)", URLs: urls, TerritorialScope: OrderScope{"everywhere", "ZZ"},
		ReceivedAt: &future, NotifyCustomerAfter: &before}
	_, ps = validateOrder(&bad, now)
	var fields []string
	for _, p := range ps {
		fields = append(fields, p.Field)
	}
	require.Equal(t, []string{"kind", "authority.name", "authority.contact", "member_state", "content_type", "legal_basis",
		"statement_of_reasons", "redress", "decision_ground_reference_url", "urls", "territorial_scope[0]", "territorial_scope[1]",
		"received_at", "notify_customer_after"}, fields)

	dup := goodOrder(now)
	dup.URLs = []string{"https://shop.example/a", "https://SHOP.example/a", "/relative"}
	_, ps = validateOrder(&dup, now)
	require.Len(t, ps, 2)
	require.Equal(t, "urls[1]", ps[0].Field)
	require.Equal(t, "urls[2]", ps[1].Field)

	court := goodOrder(now)
	court.Kind, court.MemberState = "court", "US"
	_, ps = validateOrder(&court, now)
	require.Empty(t, ps, "a court order may come from outside the EU")
	missing := OrderRequest{}
	_, ps = validateOrder(&missing, now)
	require.Len(t, ps, 8, "kind, authority.name, authority.contact, member_state, legal_basis, statement_of_reasons, urls, received_at: %v", ps)
}

// TestOrderScopeTakesStringOrList: territorial_scope is a list of codes
// or the string "everywhere".
func TestOrderScopeTakesStringOrList(t *testing.T) {
	var r OrderRequest
	require.NoError(t, json.Unmarshal([]byte(`{"territorial_scope":"everywhere"}`), &r))
	require.Equal(t, OrderScope{"everywhere"}, r.TerritorialScope)
	require.NoError(t, json.Unmarshal([]byte(`{"territorial_scope":["DE","AT"]}`), &r))
	require.Equal(t, OrderScope{"DE", "AT"}, r.TerritorialScope)
	require.Error(t, json.Unmarshal([]byte(`{"territorial_scope":7}`), &r))
}
