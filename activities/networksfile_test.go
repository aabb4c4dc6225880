package activities_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestNetworksFileLookup(t *testing.T) {
	// The customer records' shape: {networks: [...]}, YAML.
	path := writeFile(t, "networks.yaml", `networks:
  - cidr: 2001:db8::/32
    provider: Wide Hosting
    abuse_email: abuse@wide.example
  - cidr: 2001:db8:77::/48
    provider: Local Hosting
    abuse_email: abuse@local-hosting.example
  - cidr: 198.51.100.0/24
    provider: Four Hosting
    abuse_email: abuse@four.example
`)
	f, err := activities.LoadNetworksFile(path)
	require.NoError(t, err)
	ctx := context.Background()
	p, err := f.Lookup(ctx, "2001:db8:77::1")
	require.NoError(t, err)
	require.Equal(t, activities.Provider{Name: "Local Hosting", AbuseEmail: "abuse@local-hosting.example",
		Found: true, Source: activities.SourceNetworksFile}, p, "the longest prefix wins")
	p, err = f.Lookup(ctx, "2001:db8:78::1")
	require.NoError(t, err)
	require.Equal(t, "abuse@wide.example", p.AbuseEmail)
	p, err = f.Lookup(ctx, "::ffff:198.51.100.9")
	require.NoError(t, err)
	require.Equal(t, "Four Hosting", p.Name)
	_, err = f.Lookup(ctx, "203.0.113.1")
	require.ErrorIs(t, err, activities.ErrRDAPNotFound)
	_, err = f.Lookup(ctx, "not-an-ip")
	require.Error(t, err)

	// The bare list, JSON.
	path = writeFile(t, "networks.json", `[{"cidr": "203.0.113.0/24", "provider": "J", "abuse_email": "abuse@j.example"}]`)
	f, err = activities.LoadNetworksFile(path)
	require.NoError(t, err)
	p, err = f.Lookup(ctx, "203.0.113.1")
	require.NoError(t, err)
	require.Equal(t, "abuse@j.example", p.AbuseEmail)
}

func TestNetworksFileRefusesBadEntries(t *testing.T) {
	for name, body := range map[string]string{
		"cidr":     "- {cidr: 10.0.0.0/33, provider: P, abuse_email: a@p.example}\n",
		"provider": "- {cidr: 10.0.0.0/8, provider: '', abuse_email: a@p.example}\n",
		"email":    "- {cidr: 10.0.0.0/8, provider: P, abuse_email: 'a@p.example, b@q.example'}\n",
		"shape":    "networks: 7\n",
	} {
		_, err := activities.LoadNetworksFile(writeFile(t, "n.yaml", body))
		require.Error(t, err, name)
	}
	_, err := activities.LoadNetworksFile(filepath.Join(t.TempDir(), "missing.yaml"))
	require.Error(t, err)
}

// TestHostLookupsAskInOrder: the networks file answers before RDAP; RDAP is
// asked only for what the file does not cover.
func TestHostLookupsAskInOrder(t *testing.T) {
	f, err := activities.LoadNetworksFile(writeFile(t, "n.yaml",
		"- {cidr: 45.67.0.0/16, provider: Local, abuse_email: abuse@local.example}\n"))
	require.NoError(t, err)
	srv, paths := rdapAnswering(t)
	c, err := activities.NewRDAPClient(srv.URL+"/", 0)
	require.NoError(t, err)
	h := activities.HostLookups{f, c}
	p, err := h.Lookup(context.Background(), "45.67.1.1")
	require.NoError(t, err)
	require.Equal(t, activities.SourceNetworksFile, p.Source)
	p, err = h.Lookup(context.Background(), "45.68.1.1")
	require.NoError(t, err)
	require.Equal(t, activities.SourceRDAP, p.Source)
	require.Equal(t, []string{"/ip/45.68.1.1"}, *paths)

	// All gives every source's answer, the networks file first.
	all := h.All(context.Background(), "45.67.1.1")
	require.Len(t, all, 2)
	require.Equal(t, "abuse@local.example", all[0].AbuseEmail)
	require.Equal(t, "abuse@example-hosting.example.net", all[1].AbuseEmail)
}
