// Package testenv starts the whole of abusedesk in-process for integration
// tests: the embedded Temporal server over gRPC on a free port, SQLite (or
// PostgreSQL) in a temp dir, the worker, the HTTP server, and a real SMTP
// server on loopback that receives every notice.
package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/abusedesk/abusedesk/app"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/demo"
	"github.com/abusedesk/abusedesk/internal/pgtest"
	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/temporalserver"
)

// Keys of the test roles.
const (
	AdminKey   = "test-admin-key-0123456789"
	AnalystKey = "test-analyst-key-0123456789"
	AuditorKey = "test-auditor-key-0123456789"
)

// Options change the environment.
type Options struct {
	// Env sets extra ABUSEDESK_* variables (e.g. short timers).
	Env map[string]string
	// DataDir reuses a data dir (restart tests); empty: t.TempDir().
	DataDir string
	// TemporalAddr / HTTPAddr / SMTP reuse addresses across restarts.
	TemporalAddr, HTTPAddr string
	Sink                   *smtpsink.Sink
	// NoDemo skips loading the demo customer records.
	NoDemo bool
	// Postgres uses a fresh PostgreSQL database for abusedesk's own store.
	Postgres bool
	// TemporalDynamicConfig overrides the embedded server's dynamic config.
	TemporalDynamicConfig map[string]any
	// ServerTemporal wraps the HTTP server's Temporal client (app.Options).
	ServerTemporal func(client.Client) client.Client
}

// Env is a running abusedesk.
type Env struct {
	T    testing.TB
	App  *app.App
	URL  string
	Sink *smtpsink.Sink
	Opts Options
}

