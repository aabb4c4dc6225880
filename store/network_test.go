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

// One "not our network" answer per sender per UTC day: the first claim
// wins, a second the same day does not, the next day does again, and a
// released claim (answer not sent) may be made again.
func TestNetworkAnswerOncePerSenderPerDay(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		day := time.Date(2026, 12, 6, 23, 59, 0, 0, time.UTC)
		ok, err := store.ClaimNetworkAnswer(ctx, db, "Scanner.Example", day)
		require.NoError(t, err)
		require.True(t, ok)
		ok, err = store.ClaimNetworkAnswer(ctx, db, "scanner.example", day.Add(-time.Hour))
		require.NoError(t, err)
		require.False(t, ok, "the same sender the same day")
		ok, err = store.ClaimNetworkAnswer(ctx, db, "other.example", day)
		require.NoError(t, err)
		require.True(t, ok, "another sender")
		ok, err = store.ClaimNetworkAnswer(ctx, db, "scanner.example", day.Add(2*time.Minute))
		require.NoError(t, err)
		require.True(t, ok, "the next UTC day")
		require.NoError(t, store.ReleaseNetworkAnswer(ctx, db, "other.example", day))
		ok, err = store.ClaimNetworkAnswer(ctx, db, "other.example", day)
		require.NoError(t, err)
		require.True(t, ok, "released: may be answered again")
		n, err := store.CountNetworkAnswers(ctx, db, day)
		require.NoError(t, err)
		require.Equal(t, int64(2), n)
	})
}

// Origins are matched exactly (203.0.113.5 is not 203.0.113.50), IPv6 in
// canonical form; the own networks are those of provider_name.
func TestDomainsWithOriginsAndOwnNetworks(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		_, err := store.LoadCustomers(db, &store.CustomerDoc{Accounts: []store.AccountDoc{{ID: "a", OperatorEmail: "op@a.example",
			Domains: []store.DomainDoc{
				{Name: "one.example", Services: []string{"cdn"}, OriginIPs: []string{"203.0.113.50", "2001:DB8::1"}},
				{Name: "two.example", Services: []string{"cdn"}, OriginIPs: []string{"203.0.113.50"}}}}},
			Networks: []store.NetworkDoc{{CIDR: "198.51.100.0/24", Provider: "Example Networks", AbuseEmail: "abuse@example.net"},
				{CIDR: "192.0.2.0/24", Provider: "Someone Else", AbuseEmail: "abuse@else.example"}}}, nil)
		require.NoError(t, err)
		got, err := store.DomainsWithOrigins(ctx, db, []string{"203.0.113.5", "203.0.113.50", "2001:db8::1"})
		require.NoError(t, err)
		names := func(ds []models.Domain) []string {
			var out []string
			for _, d := range ds {
				out = append(out, d.Name)
			}
			return out
		}
		require.Empty(t, got["203.0.113.5"])
		require.Equal(t, []string{"one.example", "two.example"}, names(got["203.0.113.50"]))
		require.Equal(t, []string{"one.example"}, names(got["2001:db8::1"]))
		own, err := store.OwnNetworks(ctx, db, "example networks")
		require.NoError(t, err)
		require.Len(t, own, 1)
		require.Equal(t, "198.51.100.0/24", own[0].String())
		none, err := store.OwnNetworks(ctx, db, "")
		require.NoError(t, err)
		require.Empty(t, none)
	})
}
