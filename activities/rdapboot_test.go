package activities_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
)

// bootstrapFile is a testdata registry with RDAP_A and RDAP_B replaced by
// the base URLs a and b.
func bootstrapFile(t *testing.T, name, a, b string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata/rdap/bootstrap", name))
	require.NoError(t, err)
	return []byte(strings.NewReplacer("RDAP_A", a, "RDAP_B", b).Replace(string(body)))
}

// bootstrapRegistry serves the RFC 9224 files under /rdap/ and counts the
// requests for each.
func bootstrapRegistry(t *testing.T, a, b string) (*httptest.Server, map[string]*atomic.Int32) {
	t.Helper()
	files := map[string][]byte{}
	counts := map[string]*atomic.Int32{}
	for _, n := range []string{"ipv4.json", "ipv6.json"} {
		files["/rdap/"+n] = bootstrapFile(t, n, a, b)
		counts["/rdap/"+n] = &atomic.Int32{}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		counts[r.URL.Path].Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, counts
}

// rdapAnswering is an RDAP server that answers every IP with the testdata
// network and records the paths asked.
func rdapAnswering(t *testing.T) (*httptest.Server, *[]string) {
	t.Helper()
	body, err := os.ReadFile("testdata/rdap/ipnetwork.json")
	require.NoError(t, err)
	var paths []string
	srv, _ := rdapServer(t, func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		w.Header().Set("Content-Type", "application/rdap+json")
		_, _ = w.Write(body)
	})
	return srv, &paths
}

func TestRDAPBootstrapChoosesServerByLongestPrefix(t *testing.T) {
	a, aPaths := rdapAnswering(t)
	b, bPaths := rdapAnswering(t)
	reg, counts := bootstrapRegistry(t, a.URL+"/rdap-a/", b.URL+"/rdap-b")
	c, err := activities.NewRDAPBootstrapClient(reg.URL+"/rdap/", time.Second)
	require.NoError(t, err)
	ctx := context.Background()

	// 45.67.1.7 is in 45.0.0.0/8 (server A) and 45.67.0.0/16 (server B):
	// the longer prefix wins.
	p, err := c.Lookup(ctx, "45.67.1.7")
	require.NoError(t, err)
	require.Equal(t, activities.Provider{Name: "EXAMPLE-HOSTING-NET", AbuseEmail: "abuse@example-hosting.example.net",
		Found: true, Source: activities.SourceRDAP, Via: "127.0.0.1"}, p)
	require.Equal(t, []string{"/rdap-b/ip/45.67.1.7"}, *bPaths)
	_, err = c.Lookup(ctx, "45.1.2.3")
	require.NoError(t, err)
	require.Equal(t, []string{"/rdap-a/ip/45.1.2.3"}, *aPaths)
	_, err = c.Lookup(ctx, "2a10:ffff::7")
	require.NoError(t, err)
	_, err = c.Lookup(ctx, "2a10:1::7")
	require.NoError(t, err)
	require.Equal(t, []string{"/rdap-b/ip/45.67.1.7", "/rdap-b/ip/2a10:ffff::7"}, *bPaths)
	require.Equal(t, []string{"/rdap-a/ip/45.1.2.3", "/rdap-a/ip/2a10:1::7"}, *aPaths)

	// Each registry was read once for all those lookups.
	require.Equal(t, int32(1), counts["/rdap/ipv4.json"].Load())
	require.Equal(t, int32(1), counts["/rdap/ipv6.json"].Load())

	// No entry covers 46.0.0.1; private and documentation addresses are
	// never asked: not found, and no RDAP server hears of them.
	for _, ip := range []string{"46.0.0.1", "10.1.2.3", "192.0.2.7", "2001:db8::7", "::1", "fe80::1"} {
		_, err = c.Lookup(ctx, ip)
		require.ErrorIs(t, err, activities.ErrRDAPNotFound, ip)
	}
	require.Len(t, *aPaths, 2)
	require.Len(t, *bPaths, 2)
}

func TestRDAPBootstrapFromLocalFile(t *testing.T) {
	b, bPaths := rdapAnswering(t)
	// One file holding the entries of both families.
	var v4, v6 map[string]any
	require.NoError(t, json.Unmarshal(bootstrapFile(t, "ipv4.json", "http://127.0.0.1:1/never/", b.URL+"/rdap-b/"), &v4))
	require.NoError(t, json.Unmarshal(bootstrapFile(t, "ipv6.json", "http://127.0.0.1:1/never/", b.URL+"/rdap-b/"), &v6))
	v4["services"] = append(v4["services"].([]any), v6["services"].([]any)...)
	both, err := json.Marshal(v4)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "rdap-bootstrap.json")
	require.NoError(t, os.WriteFile(path, both, 0o600))

	c, err := activities.NewRDAPBootstrapClient(path, time.Second)
	require.NoError(t, err)
	p, err := c.Lookup(context.Background(), "45.67.200.1")
	require.NoError(t, err)
	require.Equal(t, "abuse@example-hosting.example.net", p.AbuseEmail)
	p, err = c.Lookup(context.Background(), "2a10:ffff:1::1")
	require.NoError(t, err)
	require.Equal(t, activities.SourceRDAP, p.Source)
	require.Equal(t, []string{"/rdap-b/ip/45.67.200.1", "/rdap-b/ip/2a10:ffff:1::1"}, *bPaths)

	_, err = activities.NewRDAPBootstrapClient(filepath.Join(t.TempDir(), "missing.json"), time.Second)
	require.Error(t, err)
	_, err = activities.NewRDAPBootstrapClient("ftp://data.iana.org/rdap/", time.Second)
	require.Error(t, err)
}

func TestRDAPBootstrapRegistryDown(t *testing.T) {
	var n atomic.Int32
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer reg.Close()
	c, err := activities.NewRDAPBootstrapClient(reg.URL+"/rdap/", time.Second)
	require.NoError(t, err)
	_, err = c.Lookup(context.Background(), "45.67.1.7")
	require.Error(t, err)
	require.NotErrorIs(t, err, activities.ErrRDAPNotFound)
	// The failure is remembered: neither the same IP nor another of the
	// family reads the registry again at once.
	_, err = c.Lookup(context.Background(), "45.67.1.7")
	require.Error(t, err)
	_, err = c.Lookup(context.Background(), "45.67.1.8")
	require.Error(t, err)
	require.Equal(t, int32(1), n.Load())
}
