package workflows_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/worker"
)

// TestReplayRecordedHistories replays every history recorded in testdata/
// (by integration.TestRecordHistories against the embedded Temporal server)
// against the current workflow code. A change that breaks determinism
// fails here; it must then be guarded with workflow.GetVersion.
func TestReplayRecordedHistories(t *testing.T) {
	keys, err := os.ReadFile(filepath.Join("testdata", "payload.keys"))
	require.NoError(t, err)
	ring, err := codec.ParseKeyRing(strings.TrimSpace(string(keys)))
	require.NoError(t, err)
	files, err := filepath.Glob(filepath.Join("testdata", "*.history.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded histories in testdata/")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := sdkworker.NewWorkflowReplayerWithOptions(sdkworker.WorkflowReplayerOptions{
				DataConverter:    codec.DataConverter(ring),
				FailureConverter: codec.FailureConverter(ring),
			})
			require.NoError(t, err)
			worker.RegisterWorkflows(r)
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			h, err := client.HistoryFromJSON(strings.NewReader(string(raw)), client.HistoryJSONOptions{})
			require.NoError(t, err)
			require.NoError(t, r.ReplayWorkflowHistory(nil, h))
		})
	}
}