// Start brings abusedesk up and stops it when the test ends.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	if o.Sink == nil {
		s, err := smtpsink.Start("127.0.0.1:0")
		require.NoError(t, err)
		t.Cleanup(s.Stop)
		o.Sink = s
	}
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	if o.TemporalAddr == "" {
		o.TemporalAddr = freeAddr(t)
	}
	if o.HTTPAddr == "" {
		o.HTTPAddr = freeAddr(t)
	}
	env := map[string]string{
		"ABUSEDESK_DATA_DIR": o.DataDir, "ABUSEDESK_HTTP_ADDR": o.HTTPAddr,
		"ABUSEDESK_TEMPORAL_ADDRESS": o.TemporalAddr, "ABUSEDESK_UI_ADDR": "",
		"ABUSEDESK_SMTP_ADDR": o.Sink.Addr(), "ABUSEDESK_LOG_LEVEL": "warn",
		// Tests that count audit entries must not see a history export
		// racing them; the retention test turns the exporter on.
		"ABUSEDESK_HISTORY_EXPORT_INTERVAL": "0",
		// The tests file all their reports from loopback, many for one
		// reporter; integration/trust_limits_test.go sets the limits.
		"ABUSEDESK_INTAKE_RATE_PER_CLIENT": "off", "ABUSEDESK_INTAKE_RATE_PER_REPORTER": "off",
		// Tests never reach the internet: RDAP (on by default, bootstrapped
		// from IANA) is off unless a test points it at a local server.
		"ABUSEDESK_RDAP_ENABLED": "false",
	}
	if o.Postgres && o.Env["ABUSEDESK_DATABASE_URL"] == "" {
		env["ABUSEDESK_DATABASE_URL"] = PostgresDB(t)
	}
	for k, v := range o.Env {
		env[k] = v
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	t.Chdir(o.DataDir)
	cfg, err := config.Load("")
	require.NoError(t, err)
	cfg.APIKeys = append(cfg.APIKeys,
		config.APIKey{Name: "test-admin", Hash: config.HashKey(AdminKey), Role: "admin"},
		config.APIKey{Name: "analyst-alice", Hash: config.HashKey(AnalystKey), Role: "analyst"},
		config.APIKey{Name: "auditor-bob", Hash: config.HashKey(AuditorKey), Role: "auditor"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a, err := app.Start(ctx, cfg, app.Options{TemporalDynamicConfig: o.TemporalDynamicConfig, ServerTemporal: o.ServerTemporal})
	require.NoError(t, err)
	e := &Env{T: t, App: a, URL: "http://" + a.Server.Addr(), Sink: o.Sink, Opts: o}
	t.Cleanup(e.Stop)
	if !o.NoDemo {
		var doc store.CustomerDoc
		require.NoError(t, decodeYAML(demo.Customers, &doc))
		require.Empty(t, store.ValidateCustomers(&doc))
		_, err := store.LoadCustomers(a.DB, &doc, nil)
		require.NoError(t, err)
	}
	return e
}

// Stop stops the process (idempotent).
func (e *Env) Stop() {
	if e.App != nil {
		e.App.Stop()
		e.App = nil
	}
}

// Restart stops and starts again on the same data dir, ports and sink.
func (e *Env) Restart() *Env {
	e.Stop()
	o := e.Opts
	return Start(e.T, o)
}

// Do sends a JSON request with an optional API key and decodes the answer
// into out (when not nil). It returns the status code.
func (e *Env) Do(method, path, key string, body any, out any) int {
	e.T.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(e.T, err)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	require.NoError(e.T, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.T, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		require.NoError(e.T, json.Unmarshal(raw, out), string(raw))
	}
	return resp.StatusCode
}

// CaseJSON is the subset of GET /v1/cases/{id} tests read.
type CaseJSON struct {
	CaseID       string     `json:"case_id"`
	Category     string     `json:"category"`
	Service      string     `json:"service"`
	Domain       string     `json:"domain"`
	Status       string     `json:"status"`
	Outcome      string     `json:"outcome"`
	NextDeadline *time.Time `json:"next_deadline"`
	Notices      []struct {
		NoticeID         string `json:"notice_id"`
		Step             string `json:"step"`
		RecipientRole    string `json:"recipient_role"`
		To               string `json:"to"`
		IncludesOriginIP bool   `json:"includes_origin_ip"`
		Status           string `json:"status"`
	} `json:"notices"`
}

// Case reads a case as an analyst.
func (e *Env) Case(id string) CaseJSON {
	e.T.Helper()
	var c CaseJSON
	require.Equal(e.T, http.StatusOK, e.Do("GET", "/v1/cases/"+id, AnalystKey, nil, &c))
	return c
}

// WaitCase polls a case until cond holds (or fails the test after timeout).
func (e *Env) WaitCase(id string, timeout time.Duration, cond func(CaseJSON) bool) CaseJSON {
	e.T.Helper()
	deadline := time.Now().Add(timeout)
	var c CaseJSON
	for time.Now().Before(deadline) {
		c = e.Case(id)
		if cond(c) {
			return c
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.FailNow(e.T, "case did not reach the expected state", "%s: status %s outcome %s", id, c.Status, c.Outcome)
	return c
}

// Created is the 202 answer of POST /v1/reports.
type Created struct {
	CaseID    string `json:"case_id"`
	Status    string `json:"status"`
	Token     string `json:"token"`
	StatusURL string `json:"status_url"`
}

// File posts a report and requires a 202.
func (e *Env) File(report any) Created {
	e.T.Helper()
	var c Created
	code := e.Do("POST", "/v1/reports", "", report, &c)
	require.Equal(e.T, http.StatusAccepted, code)
	return c
}

// ResponseLink finds the operator response link in a received notice.
func ResponseLink(body string) (noticeID, token string, ok bool) {
	i := strings.Index(body, "/respond/")
	if i < 0 {
		return "", "", false
	}
	rest := body[i+len("/respond/"):]
	end := strings.IndexAny(rest, " \r\n")
	if end > 0 {
		rest = rest[:end]
	}
	u, err := url.Parse("/respond/" + rest)
	if err != nil {
		return "", "", false
	}
	return strings.TrimPrefix(u.Path, "/respond/"), u.Query().Get("token"), true
}

func freeAddr(t testing.TB) string {
	a, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	return a
}

// PostgresDB creates a fresh database for a test and returns its URL. Under
// CI=true a missing PostgreSQL fails the test; elsewhere it skips.
func PostgresDB(t testing.TB) string { return pgtest.DB(t) }
