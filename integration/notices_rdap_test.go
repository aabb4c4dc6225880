package integration

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/app"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
)

// TestRDAPFindsHostOfUnknownOrigin: a CDN report about a customer domain
// whose origin IP is in no configured network sends the host notice to the
// abuse contact the RDAP server (rdap_url) names, DKIM-signed; a domain whose
// RDAP lookup hangs still closes, with the host unknown, after rdap_timeout.
func TestRDAPFindsHostOfUnknownOrigin(t *testing.T) {
	body, err := os.ReadFile("../activities/testdata/rdap/ipnetwork.json")
	require.NoError(t, err)
	release := make(chan struct{})
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/rdap/ip/2001:db8::7":
			w.Header().Set("Content-Type", "application/rdap+json")
			_, _ = w.Write(body)
		case "/rdap/ip/2001:db8::8": // hangs until the test ends
			select {
			case <-release:
			case <-r.Context().Done():
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	defer close(release)

	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_RDAP_ENABLED": "true", "ABUSEDESK_RDAP_URL": srv.URL + "/rdap/ip/",
		"ABUSEDESK_RDAP_TIMEOUT": "1s", "ABUSEDESK_SMTP_FROM": "abuse@desk.example.org"}})
	for _, d := range []models.Domain{
		{Name: "rdap-origin.example", AccountID: "acct-cdn", Services: "cdn", OriginIPs: "2001:db8::7"},
		{Name: "rdap-slow.example", AccountID: "acct-cdn", Services: "cdn", OriginIPs: "2001:db8::8"},
	} {
		require.NoError(t, env.App.DB.Create(&d).Error)
	}

	a := env.File(report("phishing", []string{"https://rdap-origin.example/login"}, true))
	c := env.WaitCase(a.CaseID, 30*time.Second, closed)
	require.Equal(t, "forwarded", c.Outcome)
	host := waitMail(t, env, "abuse@example-hosting.example.net", a.CaseID, 1)
	require.Contains(t, host[0].Body, "2001:db8::7", "the host notice names the origin IP")

	// The notice arrived DKIM-signed with the key of data_dir/dkim.key.
	d, err := app.DKIM(env.App.Cfg)
	require.NoError(t, err)
	txt, err := d.TXTValue()
	require.NoError(t, err)
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(host[0].Raw), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			require.Equal(t, "abusedesk._domainkey.desk.example.org", name)
			return []string{txt}, nil
		}})
	require.NoError(t, err)
	require.Len(t, vs, 1)
	require.NoError(t, vs[0].Err)

	// The slow server holds no case: it closes, and no host notice goes out.
	b := env.File(report("phishing", []string{"https://rdap-slow.example/login"}, true))
	bc := env.WaitCase(b.CaseID, 60*time.Second, closed)
	require.Equal(t, "forwarded", bc.Outcome)
	waitMail(t, env, "webmaster@shop.example", b.CaseID, 1)
	for _, m := range env.Sink.Messages() {
		if strings.Contains(m.Subject, b.CaseID) {
			require.NotContains(t, m.To, "abuse@example-hosting.example.net")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	require.Contains(t, paths, "/rdap/ip/2001:db8::7")
	require.Contains(t, paths, "/rdap/ip/2001:db8::8")
}
