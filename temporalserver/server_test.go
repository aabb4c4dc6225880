package temporalserver

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const (
	testTaskQueue    = "tsrv-test"
	testWorkflowName = "TsrvSleep"
	testRetention    = 30 * 24 * time.Hour
)

// sleepWorkflow waits on a durable 2s timer, then returns "done".
func sleepWorkflow(ctx workflow.Context) (string, error) {
	if err := workflow.Sleep(ctx, 2*time.Second); err != nil {
		return "", err
	}
	return "done", nil
}

// keyword is a one-attribute search attribute set for StartWorkflowOptions.
func keyword(name, value string) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(temporal.NewSearchAttributeKeyKeyword(name).ValueSet(value))
}

// dial connects an SDK client to s.
func dial(t *testing.T, s *Server, namespace string) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: s.Address(), Namespace: namespace})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// runWorker runs a worker for sleepWorkflow until the returned func is called.
func runWorker(t *testing.T, c client.Client) func() {
	t.Helper()
	w := worker.New(c, testTaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(sleepWorkflow, workflow.RegisterOptions{Name: testWorkflowName})
	require.NoError(t, w.Start())
	return w.Stop
}

// startServer starts s with o and stops it when the test ends.
func startServer(t *testing.T, o Options) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if o.LogLevel == "" {
		o.LogLevel = "error" // warn-level shutdown chatter buries test output
	}
	begin := time.Now()
	s, err := Start(ctx, o)
	require.NoError(t, err)
	t.Logf("server on %s started in %s", s.Address(), time.Since(begin).Round(time.Millisecond))
	t.Cleanup(s.Stop)
	return s
}

// waitForTimer waits until the workflow's history holds a started timer.
func waitForTimer(t *testing.T, c client.Client, workflowID string) {
	t.Helper()
	require.Eventually(t, func() bool {
		iter := c.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			ev, err := iter.Next()
			if err != nil {
				return false
			}
			if ev.GetEventType() == enumspb.EVENT_TYPE_TIMER_STARTED {
				return true
			}
		}
		return false
	}, 20*time.Second, 100*time.Millisecond)
}

// requireNamespace checks retention and search attributes of s's namespace.
func requireNamespace(t *testing.T, c client.Client, o Options) {
	t.Helper()
	ctx := context.Background()
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: o.Namespace})
	require.NoError(t, err)
	require.Equal(t, o.Retention, desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration())
	sas, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: o.Namespace})
	require.NoError(t, err)
	for name, typ := range o.SearchAttributes {
		require.Equal(t, typ, sas.GetCustomAttributes()[name], "search attribute %s", name)
	}
}

func TestSQLiteRestartKeepsWorkflow(t *testing.T) {
	addr, err := FreeAddr()
	require.NoError(t, err)
	dir := t.TempDir()
	archive := filepath.Join(dir, "archive")
	o := Options{
		Address:          addr,
		Namespace:        "default",
		DataDir:          dir,
		Retention:        testRetention,
		ArchivalDir:      archive,
		SearchAttributes: map[string]enumspb.IndexedValueType{"CaseStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD},
		DynamicConfig:    map[string]any{"history.archivalProcessorArchiveDelay": time.Second},
	}

	s1 := startServer(t, o)
	c1 := dial(t, s1, o.Namespace)
	requireNamespace(t, c1, o)
	stopWorker := runWorker(t, c1)
	run, err := c1.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: "restart-1", TaskQueue: testTaskQueue, TypedSearchAttributes: keyword("CaseStatus", "open"),
	}, testWorkflowName)
	require.NoError(t, err)
	waitForTimer(t, c1, run.GetID())
	stopWorker()
	s1.Stop()

	// Same file, same address; one more search attribute this time.
	o.SearchAttributes["CaseCategory"] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	s2 := startServer(t, o)
	c2 := dial(t, s2, o.Namespace)
	requireNamespace(t, c2, o)
	defer runWorker(t, c2)()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The attribute added on this start is usable at once.
	run2, err := c2.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: "restart-2", TaskQueue: testTaskQueue, TypedSearchAttributes: keyword("CaseCategory", "phishing"),
	}, testWorkflowName)
	require.NoError(t, err)
	for _, r := range []client.WorkflowRun{c2.GetWorkflow(ctx, run.GetID(), run.GetRunID()), run2} {
		var out string
		require.NoError(t, r.Get(ctx, &out))
		require.Equal(t, "done", out)
	}

	// Closed histories are archived to the filestore.
	var archived []string
	require.Eventually(t, func() bool {
		archived = archived[:0]
		_ = filepath.WalkDir(archive, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				archived = append(archived, path)
			}
			return nil
		})
		return len(archived) > 0
	}, 30*time.Second, 200*time.Millisecond, "no archived history under %s", archive)
	t.Logf("archived: %v", archived)
}

