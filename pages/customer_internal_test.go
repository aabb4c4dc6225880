package pages

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// TestPortalFilter: the reports list's filter is bounded and every problem
// named beside its field; a page link keeps the filter.
func TestPortalFilter(t *testing.T) {
	f, errs := readPortalFilter(url.Values{"domain": {" Shop.Example "}, "type": {"PHISH"}, "status": {"accepted"},
		"mitigation_status": {"in_review"}, "created_after": {"2026-11-01"}, "created_before": {"2026-12-01"}, "page": {"2"}})
	require.Empty(t, errs)
	require.Equal(t, "shop.example", f.Domain)
	require.Equal(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), f.After)
	require.Equal(t, 2, f.Page)
	q, err := url.ParseQuery(strings.TrimPrefix(f.query(3), "/portal?"))
	require.NoError(t, err)
	require.Equal(t, url.Values{"domain": {"shop.example"}, "type": {"PHISH"}, "status": {"accepted"}, "mitigation_status": {"in_review"},
		"created_after": {"2026-11-01"}, "created_before": {"2026-12-01"}, "page": {"3"}}, q)
	require.Equal(t, "/portal", portalFilter{}.query(1))

	f, errs = readPortalFilter(url.Values{"domain": {strings.Repeat("a", 300)}, "type": {"<script>"}, "status": {"closed"},
		"mitigation_status": {"gone"}, "created_after": {"yesterday"}, "created_before": {"2026-13-01"}, "page": {"0"}})
	for _, field := range []string{"domain", "type", "status", "mitigation_status", "created_after", "created_before", "page"} {
		require.True(t, errs.Has(field), field)
	}
	require.Len(t, f.Domain, 255)
	require.Empty(t, f.Type)
	require.Equal(t, 1, f.Page)

	_, errs = readPortalFilter(url.Values{"created_after": {"2026-12-01"}, "created_before": {"2026-12-01"}})
	require.True(t, errs.Has("created_before"), "an empty range")
}

// TestPortalAppealForm: an appeal names at least one mitigation (each
// once), a reason of the two, and a statement of at most 5000 characters.
func TestPortalAppealForm(t *testing.T) {
	a, errs := readAppeal(url.Values{"mitigation_id": {"m1", "m2", "m1", ""}, "reason": {"misclassified"}, "statement": {" It is our own bank. "}})
	require.Empty(t, errs)
	require.Equal(t, appealForm{IDs: []string{"m1", "m2"}, Reason: "misclassified", Statement: "It is our own bank."}, a)

	_, errs = readAppeal(url.Values{"reason": {"because"}, "statement": {strings.Repeat("é", 5001)}})
	require.Equal(t, []string{"Tick the mitigations you appeal."}, errs["mitigation_id"])
	require.Equal(t, []string{"Choose why you appeal."}, errs["reason"])
	require.Contains(t, errs["statement"][0], "5001 characters")

	many := url.Values{"reason": {"removed"}}
	for i := 0; i < 150; i++ {
		many.Add("mitigation_id", "m"+strings.Repeat("x", i%60)+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	a, errs = readAppeal(many)
	require.True(t, errs.Has("mitigation_id"))
	require.Len(t, a.IDs, maxAppealPicks)

	require.Equal(t, fieldErrors{"reason": {"bad"}, "mitigation_id": {"gone", "not yours"}},
		appealProblems([]models.FieldError{{Field: "appeals[0].reason", Message: "bad"}, {Field: "appeals[1].id", Message: "gone"}, {Field: "", Message: "not yours"}}))
}

// TestPortalContactForm: one address or nothing.
func TestPortalContactForm(t *testing.T) {
	e, errs := readContact(url.Values{"email": {" abuse@shop.example "}})
	require.Empty(t, errs)
	require.Equal(t, "abuse@shop.example", e)
	e, errs = readContact(url.Values{})
	require.Empty(t, errs)
	require.Empty(t, e)
	for _, bad := range []string{"abuse", "@shop.example", "abuse@", "a@b.example, c@d.example", "<a@b.example>", strings.Repeat("a", 250) + "@b.example"} {
		_, errs = readContact(url.Values{"email": {bad}})
		require.True(t, errs.Has("email"), bad)
	}
}

// TestMitigationWords: what a mitigation does and covers, in words a
// customer reads.
func TestMitigationWords(t *testing.T) {
	for _, typ := range models.MitigationTypes {
		require.NotEqual(t, string(typ), mitigationWord(typ), "every type has words: %s", typ)
	}
	require.Equal(t, "the page https://pages.example/login", coverage(models.Mitigation{EntityType: models.EntityURLPattern, EntityID: "https://pages.example/login"}))
	require.Equal(t, "every page under https://pages.example/kit/", coverage(models.Mitigation{EntityType: models.EntityURLPattern, EntityID: "https://pages.example/kit/*"}))
	require.Equal(t, "the whole domain shop.example", coverage(models.Mitigation{EntityType: models.EntityZone, EntityID: "shop.example"}))
	require.Equal(t, "your whole account (acct-cdn)", coverage(models.Mitigation{EntityType: models.EntityAccount, EntityID: "acct-cdn"}))
	require.Equal(t, "the whole domain shop.example, in DE, FR", coverage(models.Mitigation{Type: models.MitigationLegalBlock,
		EntityType: models.EntityZone, EntityID: "shop.example", Countries: "DE,FR"}))

	now := time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)
	later := now.Add(48 * time.Hour)
	require.Equal(t, "Takes effect on 2026-12-08 05:00 UTC unless the problem is fixed first.",
		statusNote(models.Mitigation{Status: models.MitigationPending, EffectiveDate: later}, now))
	require.Contains(t, statusNote(models.Mitigation{Status: models.MitigationInReview, ReviewDeadline: &later}, now), "2026-12-08 05:00 UTC")
	require.True(t, appealable(models.MitigationActive))
	require.False(t, appealable(models.MitigationPending), "not in force yet")
	require.False(t, appealable(models.MitigationInReview))
	require.False(t, appealable(models.MitigationRemoved))
	require.Equal(t, "Bounced", deliveryWord(models.NoticeBounced))
}

// TestSafePortalNext: a sign-in redirect stays on the portal.
func TestSafePortalNext(t *testing.T) {
	for in, want := range map[string]string{
		"/portal/reports/R1":    "/portal/reports/R1",
		"/portal?type=PHISH":    "/portal?type=PHISH",
		"/portal/login":         "/portal",
		"//evil.example/portal": "/portal",
		"/console":              "/portal",
		"/portal\\@evil":        "/portal",
		"":                      "/portal",
	} {
		require.Equal(t, want, safePortalNext(in), in)
	}
}
