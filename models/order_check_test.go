package models

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOrderDefectsByKind: what each kind must carry (README "Order
// refusals") and the manifest errors found from the order itself.
func TestOrderDefectsByKind(t *testing.T) {
	good := Order{AuthorityName: "BKA", AuthorityContact: "tco@bka.example", MemberState: "DE", ContentType: "terrorist_content",
		LegalBasis: "Regulation (EU) 2021/784 Art. 3", StatementOfReasons: "glorifies an attack", Redress: "Verwaltungsgericht",
		URLs: `["https://shop.example/a"]`, TerritorialScope: "DE"}
	for _, k := range OrderKinds {
		o := good
		o.Kind = k
		require.Empty(t, o.Defects(), k)
	}
	bare := Order{URLs: `[]`}
	for _, tc := range []struct {
		kind   OrderKind
		fields []string
	}{
		{OrderDSAArt9, []string{"authority.name", "legal_basis", "statement_of_reasons", "redress", "urls", "territorial_scope"}},
		{OrderDSAArt10, []string{"authority.name", "legal_basis", "statement_of_reasons", "redress", "urls"}},
		{OrderTCORemoval, []string{"authority.name", "legal_basis", "statement_of_reasons", "redress", "urls"}},
		{OrderCourt, []string{"authority.name", "legal_basis", "statement_of_reasons", "urls", "territorial_scope"}},
	} {
		o := bare
		o.Kind = tc.kind
		var fields []string
		for _, d := range o.Defects() {
			require.Equal(t, OrderRefusalInsufficientInf, d.Reason, d.Field)
			fields = append(fields, d.Field)
		}
		require.Equal(t, tc.fields, fields, tc.kind)
	}

	for _, tc := range []struct {
		name, field, reason string
		change              func(*Order)
	}{
		{"a removal order about scams", "content_type", OrderRefusalManifestError, func(o *Order) { o.ContentType = "scams_fraud" }},
		{"a removal order on another legal basis", "legal_basis", OrderRefusalInsufficientInf, func(o *Order) { o.LegalBasis = "§ 129a StGB" }},
		{"a URL without a host", "urls[1]", OrderRefusalManifestError, func(o *Order) { o.URLs = `["https://shop.example/a","https:///a"]` }},
		{"a mail address for a URL", "urls[0]", OrderRefusalManifestError, func(o *Order) { o.URLs = `["mailto:x@shop.example"]` }},
		{"a region for a country", "territorial_scope[1]", OrderRefusalManifestError, func(o *Order) { o.TerritorialScope = "DE,EU" }},
		{"everywhere and a country", "territorial_scope[0]", OrderRefusalManifestError, func(o *Order) { o.TerritorialScope = "EVERYWHERE,DE" }},
	} {
		o := good
		o.Kind = OrderTCORemoval
		tc.change(&o)
		ds := o.Defects()
		require.Len(t, ds, 1, tc.name)
		require.Equal(t, tc.field, ds[0].Field, tc.name)
		reason, detail := OrderRefusal(ds)
		require.Equal(t, tc.reason, reason, tc.name)
		require.Contains(t, detail, tc.field+": ", tc.name)
	}

	// Manifest errors win over missing elements; the detail stays bounded.
	o := good
	o.Kind, o.Redress = OrderDSAArt9, ""
	o.URLs = `["ftp://a"` + repeatURL(300) + `]`
	reason, detail := OrderRefusal(o.Defects())
	require.Equal(t, OrderRefusalManifestError, reason)
	require.Contains(t, detail, "redress: missing")
	require.Contains(t, detail, "more")
	require.LessOrEqual(t, len(detail), 2000)
}

func repeatURL(n int) string {
	s := ""
	for i := 0; i < n; i++ {
		s += `,"ftp://b"`
	}
	return s
}
