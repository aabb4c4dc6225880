package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// seedAccounts loads two accounts (a1: one.example, a2: two.example) and
// four cases: c1 lead a1; c2 lead a2 with a URL of one.example too; c3
// lead a2 only; c4 lead a2 with a mitigation on a1.
func seedAccounts(t *testing.T, db *gorm.DB) {
	doc := &store.CustomerDoc{Accounts: []store.AccountDoc{
		{ID: "a1", OperatorEmail: "op@one.example", Domains: []store.DomainDoc{{Name: "one.example", Services: []string{"cdn"}}}},
		{ID: "a2", OperatorEmail: "op@two.example", Domains: []store.DomainDoc{{Name: "two.example", Services: []string{"cdn"}}}},
	}}
	require.Empty(t, store.ValidateCustomers(doc))
	_, err := store.LoadCustomers(db, doc, nil)
	require.NoError(t, err)
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	cases := []models.Case{
		{ID: "c1", AccountID: "a1", Domain: "one.example", Category: models.CategoryPhishing, Status: models.StatusClosed, CreatedAt: t0},
		{ID: "c2", AccountID: "a2", Domain: "two.example", Category: models.CategoryCopyright, Status: models.StatusAwaitingAnalyst, CreatedAt: t0.Add(time.Hour)},
		{ID: "c3", AccountID: "a2", Domain: "two.example", Category: models.CategoryMalware, Status: models.StatusClosed, CreatedAt: t0.Add(2 * time.Hour)},
		{ID: "c4", AccountID: "a2", Domain: "two.example", Category: models.CategoryMalware, Status: models.StatusClosed, CreatedAt: t0.Add(3 * time.Hour)},
	}
	require.NoError(t, db.Create(&cases).Error)
	urls := []models.CaseURL{
		{CaseID: "c1", Seq: 0, URL: "https://www.one.example/a", Host: "www.one.example"},
		{CaseID: "c2", Seq: 0, URL: "https://two.example/x", Host: "two.example"},
		{CaseID: "c2", Seq: 1, URL: "https://one.example/y", Host: "one.example"},
		{CaseID: "c3", Seq: 0, URL: "https://two.example/z", Host: "two.example"},
	}
	require.NoError(t, db.Create(&urls).Error)
	ms := []models.Mitigation{
		{ID: "m1", CaseID: "c1", Step: "s1", AccountID: "a1", Domain: "one.example", Type: models.MitigationPhishingInterstitial,
			EntityType: models.EntityURLPattern, EntityID: "https://www.one.example/a", Status: models.MitigationActive, EffectiveDate: t0},
		{ID: "m2", CaseID: "c1", Step: "s2", AccountID: "a1", Domain: "one.example", Type: models.MitigationLegalBlock,
			EntityType: models.EntityZone, EntityID: "one.example", Status: models.MitigationPending, EffectiveDate: t0.Add(48 * time.Hour)},
		{ID: "m3", CaseID: "c4", Step: "s1", AccountID: "a1", Domain: "one.example", Type: models.MitigationContentDisabled,
			EntityType: models.EntityURLPattern, EntityID: "https://one.example/q", Status: models.MitigationInReview, EffectiveDate: t0},
		{ID: "m4", CaseID: "c3", Step: "s1", AccountID: "a2", Domain: "two.example", Type: models.MitigationLegalBlock,
			EntityType: models.EntityURLPattern, EntityID: "https://two.example/z", Status: models.MitigationActive, EffectiveDate: t0},
	}
	require.NoError(t, db.Create(&ms).Error)
	ns := []models.Notice{
		{ID: "n1", CaseID: "c1", Step: "fwd:one.example", RecipientRole: models.RoleOperator, To: "op@one.example", Domain: "one.example", Status: models.NoticeSent, CreatedAt: t0},
		{ID: "n2", CaseID: "c1", Step: "host", RecipientRole: models.RoleHostingProvider, To: "abuse@host.example", Domain: "one.example", Status: models.NoticeSent, CreatedAt: t0},
		{ID: "n3", CaseID: "c2", Step: "fwd:two.example", RecipientRole: models.RoleOperator, To: "op@two.example", Domain: "two.example", Status: models.NoticeSent, CreatedAt: t0},
		{ID: "n4", CaseID: "c2", Step: "fwd:one.example", RecipientRole: models.RoleOperator, To: "op@one.example", Domain: "one.example", Status: models.NoticeOutbox, CreatedAt: t0},
	}
	require.NoError(t, db.Create(&ns).Error)
}

