package models

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestScopeProblem: a path prefix must lie within a hosted object of the
// case and cover a reported URL; a query or a non-URL is refused.
func TestScopeProblem(t *testing.T) {
	objs := []HostedObject{{ObjectID: "site", Domain: "pages.example", URLPrefix: "https://pages.example/"},
		{ObjectID: "bank", Domain: "bank.example", URLPrefix: "https://bank.example/app/"}}
	reported := []string{"https://pages.example/secure-bank/login.html", "https://bank.example/app/x"}
	for prefix, ok := range map[string]bool{
		"https://pages.example/secure-bank/":  true,
		"https://pages.example/secure-bank/*": true,
		"https://PAGES.example/./secure-bank": true,
		"http://pages.example/secure-bank/":   true,
		"https://bank.example/app/":           true,
		"https://bank.example/":               false, // wider than the object
		"https://pages.example/other/":        false, // covers no reported URL
		"https://pages.example/secure-bank/?": false,
		"ftp://pages.example/":                false,
		"not a url":                           false,
	} {
		require.Equal(t, ok, ScopeProblem(objs, reported, prefix) == "", "%s: %s", prefix, ScopeProblem(objs, reported, prefix))
	}
	require.Equal(t, []Coverage{{EntityID: "https://pages.example/secure-bank/*", ObjectID: "site", Domain: "pages.example"}},
		CoveredEntities(objs, reported, " https://pages.example/secure-bank/ "))
}

// TestEntityCovers: exact URLs (any query, or that query), prefixes and
// zones with their subdomains.
func TestEntityCovers(t *testing.T) {
	for _, tc := range []struct {
		t    MitigationEntity
		id   string
		url  string
		want bool
	}{
		{EntityURLPattern, "https://x.example/a.html", "https://x.example/a.html", true},
		{EntityURLPattern, "https://x.example/a.html", "https://x.example/a.html?q=1", true},
		{EntityURLPattern, "https://x.example/a.html", "https://x.example/a.htmlx", false},
		{EntityURLPattern, "https://x.example/a.html?q=1", "https://x.example/a.html?q=1", true},
		{EntityURLPattern, "https://x.example/a.html?q=1", "https://x.example/a.html?q=2", false},
		{EntityURLPattern, "https://x.example/a.html?q=1", "https://x.example/a.html", false},
		{EntityURLPattern, "https://x.example/d/*", "https://x.example/d/e/f", true},
		{EntityURLPattern, "https://x.example/d/*", "https://x.example/d", true},
		{EntityURLPattern, "https://x.example/d/*", "https://x.example/dd/", false},
		{EntityZone, "x.example", "https://x.example/", true},
		{EntityZone, "x.example", "https://a.b.x.example:8443/p", true},
		{EntityZone, "x.example", "https://ax.example/", false},
		{EntityAccount, "acct", "https://x.example/", false},
	} {
		require.Equal(t, tc.want, EntityCovers(tc.t, tc.id, tc.url), "%s %s %s", tc.t, tc.id, tc.url)
	}
}
