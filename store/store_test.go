package store_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/internal/pgtest"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// eachDB runs f on a fresh SQLite file and a fresh PostgreSQL database.
func eachDB(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "t.db"), "")
		require.NoError(t, err)
		require.NoError(t, store.Migrate(db))
		f(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		db, err := store.Open(pgtest.DB(t), "")
		require.NoError(t, err)
		t.Cleanup(func() {
			if s, err := db.DB(); err == nil {
				s.Close()
			}
		})
		require.NoError(t, store.Migrate(db))
		f(t, db)
	})
}

func doc() *store.CustomerDoc {
	return &store.CustomerDoc{
		Accounts: []store.AccountDoc{{ID: "a1", Name: "One", OperatorEmail: "op@one.example", Domains: []store.DomainDoc{
			{Name: "Bücher.Example", Services: []string{"cdn", "hosting:pages"}, OriginIPs: []string{"203.0.113.5"},
				Hosted: []store.HostedDoc{{URLPrefix: "https://xn--bcher-kva.example/", Product: "pages", ObjectID: "o1"}}},
		}}},
		Networks: []store.NetworkDoc{{CIDR: "203.0.113.0/24", Provider: "Host Co", AbuseEmail: "abuse@host.example"}},
	}
}

func TestMigrateTwiceAndLoadCustomers(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		require.NoError(t, store.Migrate(db), "migrations are safe to run again")
		d := doc()
		require.Empty(t, store.ValidateCustomers(d))
		res, err := store.LoadCustomers(db, d, nil)
		require.NoError(t, err)
		require.Equal(t, store.LoadResult{Accounts: 1, Domains: 1, Hosted: 1, Networks: 1}, res)

		// Upsert by id: a second load changes, never duplicates.
		d2 := doc()
		d2.Accounts[0].OperatorEmail = "new@one.example"
		require.Empty(t, store.ValidateCustomers(d2))
		_, err = store.LoadCustomers(db, d2, nil)
		require.NoError(t, err)
		var accts []models.Account
		require.NoError(t, db.Find(&accts).Error)
		require.Len(t, accts, 1)
		require.Equal(t, "new@one.example", accts[0].OperatorEmail)
		var dom models.Domain
		require.NoError(t, db.First(&dom).Error)
		require.Equal(t, "xn--bcher-kva.example", dom.Name, "IDN stored as punycode")
		var n int64
		db.Model(&models.HostedObject{}).Count(&n)
		require.EqualValues(t, 1, n)
	})
}

func TestValidateCustomersListsEveryProblem(t *testing.T) {
	d := &store.CustomerDoc{
		Accounts: []store.AccountDoc{{OperatorEmail: "nope", Domains: []store.DomainDoc{
			{Name: "", Services: []string{"cdn", "hosting:ftp"}, OriginIPs: []string{"300.1.1.1"},
				Hosted: []store.HostedDoc{{URLPrefix: "ftp://x", Product: "pages"}}},
		}}},
		Networks: []store.NetworkDoc{{CIDR: "10.0.0.0/33"}},
	}
	errs := store.ValidateCustomers(d)
	fields := map[string]bool{}
	for _, e := range errs {
		fields[e.Field] = true
	}
	for _, f := range []string{"accounts[0].id", "accounts[0].operator_email", "accounts[0].domains[0].name",
		"accounts[0].domains[0].services[1]", "accounts[0].domains[0].origin_ips[0]",
		"accounts[0].domains[0].hosted[0].object_id", "accounts[0].domains[0].hosted[0].url_prefix",
		"networks[0].cidr", "networks[0].provider"} {
		require.True(t, fields[f], "missing problem for %s in %v", f, errs)
	}
}

func TestNormalizeHost(t *testing.T) {
	for in, want := range map[string]string{
		"Example.COM.":   "example.com",
		"bücher.example": "xn--bcher-kva.example",
		"[2001:db8::1]":  "2001:db8::1",
	} {
		got, err := store.NormalizeHost(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err := store.NormalizeHost("")
	require.Error(t, err)
}