// TestAccountCases (docs/DESIGN.md "Customer accounts"): an account's
// reports are those it leads, those with a URL on its domains and those
// with a mitigation on it; filters, paging, counts and the notices to it.
func TestAccountCases(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		seedAccounts(t, db)
		ds, err := store.AccountDomains(ctx, db, "a1")
		require.NoError(t, err)
		require.Equal(t, []string{"one.example"}, ds)

		ids := func(cs []models.Case) []string {
			out := []string{}
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		f := store.AccountCaseFilter{Account: "a1", Domains: ds, Order: "created_at", Limit: 10}
		cs, total, err := store.AccountCases(ctx, db, f)
		require.NoError(t, err)
		require.Equal(t, []string{"c1", "c2", "c4"}, ids(cs))
		require.EqualValues(t, 3, total)

		f.Desc, f.Limit, f.Offset = true, 2, 0
		cs, total, err = store.AccountCases(ctx, db, f)
		require.NoError(t, err)
		require.Equal(t, []string{"c4", "c2"}, ids(cs))
		require.EqualValues(t, 3, total, "the count ignores paging")
		f.Offset = 2
		cs, _, err = store.AccountCases(ctx, db, f)
		require.NoError(t, err)
		require.Equal(t, []string{"c1"}, ids(cs))

		g := store.AccountCaseFilter{Account: "a1", Domains: ds, Limit: 10, Categories: []models.Category{models.CategoryCopyright}}
		cs, _, err = store.AccountCases(ctx, db, g)
		require.NoError(t, err)
		require.Equal(t, []string{"c2"}, ids(cs))
		g = store.AccountCaseFilter{Account: "a1", Domains: ds, Limit: 10, Categories: []models.Category{}}
		cs, total, err = store.AccountCases(ctx, db, g)
		require.NoError(t, err)
		require.Empty(t, cs)
		require.Zero(t, total)
		g = store.AccountCaseFilter{Account: "a1", Domains: ds, Limit: 10, MitigationStatus: models.MitigationInReview}
		cs, _, err = store.AccountCases(ctx, db, g)
		require.NoError(t, err)
		require.Equal(t, []string{"c4"}, ids(cs))
		g = store.AccountCaseFilter{Account: "a1", Domains: ds, Limit: 10, Domain: "www.one.example"}
		cs, _, err = store.AccountCases(ctx, db, g)
		require.NoError(t, err)
		require.Equal(t, []string{"c1"}, ids(cs))
		after := time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC)
		g = store.AccountCaseFilter{Account: "a1", Domains: ds, Limit: 10, CreatedAfter: &after, Statuses: []models.Status{models.StatusClosed}}
		cs, _, err = store.AccountCases(ctx, db, g)
		require.NoError(t, err)
		require.Equal(t, []string{"c4"}, ids(cs))

		// Another account's case is not found.
		_, err = store.AccountCase(ctx, db, "a1", ds, "c3")
		require.ErrorIs(t, err, gorm.ErrRecordNotFound)
		c2, err := store.AccountCase(ctx, db, "a1", ds, "c2")
		require.NoError(t, err)
		urls, err := store.AccountCaseURLs(ctx, db, "c2", ds, 10)
		require.NoError(t, err)
		require.Equal(t, []string{"https://one.example/y"}, urls, "only the account's URLs")

		counts, err := store.AccountMitigationCounts(ctx, db, "a1", []string{"c1", "c2", "c4"})
		require.NoError(t, err)
		require.EqualValues(t, 1, counts["c1"].ByStatus[models.MitigationActive])
		require.EqualValues(t, 1, counts["c1"].ByStatus[models.MitigationPending])
		require.EqualValues(t, 1, counts["c1"].URLs)
		require.True(t, counts["c1"].HostNotified)
		require.False(t, counts["c2"].HostNotified)
		require.EqualValues(t, 1, counts["c4"].ByStatus[models.MitigationInReview])

		ms, total, err := store.AccountMitigations(ctx, db, store.MitigationQuery{Account: "a1", CaseID: "c1", Limit: 10, Order: "type"})
		require.NoError(t, err)
		require.EqualValues(t, 2, total)
		require.Equal(t, "m2", ms[0].ID, "legal_block sorts before phishing_interstitial")
		ms, _, err = store.AccountMitigations(ctx, db, store.MitigationQuery{Account: "a2", CaseID: "c1", Limit: 10})
		require.NoError(t, err)
		require.Empty(t, ms, "another account's mitigations are not listed")

		ns, err := store.AccountNotices(ctx, db, c2, "a1", ds)
		require.NoError(t, err)
		require.Len(t, ns, 1)
		require.Equal(t, "n4", ns[0].ID, "only the notice to a1's operator")
	})
}

// TestAbuseContactAndIssuedKeys: the contact is set, changed and
// cleared; an issued key is found by hash until revoked, names never reused.
func TestAbuseContactAndIssuedKeys(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		e, err := store.AbuseContactOf(ctx, db, "a1")
		require.NoError(t, err)
		require.Empty(t, e)
		require.NoError(t, store.SetAbuseContact(ctx, db, "a1", "abuse@one.example", "t", nil))
		require.NoError(t, store.SetAbuseContact(ctx, db, "a1", "abuse2@one.example", "t", nil))
		e, err = store.AbuseContactOf(ctx, db, "a1")
		require.NoError(t, err)
		require.Equal(t, "abuse2@one.example", e)
		require.NoError(t, store.SetAbuseContact(ctx, db, "a1", "", "t", nil))
		e, _ = store.AbuseContactOf(ctx, db, "a1")
		require.Empty(t, e)

		k := models.IssuedKey{Name: "k1", Hash: "ab", Role: "customer", AccountID: "a1", CreatedAt: time.Now()}
		require.NoError(t, store.IssueKey(ctx, db, k, nil))
		require.ErrorIs(t, store.IssueKey(ctx, db, k, nil), store.ErrKeyExists)
		got, ok, err := store.IssuedKeyByHash(ctx, db, "ab")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "a1", got.AccountID)
		require.NoError(t, store.RevokeKey(ctx, db, "k1", time.Now(), nil))
		_, ok, err = store.IssuedKeyByHash(ctx, db, "ab")
		require.NoError(t, err)
		require.False(t, ok, "a revoked key authenticates nothing")
		require.ErrorIs(t, store.RevokeKey(ctx, db, "k1", time.Now(), nil), gorm.ErrRecordNotFound)
	})
}