func TestUIServed(t *testing.T) {
	addr, err := FreeAddr()
	require.NoError(t, err)
	uiAddr, err := FreeAddr()
	require.NoError(t, err)
	const codec = "http://127.0.0.1:8080/v1/codec"
	// A gate that lets in requests carrying X-Test-Pass.
	gate := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Test-Pass") == "" {
				http.Error(w, "no", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	startServer(t, Options{Address: addr, DataDir: t.TempDir(), UIAddr: uiAddr, UICodecEndpoint: codec, UIGate: gate})
	get := func(path string, pass bool) *http.Response {
		req, err := http.NewRequest(http.MethodGet, "http://"+uiAddr+path, nil)
		require.NoError(t, err)
		if pass {
			req.Header.Set("X-Test-Pass", "1")
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { _ = resp.Body.Close() })
		return resp
	}

	require.Equal(t, http.StatusUnauthorized, get("/", false).StatusCode, "the gate decides")
	require.Equal(t, http.StatusOK, get("/", true).StatusCode)

	// The UI decodes payloads through the configured codec endpoint and
	// has its write actions disabled.
	resp := get("/api/v1/settings", true)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var settings struct {
		Codec               struct{ Endpoint string }
		DisableWriteActions bool
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&settings))
	require.Equal(t, codec, settings.Codec.Endpoint)
	require.True(t, settings.DisableWriteActions)

	// The UI reaches the frontend over gRPC.
	require.Equal(t, http.StatusOK, get("/api/v1/namespaces/default", true).StatusCode)

	// Writes are refused even past the gate.
	req, err := http.NewRequest(http.MethodPost, "http://"+uiAddr+"/api/v1/namespaces/default/workflows/x/terminate",
		strings.NewReader(`{}`))
	require.NoError(t, err)
	req.Header.Set("X-Test-Pass", "1")
	req.Header.Set("Authorization", "Bearer skips-the-ui-server-csrf-check")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

func TestBusyPortsFailWithConfigKey(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = busy.Close() }()
	addr, err := FreeAddr()
	require.NoError(t, err)

	_, err = Start(context.Background(), Options{Address: addr, DataDir: t.TempDir(), UIAddr: busy.Addr().String()})
	require.ErrorContains(t, err, "ui_addr")
	require.ErrorContains(t, err, "ABUSEDESK_UI_ADDR")

	_, err = Start(context.Background(), Options{Address: busy.Addr().String(), DataDir: t.TempDir()})
	require.ErrorContains(t, err, "temporal_address")
}

func TestOptionsDefaults(t *testing.T) {
	o, err := Options{}.withDefaults()
	require.NoError(t, err)
	require.Equal(t, DefaultAddress, o.Address)
	o, err = Options{Address: "localhost:7233"}.withDefaults()
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:7233", o.Address)
	_, err = Options{Address: "temporal.example:7233"}.withDefaults()
	require.ErrorContains(t, err, "temporal_address")
	require.Equal(t, DBSQLite, o.DB)
	require.Equal(t, int32(1), o.NumHistoryShards)
	require.Equal(t, 87600*time.Hour, o.Retention)
	require.Equal(t, "warn", o.LogLevel)

	o, err = Options{DB: DBPostgres, PostgresURL: "postgres://u@h/db"}.withDefaults()
	require.NoError(t, err)
	require.Equal(t, int32(4), o.NumHistoryShards)

	_, err = Options{DB: "mysql"}.withDefaults()
	require.Error(t, err)
	_, err = Options{DB: DBPostgres}.withDefaults()
	require.ErrorContains(t, err, "database_url")

	store, vis, err := postgresConfigs("postgres://root:pw@db.local/cases?sslmode=disable")
	require.NoError(t, err)
	require.Equal(t, "db.local:5432", store.ConnectAddr)
	require.Equal(t, "cases", store.DatabaseName)
	require.Equal(t, "cases_visibility", vis.DatabaseName)
	require.Equal(t, "pw", store.Password)
	require.Equal(t, "disable", vis.ConnectAttributes["sslmode"])
}

