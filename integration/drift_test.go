package integration

// Format drift (issue 14) with the whole app: a sender's real X-ARF
// reports make cases over SMTP; its next mail uses a new layout that
// parses to nothing, and that first mail is enough for the analyst's
// console page, the JSON endpoint and the Prometheus metric to say the
// sender is drifting.

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/temporalserver"
)

type sendersJSON struct {
	Drifting int `json:"drifting"`
	Senders  []struct {
		Sender      string `json:"sender"`
		Format      string `json:"format"`
		Cases       int    `json:"cases"`
		Empty       int    `json:"empty"`
		Drifting    bool   `json:"drifting"`
		DriftReason string `json:"drift_reason"`
	} `json:"senders"`
}

func TestDriftSenderFormatChangeAlertsAnalyst(t *testing.T) {
	docs := map[string][]byte{} // read before testenv changes the directory
	for _, name := range []string{"content-phishing.json", "content-malware.json", "content-fraud.json"} {
		b, err := os.ReadFile(filepath.Join("..", "mailintake", "testdata", "real", "xarf-spec-v4", name))
		require.NoError(t, err)
		docs[name] = b
	}
	fixture := func(name string) []byte { return docs[name] }
	addr, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{Env: map[string]string{
		"ABUSEDESK_INTAKE_SMTP_ADDR":   addr,
		"ABUSEDESK_INTAKE_ADDRESSES":   "abuse@abusedesk.test",
		"ABUSEDESK_INTAKE_AUTHSERV_ID": intakeAuthserv,
	}})
	before := caseCount(t, env)
	for _, name := range []string{"content-phishing.json", "content-malware.json", "content-fraud.json"} {
		require.NoError(t, sendMail(t, addr, "bounces@brand-protect.example", "abuse@abusedesk.test",
			xarfAttachmentMail(name+"@brand-protect.example", fixture(name))), name)
	}
	require.Equal(t, before+3, caseCount(t, env))
	var ans sendersJSON
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/admin/senders", testenv.AnalystKey, nil, &ans))
	require.Zero(t, ans.Drifting)
	require.Len(t, ans.Senders, 1)
	require.Equal(t, 3, ans.Senders[0].Cases)

	// The sender's new layout: the same report without xarf_version.
	changed := bytes.Replace(fixture("content-phishing.json"), []byte(`"xarf_version"`), []byte(`"schema_version"`), 1)
	require.NoError(t, sendMail(t, addr, "bounces@brand-protect.example", "abuse@abusedesk.test",
		xarfAttachmentMail("v5@brand-protect.example", changed)))
	require.Equal(t, before+3, caseCount(t, env), "no case of the new layout")

	ans = sendersJSON{}
	require.Equal(t, http.StatusOK, env.Do("GET", "/v1/admin/senders?limit=10", testenv.AnalystKey, nil, &ans))
	require.Equal(t, 1, ans.Drifting)
	first := ans.Senders[0]
	require.True(t, first.Drifting, "%+v", ans)
	require.Equal(t, "brand-protect.example", first.Sender)
	require.Equal(t, "plain", first.Format)
	require.Equal(t, 1, first.Empty)
	require.Contains(t, first.DriftReason, "xarf4: 3 of the last 3")
	require.Equal(t, http.StatusForbidden, env.Do("GET", "/v1/admin/senders", testenv.AuditorKey, nil, nil))

	// The analyst's console page lists the sender first, marked.
	code, page := consoleGet(t, consoleSession(t, env, testenv.AnalystKey), env.URL+"/console/senders")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, page, "1 sender format drifting")
	require.Contains(t, page, `brand-protect.example <span class="badge">DRIFTING</span>`)
	require.Contains(t, page, "parsed to no URL and no IP row")
	require.Contains(t, page, `href="/console/senders"`, "the console links to it")
	code, _ = consoleGet(t, consoleSession(t, env, testenv.AuditorKey), env.URL+"/console/senders")
	require.Equal(t, http.StatusForbidden, code)

	resp, err := http.Get(env.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	metrics, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Contains(t, string(metrics), `abusedesk_intake_sender_drifting{format="plain",sender="brand-protect.example"} 1`)
	require.Contains(t, string(metrics), `abusedesk_intake_sender_mails_total{format="xarf4",outcome="case",sender="brand-protect.example"}`)
}
