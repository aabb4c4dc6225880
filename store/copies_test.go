package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// TestIdenticalCopies: the hosted objects of any account with the content
// hash of a reported object, the reported ones left out, objects without
// a hash never matched, an object blocked for another case left to it,
// bounded by the limit.
func TestIdenticalCopies(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		h1, h2 := strings.Repeat("a1", 32), strings.Repeat("b2", 32)
		for _, o := range []models.HostedObject{
			{ObjectID: "rep", Domain: "one.example", AccountID: "a1", URLPrefix: "https://one.example/x/", ContentHash: h1},
			{ObjectID: "rep-nohash", Domain: "one.example", AccountID: "a1", URLPrefix: "https://one.example/y/"},
			{ObjectID: "copy-a", Domain: "two.example", AccountID: "a2", URLPrefix: "https://two.example/x/", ContentHash: h1},
			{ObjectID: "copy-b", Domain: "one.example", AccountID: "a1", URLPrefix: "https://one.example/z/", ContentHash: h1},
			{ObjectID: "copy-blocked", Domain: "three.example", AccountID: "a3", URLPrefix: "https://three.example/", ContentHash: h1},
			{ObjectID: "other", Domain: "two.example", AccountID: "a2", URLPrefix: "https://two.example/o/", ContentHash: h2},
			{ObjectID: "nohash", Domain: "two.example", AccountID: "a2", URLPrefix: "https://two.example/n/"},
		} {
			require.NoError(t, db.Create(&o).Error)
		}
		require.NoError(t, db.Create(&models.Block{ObjectID: "copy-blocked", CaseID: "c-other"}).Error)
		require.NoError(t, db.Create(&models.Block{ObjectID: "copy-b", CaseID: "c1"}).Error)
		ctx := context.Background()

		got, err := store.IdenticalCopies(ctx, db, "c1", []string{"rep", "rep-nohash"}, 0)
		require.NoError(t, err)
		require.Equal(t, []string{"copy-a", "copy-b"}, objectIDs(got), "a copy this case blocked stays one")
		require.Equal(t, "a2", got[0].AccountID)

		got, err = store.IdenticalCopies(ctx, db, "c1", []string{"rep"}, 1)
		require.NoError(t, err)
		require.Equal(t, []string{"copy-a"}, objectIDs(got))

		got, err = store.IdenticalCopies(ctx, db, "c1", []string{"rep-nohash"}, 0)
		require.NoError(t, err)
		require.Empty(t, got)
		got, err = store.IdenticalCopies(ctx, db, "c1", nil, 0)
		require.NoError(t, err)
		require.Empty(t, got)
	})
}

// TestCustomerContentHash: the customer records carry an optional hex
// SHA-256 per hosted object, stored in lower case; anything else is a
// problem of that field.
func TestCustomerContentHash(t *testing.T) {
	d := doc()
	d.Accounts[0].Domains[0].Hosted[0].ContentHash = strings.Repeat("AB", 32)
	require.Empty(t, store.ValidateCustomers(d))
	require.Equal(t, strings.Repeat("ab", 32), d.Accounts[0].Domains[0].Hosted[0].ContentHash)
	for _, bad := range []string{"abc", strings.Repeat("g", 64), strings.Repeat("a", 65)} {
		d := doc()
		d.Accounts[0].Domains[0].Hosted[0].ContentHash = bad
		errs := store.ValidateCustomers(d)
		require.Len(t, errs, 1, bad)
		require.Equal(t, "accounts[0].domains[0].hosted[0].content_hash", errs[0].Field)
	}
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		d := doc()
		d.Accounts[0].Domains[0].Hosted[0].ContentHash = strings.Repeat("cd", 32)
		require.Empty(t, store.ValidateCustomers(d))
		_, err := store.LoadCustomers(db, d, nil)
		require.NoError(t, err)
		var o models.HostedObject
		require.NoError(t, db.First(&o, "object_id = ?", "o1").Error)
		require.Equal(t, strings.Repeat("cd", 32), o.ContentHash)
	})
}

func objectIDs(os []models.HostedObject) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.ObjectID)
	}
	return out
}

// TestMigrateAddsContentHash: a hosted_objects table from before version
// 24 gets the content hash and its index, and its rows stay.
func TestMigrateAddsContentHash(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			db := freshDB(t, kind)
			require.NoError(t, store.Migrate(db))
			require.NoError(t, db.Create(&models.HostedObject{ObjectID: "o1", URLPrefix: "https://one.example/"}).Error)
			require.NoError(t, db.Migrator().DropIndex(&models.HostedObject{}, "ContentHash"))
			require.NoError(t, db.Migrator().DropColumn(&models.HostedObject{}, "ContentHash"))
			require.NoError(t, db.Exec("DELETE FROM schema_migrations WHERE version = 24").Error)

			require.NoError(t, store.Migrate(db))
			require.True(t, db.Migrator().HasColumn(&models.HostedObject{}, "ContentHash"))
			require.True(t, db.Migrator().HasIndex(&models.HostedObject{}, "ContentHash"))
			var o models.HostedObject
			require.NoError(t, db.First(&o, "object_id = ?", "o1").Error)
			require.Empty(t, o.ContentHash)
		})
	}
}