// TestSQLiteVisibilityFile: a new data directory keeps visibility in its own
// file (its own connection); one made before that keeps visibility in
// temporal.db, where its records are. Either way a search finds the
// workflow by its attribute.
func TestSQLiteVisibilityFile(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(map[bool]string{false: "new", true: "legacy"}[legacy], func(t *testing.T) {
			addr, err := FreeAddr()
			require.NoError(t, err)
			dir := t.TempDir()
			if legacy {
				_, err := sqliteFileConfig(filepath.Join(dir, sqliteFile))
				require.NoError(t, err)
			}
			o := Options{Address: addr, Namespace: "default", DataDir: dir, Retention: testRetention,
				SearchAttributes: map[string]enumspb.IndexedValueType{"CaseStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD}}
			s := startServer(t, o)
			c := dial(t, s, o.Namespace)
			defer runWorker(t, c)()
			_, err = c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
				ID: "vis-1", TaskQueue: testTaskQueue, TypedSearchAttributes: keyword("CaseStatus", "waiting"),
			}, testWorkflowName)
			require.NoError(t, err)
			require.Eventually(t, func() bool {
				res, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
					Namespace: o.Namespace, Query: `CaseStatus = "waiting"`})
				return err == nil && len(res.GetExecutions()) == 1 && res.GetExecutions()[0].GetExecution().GetWorkflowId() == "vis-1"
			}, 20*time.Second, 100*time.Millisecond)
			_, err = os.Stat(filepath.Join(dir, sqliteVisibilityFile))
			require.Equal(t, legacy, os.IsNotExist(err), "visibility file present: %v", err)
		})
	}
}

// upsertWorkflow sets CaseStatus to "closed" and returns.
func upsertWorkflow(ctx workflow.Context) error {
	return workflow.UpsertTypedSearchAttributes(ctx, temporal.NewSearchAttributeKeyKeyword("CaseStatus").ValueSet("closed"))
}

// TestAddedAttributesUsableOnceSettled: a fresh server on PostgreSQL adds
// its search attributes (SQLite's schema setup registers them with the
// namespace) and reads them from the store only until every service's
// namespace cache has the new aliases (saSettle); once that is over, a
// start that sets one, an upsert and a visibility query by one all work
// from the caches. A settle shorter than the namespace caches' refresh
// fails here (the frontend's cache still lacks the alias).
func TestAddedAttributesUsableOnceSettled(t *testing.T) {
	url := testPostgresURL()
	requirePostgres(t, url)
	dropTestDatabases(t, url)
	addr, err := FreeAddr()
	require.NoError(t, err)
	o := Options{Address: addr, Namespace: "cases", DB: DBPostgres, PostgresURL: url, Retention: testRetention,
		SearchAttributes: map[string]enumspb.IndexedValueType{
			"CaseStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "Domain": enumspb.INDEXED_VALUE_TYPE_KEYWORD}}
	s := startServer(t, o)
	require.True(t, s.dc.forceSARefresh.Load(), "attributes were added: the refresh is forced at first")
	require.Eventually(t, func() bool { return !s.dc.forceSARefresh.Load() }, saSettle+5*time.Second, 50*time.Millisecond)

	c := dial(t, s, o.Namespace)
	w := worker.New(c, testTaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(upsertWorkflow, workflow.RegisterOptions{Name: "TsrvUpsert"})
	require.NoError(t, w.Start())
	defer w.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: "settled-1", TaskQueue: testTaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			temporal.NewSearchAttributeKeyKeyword("CaseStatus").ValueSet("received"),
			temporal.NewSearchAttributeKeyKeyword("Domain").ValueSet("example.com")),
	}, "TsrvUpsert")
	require.NoError(t, err)
	require.NoError(t, run.Get(ctx, nil))
	require.Eventually(t, func() bool {
		res, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: o.Namespace, Query: `CaseStatus = "closed" AND Domain = "example.com"`})
		return err == nil && len(res.GetExecutions()) == 1
	}, 20*time.Second, 100*time.Millisecond)
}
