package activities_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
)

// rdapServer answers RFC 9083 JSON from testdata and counts its requests.
func rdapServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestRDAPLookupFindsNestedAbuseEntity(t *testing.T) {
	body, err := os.ReadFile("testdata/rdap/ipnetwork.json")
	require.NoError(t, err)
	var path string
	srv, n := rdapServer(t, func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		w.Header().Set("Content-Type", "application/rdap+json")
		w.Header().Set("Cache-Control", "max-age=600")
		_, _ = w.Write(body)
	})
	c, err := activities.NewRDAPClient(srv.URL+"/registry/ip/", time.Second)
	require.NoError(t, err)
	p, err := c.Lookup(context.Background(), "203.0.113.7")
	require.NoError(t, err)
	require.Equal(t, "/registry/ip/203.0.113.7", path)
	require.Equal(t, activities.Provider{Name: "EXAMPLE-HOSTING-NET", AbuseEmail: "abuse@example-hosting.example.net",
		Found: true, Source: activities.SourceRDAP, Via: "127.0.0.1"}, p)

	// The answer is cached for its max-age: no second request.
	p2, err := c.Lookup(context.Background(), "203.0.113.7")
	require.NoError(t, err)
	require.Equal(t, p, p2)
	require.Equal(t, int32(1), n.Load())
}

func TestRDAPLookupGivesUpOnSlowServer(t *testing.T) {
	release := make(chan struct{})
	srv, n := rdapServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c, err := activities.NewRDAPClient(srv.URL+"/ip/", 200*time.Millisecond)
	require.NoError(t, err)
	// The test's own context never expires: only the client's timeout ends
	// the lookup (the server waits until released at the test's end).
	_, err = c.Lookup(context.Background(), "198.51.100.9")
	require.Error(t, err)
	require.NotErrorIs(t, err, activities.ErrRDAPNotFound)
	// The failure is remembered: a retry does not wait for the server again.
	_, err = c.Lookup(context.Background(), "198.51.100.9")
	require.Error(t, err)
	require.Equal(t, int32(1), n.Load())
}

func TestRDAPLookupNotFound(t *testing.T) {
	srv, n := rdapServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rdap+json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"rdapConformance":["rdap_level_0"],"errorCode":404,"title":"Not Found"}`))
	})
	c, err := activities.NewRDAPClient(srv.URL+"/", time.Second)
	require.NoError(t, err)
	_, err = c.Lookup(context.Background(), "2001:db8::1")
	require.ErrorIs(t, err, activities.ErrRDAPNotFound)
	_, err = c.Lookup(context.Background(), "2001:db8::1")
	require.ErrorIs(t, err, activities.ErrRDAPNotFound)
	require.Equal(t, int32(1), n.Load(), "a not-found answer is cached too")
}

func TestRDAPLookupRefusesNonIP(t *testing.T) {
	srv, n := rdapServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c, err := activities.NewRDAPClient(srv.URL+"/ip/", time.Second)
	require.NoError(t, err)
	_, err = c.Lookup(context.Background(), "../../evil.example/x")
	require.Error(t, err)
	require.Equal(t, int32(0), n.Load())
}

// FuzzRDAPResponse: whatever the RDAP server answers, a lookup neither
// panics nor reports a provider without an abuse address.
func FuzzRDAPResponse(f *testing.F) {
	var body atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rdap+json")
		_, _ = w.Write(body.Load().([]byte))
	}))
	f.Cleanup(srv.Close)
	f.Fuzz(func(t *testing.T, b []byte) {
		body.Store(b)
		c, err := activities.NewRDAPClient(srv.URL+"/ip/", time.Second)
		require.NoError(t, err)
		p, err := c.Lookup(context.Background(), "192.0.2.1")
		if err == nil {
			require.True(t, p.Found)
			require.Contains(t, p.AbuseEmail, "@")
		}
	})
}
