package integration

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
)

// TestRDAPBootstrapTellsReporterHowHostWasFound: with rdap_url empty, the
// RDAP server of an origin IP is the one a local RFC 9224 bootstrap
// registry (rdap_bootstrap_url) names for its longest prefix; an origin in
// data_dir/networks.yaml is found there without RDAP; and the reporter's
// reply names each website's hosting provider, its abuse contact and how it
// was found (RDAP and its server, the local networks, the customer records,
// or unknown), while the host notices reach those abuse contacts.
func TestRDAPBootstrapTellsReporterHowHostWasFound(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { rdapBootstrapReply(t, false) })
	t.Run("postgres", func(t *testing.T) { rdapBootstrapReply(t, true) })
}

func rdapBootstrapReply(t *testing.T, postgres bool) {
	body, err := os.ReadFile("../activities/testdata/rdap/ipnetwork.json")
	require.NoError(t, err)
	var mu sync.Mutex
	var asked []string
	rdapSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		if r.URL.Path != "/rdap-b/ip/2a10:ffff::7" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rdap+json")
		_, _ = w.Write(body)
	}))
	defer rdapSrv.Close()
	// The registry: 2a10::/12 to a server that must never be asked (the
	// /32 inside it is longer), 2a10:ffff::/32 to the local RDAP server.
	files := map[string]string{}
	for _, n := range []string{"ipv4.json", "ipv6.json"} {
		b, err := os.ReadFile(filepath.Join("../activities/testdata/rdap/bootstrap", n))
		require.NoError(t, err)
		files["/iana/"+n] = strings.NewReplacer("RDAP_A", rdapSrv.URL+"/rdap-a/", "RDAP_B", rdapSrv.URL+"/rdap-b/").Replace(string(b))
	}
	registry := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(f))
	}))
	defer registry.Close()

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "networks.yaml"), []byte(`networks:
  - cidr: 2001:db8:77::/48
    provider: Local Hosting
    abuse_email: abuse@local-hosting.example
`), 0o600))
	env := testenv.Start(t, testenv.Options{DataDir: dir, Postgres: postgres, Env: map[string]string{
		"ABUSEDESK_RDAP_ENABLED": "true", "ABUSEDESK_RDAP_URL": "",
		"ABUSEDESK_RDAP_BOOTSTRAP_URL": registry.URL + "/iana/", "ABUSEDESK_RDAP_TIMEOUT": "2s"}})
	for _, d := range []models.Domain{
		{Name: "boot-rdap.example", AccountID: "acct-cdn", Services: "cdn", OriginIPs: "2a10:ffff::7"},
		{Name: "boot-file.example", AccountID: "acct-cdn", Services: "cdn", OriginIPs: "2001:db8:77::1"},
		{Name: "boot-none.example", AccountID: "acct-cdn", Services: "cdn", OriginIPs: "2600::1"},
	} {
		require.NoError(t, env.App.DB.Create(&d).Error)
	}

	a := env.File(report("phishing", []string{"https://boot-rdap.example/login", "https://boot-file.example/login",
		"https://boot-none.example/login", "https://shop.example/login"}, false))
	c := env.WaitCase(a.CaseID, 30*time.Second, closed)
	require.Equal(t, "forwarded", c.Outcome)

	host := waitMail(t, env, "abuse@example-hosting.example.net", a.CaseID, 1)
	require.Contains(t, host[0].Body, "2a10:ffff::7")
	local := waitMail(t, env, "abuse@local-hosting.example", a.CaseID, 1)
	require.Contains(t, local[0].Body, "2001:db8:77::1")
	waitMail(t, env, "abuse@hosting.example", a.CaseID, 1)

	reply := forwardedReply(t, env, a.CaseID)
	require.Contains(t, reply, "How we found the hosting provider:")
	require.Contains(t, reply, "boot-rdap.example: EXAMPLE-HOSTING-NET, abuse contact abuse@example-hosting.example.net, "+
		"found by RDAP (RFC 9083) at 127.0.0.1; the network is not in our customer records")
	require.Contains(t, reply, "boot-file.example: Local Hosting, abuse contact abuse@local-hosting.example, "+
		"found in our local list of hosting networks, not in our customer records")
	require.Contains(t, reply, "shop.example: Example Hosting Co, abuse contact abuse@hosting.example, from our customer records")
	require.Contains(t, reply, "boot-none.example: unknown: no network we know of and no RDAP answer covers its origin")
	require.NotContains(t, reply, "2a10:ffff::7", "the reporter is not told origin IPs")

	// Only the server of the longest prefix was asked, about the one IP
	// the networks file does not cover; 2600::1 is in no registry entry.
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, asked)
	for _, p := range asked {
		require.Equal(t, "/rdap-b/ip/2a10:ffff::7", p)
	}
}

// forwardedReply waits for the reporter's "forwarded" reply about caseID.
func forwardedReply(t *testing.T, env *testenv.Env, caseID string) string {
	t.Helper()
	var body string
	ok := env.Sink.WaitFor(caseWait, func([]smtpsink.Message) bool {
		for _, m := range mailFor(env, "rita@reporter.example", caseID) {
			if strings.Contains(m.Subject, "forwarded") {
				body = m.Body
				return true
			}
		}
		return false
	})
	require.True(t, ok, "no forwarded reply about %s", caseID)
	return body
}
