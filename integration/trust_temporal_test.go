package integration

// Issue 13, hole 5: the Temporal Web UI and the Temporal frontend bypassed
// every rule of the desk. Reproduced through the real embedded server:
//   - TestTemporalUIGate: POST .../terminate on ui_addr without a login
//     terminated a case behind the desk's back. Now the UI address answers
//     only signed-in auditors and admins (console session cookie or Bearer
//     key), and refuses every write action, even theirs; the case is still
//     running and takes its next decision.
//   - TestPlainSignalCannotCloseCase: a raw Temporal client (no codec)
//     signalling {"Response":"removed"} closed a hosted case as
//     content_removed without any notice token. Now the worker drops any
//     signal that is not sealed by a key of the payload key ring (plain
//     JSON, no payload at all, or sealed by a foreign key under the same
//     key id); the case keeps waiting on the operator and still closes
//     through the real notice link.

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/temporalserver"
	"github.com/abusedesk/abusedesk/workflows"
)

// uiClient sends requests to the UI address, keeping cookies, without
// following redirects.
type uiClient struct {
	t    *testing.T
	http *http.Client
}

func newUIClient(t *testing.T) *uiClient {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &uiClient{t: t, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends one request; hdr may carry Authorization, Accept, X-CSRF-Token.
func (u *uiClient) do(method, target string, hdr map[string]string, body string) (int, http.Header, string) {
	u.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, r)
	require.NoError(u.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := u.http.Do(req)
	require.NoError(u.t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(raw)
}

// csrf returns the ui-server's CSRF cookie value once a page was loaded
// (the UI's own code sends it back as X-CSRF-Token on writes).
func (u *uiClient) csrf(base string) string {
	bu, err := url.Parse(base)
	require.NoError(u.t, err)
	for _, c := range u.http.Jar.Cookies(bu) {
		if c.Name == "_csrf" {
			return c.Value
		}
	}
	return ""
}

// consoleSignIn signs in to the console at env.URL with key; the jar then
// holds the session cookie, which the browser also sends to ui_addr (same
// host, other port).
func (u *uiClient) consoleSignIn(env *testenv.Env, key string) {
	u.t.Helper()
	code, _, page := u.do(http.MethodGet, env.URL+"/console/login", nil, "")
	require.Equal(u.t, http.StatusOK, code, page)
	const marker = `name="csrf_token" value="`
	i := strings.Index(page, marker)
	require.GreaterOrEqual(u.t, i, 0, "no CSRF token on the sign-in page")
	tok := page[i+len(marker):]
	tok = tok[:strings.IndexByte(tok, '"')]
	form := url.Values{"api_key": {key}, "csrf_token": {tok}}
	req, err := http.NewRequest(http.MethodPost, env.URL+"/console/login", strings.NewReader(form.Encode()))
	require.NoError(u.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := u.http.Do(req)
	require.NoError(u.t, err)
	_ = res.Body.Close()
	require.Equal(u.t, http.StatusSeeOther, res.StatusCode)
}

// requireRunning checks through the desk's own client that the case's
// workflow is still running.
func requireRunning(t *testing.T, env *testenv.Env, caseID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := env.App.Temporal.DescribeWorkflowExecution(ctx, workflows.CaseWorkflowID(caseID), "")
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.GetWorkflowExecutionInfo().GetStatus())
}

func TestTemporalUIGate(t *testing.T) {
	uiAddr, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_UI_ADDR": uiAddr}})
	base := "http://" + uiAddr
	c := env.File(report("copyright", []string{"https://pages.example/x"}, true))
	env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
	wf := "/api/v1/namespaces/" + env.App.Cfg.TemporalNamespace + "/workflows/" + url.PathEscape(workflows.CaseWorkflowID(c.CaseID))
	terminate := `{"reason":"closed from the Temporal UI"}`

	// No login: the terminate of the issue (any Authorization header let
	// it past the ui-server's CSRF check), a read, and a browser page.
	anon := newUIClient(t)
	code, _, body := anon.do(http.MethodPost, base+wf+"/terminate", map[string]string{"Authorization": "Bearer not-a-key"}, terminate)
	require.Contains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, code, body)
	code, _, body = anon.do(http.MethodGet, base+wf, nil, "")
	require.Equal(t, http.StatusUnauthorized, code, body)
	code, hdr, _ := anon.do(http.MethodGet, base+"/namespaces/default/workflows", map[string]string{"Accept": "text/html"}, "")
	require.Equal(t, http.StatusSeeOther, code)
	require.Equal(t, env.App.Cfg.PublicURL+"/console/login", hdr.Get("Location"))
	requireRunning(t, env, c.CaseID)

	// An analyst key is not an auditor's.
	code, _, body = anon.do(http.MethodGet, base+wf, map[string]string{"Authorization": "Bearer " + testenv.AnalystKey}, "")
	require.Equal(t, http.StatusForbidden, code, body)

	// Auditor and admin keys read; no key writes.
	for _, key := range []string{testenv.AuditorKey, testenv.AdminKey} {
		auth := map[string]string{"Authorization": "Bearer " + key}
		code, _, body = anon.do(http.MethodGet, base+wf, auth, "")
		require.Equal(t, http.StatusOK, code, body)
		require.Contains(t, body, workflows.CaseWorkflowID(c.CaseID))
		code, _, body = anon.do(http.MethodPost, base+wf+"/terminate", auth, terminate)
		require.Equal(t, http.StatusForbidden, code, body)
		code, _, body = anon.do(http.MethodPost, base+wf+"/signal/"+workflows.SignalOperatorResponse, auth, `{"input":null}`)
		require.Equal(t, http.StatusForbidden, code, body)
		requireRunning(t, env, c.CaseID)
	}

	// An auditor signed in to the console: the browser's cookie opens the
	// UI and its reads; a terminate with the UI's own CSRF token is refused.
	b := newUIClient(t)
	b.consoleSignIn(env, testenv.AuditorKey)
	code, _, body = b.do(http.MethodGet, base+"/namespaces/default/workflows", map[string]string{"Accept": "text/html"}, "")
	require.Equal(t, http.StatusOK, code, body)
	code, _, body = b.do(http.MethodGet, base+"/api/v1/namespaces/default/workflows", nil, "")
	require.Equal(t, http.StatusOK, code, body)
	code, _, body = b.do(http.MethodGet, base+"/api/v1/settings", nil, "")
	require.Equal(t, http.StatusOK, code, body)
	var settings struct {
		DisableWriteActions bool
		Codec               struct{ Endpoint string }
	}
	require.NoError(t, json.Unmarshal([]byte(body), &settings))
	require.True(t, settings.DisableWriteActions, "the UI hides its write actions")
	require.Equal(t, env.App.Cfg.PublicURL+codec.EndpointPrefix, settings.Codec.Endpoint)
	code, _, body = b.do(http.MethodPost, base+wf+"/terminate", map[string]string{"X-CSRF-Token": b.csrf(base)}, terminate)
	require.Equal(t, http.StatusForbidden, code, body)
	requireRunning(t, env, c.CaseID)

	// The desk still owns the case: it takes the next decision.
	violates(t, env, c.CaseID, "ip")
	env.WaitCase(c.CaseID, caseWait, status("awaiting_operator"))
}

func TestPlainSignalCannotCloseCase(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	c := env.File(report("copyright", []string{"https://pages.example/x"}, true))
	env.WaitCase(c.CaseID, caseWait, status("awaiting_analyst"))
	violates(t, env, c.CaseID, "ip")
	env.WaitCase(c.CaseID, caseWait, status("awaiting_operator"))
	wfID := workflows.CaseWorkflowID(c.CaseID)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	quiet := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	// A raw client: Temporal's default data converter, payloads in clear.
	raw, err := client.DialContext(ctx, client.Options{HostPort: env.App.Cfg.TemporalAddress,
		Namespace: env.App.Cfg.TemporalNamespace, Logger: quiet})
	require.NoError(t, err)
	defer raw.Close()
	require.NoError(t, raw.SignalWorkflow(ctx, wfID, "", workflows.SignalOperatorResponse, map[string]any{"Response": "removed"}))
	require.NoError(t, raw.SignalWorkflow(ctx, wfID, "", workflows.SignalOperatorResponse, nil))
	// Sealed with AES-GCM under the desk's key id, but another key.
	entry, err := codec.GenerateKeyEntry(env.App.KeyRing.ActiveKeyID())
	require.NoError(t, err)
	foreign, err := codec.ParseKeyRing(entry)
	require.NoError(t, err)
	forged, err := client.DialContext(ctx, client.Options{HostPort: env.App.Cfg.TemporalAddress,
		Namespace: env.App.Cfg.TemporalNamespace, Logger: quiet, DataConverter: codec.DataConverter(foreign)})
	require.NoError(t, err)
	defer forged.Close()
	require.NoError(t, forged.SignalWorkflow(ctx, wfID, "", workflows.SignalOperatorResponse,
		workflows.OperatorResponse{Response: workflows.ResponseRemoved, ReceivedAt: time.Now()}))

	// A query is answered after the workflow task that took the signals.
	v, err := env.App.Temporal.QueryWorkflow(ctx, wfID, "", workflows.QueryStatus)
	require.NoError(t, err)
	var st workflows.CaseStatus
	require.NoError(t, v.Get(&st))
	require.Equal(t, "awaiting_operator", string(st.Status), "outcome %s", st.Outcome)
	cs := env.Case(c.CaseID)
	require.Equal(t, "awaiting_operator", cs.Status)
	require.Empty(t, cs.Outcome)
	requireRunning(t, env, c.CaseID)

	// The signals were dropped, not retried: no workflow task failed.
	it := env.App.Temporal.GetWorkflowHistory(ctx, wfID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	signals := 0
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		require.NotEqual(t, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED, ev.GetEventType(), "workflow task failed: %v", ev)
		if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
			signals++
		}
	}
	require.Equal(t, 3, signals)

	// The operator's real answer, through the notice link, still counts.
	noticeID, token := responseLink(t, env, operatorHosted, c.CaseID)
	r := respond(t, env, noticeID, token, map[string]any{"response": "removed"})
	require.Equal(t, http.StatusAccepted, r.Code, string(r.Body))
	done := env.WaitCase(c.CaseID, caseWait, closed)
	require.Equal(t, "content_removed", done.Outcome)
}
