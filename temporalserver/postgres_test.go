package temporalserver

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/config"
	toolsql "go.temporal.io/server/tools/sql"
)

// testPostgresURL is the database the PostgreSQL test recreates; override
// with ABUSEDESK_TEST_POSTGRES_URL.
func testPostgresURL() string {
	if u := os.Getenv("ABUSEDESK_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/abusedesk_tsrv_test?sslmode=disable"
}

// requirePostgres skips when PostgreSQL is unreachable, except under CI=true.
func requirePostgres(t *testing.T, rawURL string) {
	t.Helper()
	store, _, err := postgresConfigs(rawURL)
	require.NoError(t, err)
	conn, err := net.DialTimeout("tcp", store.ConnectAddr, 2*time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s unreachable under CI: %v", store.ConnectAddr, err)
		}
		t.Skipf("PostgreSQL at %s unreachable: %v", store.ConnectAddr, err)
	}
	_ = conn.Close()
}

// dropTestDatabases drops the store and visibility databases of rawURL.
func dropTestDatabases(t *testing.T, rawURL string) {
	t.Helper()
	store, vis, err := postgresConfigs(rawURL)
	require.NoError(t, err)
	logger := newServerLogger("error")
	for _, cfg := range []*config.SQL{store, vis} {
		require.NoError(t, toolsql.DoDropDatabase(copySQL(cfg), postgresAdminDB, logger))
	}
}

func TestPostgresRunsWorkflow(t *testing.T) {
	url := testPostgresURL()
	requirePostgres(t, url)
	dropTestDatabases(t, url)

	addr, err := FreeAddr()
	require.NoError(t, err)
	o := Options{
		Address:          addr,
		Namespace:        "cases",
		DB:               DBPostgres,
		PostgresURL:      url,
		Retention:        testRetention,
		SearchAttributes: map[string]enumspb.IndexedValueType{"CaseStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD},
	}
	s := startServer(t, o)
	c := dial(t, s, o.Namespace)
	requireNamespace(t, c, o)
	stopWorker := runWorker(t, c)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: "pg-1", TaskQueue: testTaskQueue, TypedSearchAttributes: keyword("CaseStatus", "open"),
	}, testWorkflowName)
	require.NoError(t, err)
	var out string
	require.NoError(t, run.Get(ctx, &out))
	require.Equal(t, "done", out)
	stopWorker()
	s.Stop()

	// Setting up the schema again is a no-op, and a second start finds the
	// namespace and the finished workflow.
	require.NoError(t, SetupPostgresSchema(ctx, url))
	s = startServer(t, o)
	c = dial(t, s, o.Namespace)
	requireNamespace(t, c, o)
	desc, err := c.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, desc.GetWorkflowExecutionInfo().GetStatus())
}
