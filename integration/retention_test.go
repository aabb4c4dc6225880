package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	enumspb "go.temporal.io/api/enums/v1"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"

	"github.com/abusedesk/abusedesk/app"
	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/worker"
	"github.com/abusedesk/abusedesk/workflows"
)

// TestHistoryOutlivesRetention closes a CDN case, waits for the exporter
// to copy its history, deletes the run from Temporal as the namespace's
// retention would, and reads the history again as an auditor: the same
// events, decoded or as stored (?encoded=1, byte for byte the export and
// proven by the audit log's history_export entry), and the stored form
// replays with the workflows and the payload codec.
func TestHistoryOutlivesRetention(t *testing.T) {
	env := testenv.Start(t, testenv.Options{Env: map[string]string{"ABUSEDESK_HISTORY_EXPORT_INTERVAL": "200ms"},
		// Delete closed runs promptly (the default saves the transfer ack
		// level every 30 s).
		TemporalDynamicConfig: map[string]any{"history.transferProcessorUpdateAckInterval": time.Second}})
	a := env.App
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	c := env.File(report("phishing", []string{"https://shop.example/login"}, true))
	env.WaitCase(c.CaseID, caseWait, closed)
	wfID := workflows.CaseWorkflowID(c.CaseID)
	_ = a.Temporal.GetWorkflow(ctx, wfID, "").Get(ctx, nil) // the run has completed
	path := "/v1/cases/" + c.CaseID + "/history"
	live := call(t, env, "GET", path, testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, live.Code, string(live.Body))
	liveEncoded := call(t, env, "GET", path+"?encoded=1", testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, liveEncoded.Code, string(liveEncoded.Body))

	var exported []byte
	require.Eventually(t, func() bool {
		var err error
		exported, err = store.ExportedHistory(ctx, a.DB, wfID)
		return err == nil
	}, 30*time.Second, 100*time.Millisecond, "no export of %s", wfID)

	desc, err := a.Temporal.DescribeWorkflowExecution(ctx, wfID, "")
	require.NoError(t, err)
	runID := desc.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	_, err = a.Temporal.WorkflowService().DeleteWorkflowExecution(ctx, &workflowservice.DeleteWorkflowExecutionRequest{
		Namespace:         a.Cfg.TemporalNamespace,
		WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: wfID, RunId: runID},
	})
	require.NoError(t, err)
	// The history service deletes a closed run only once its transfer
	// queue's ack level passed the close task; that level is saved every
	// 30 s (history.transferProcessorUpdateAckInterval), so this takes up
	// to a minute.
	deleted := time.Now()
	require.Eventually(t, func() bool {
		_, err := a.Temporal.DescribeWorkflowExecution(ctx, wfID, "")
		var nf *serviceerror.NotFound
		return errors.As(err, &nf)
	}, 100*time.Second, 250*time.Millisecond, "Temporal still has %s", wfID)
	t.Logf("Temporal deleted the run in %s", time.Since(deleted).Round(time.Second))

	// After retention: the auditor still reads it, decoded as before, and
	// as stored (?encoded=1): byte for byte the export.
	gone := call(t, env, "GET", path, testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, gone.Code, string(gone.Body))
	goneEncoded := call(t, env, "GET", path+"?encoded=1", testenv.AuditorKey, nil, nil)
	require.Equal(t, http.StatusOK, goneEncoded.Code, string(goneEncoded.Body))
	require.Equal(t, exported, goneEncoded.Body)
	require.Equal(t, http.StatusForbidden, call(t, env, "GET", path, testenv.AnalystKey, nil, nil).Code)

	// The same events as before the deletion, encoded and decoded.
	for _, pair := range [][2][]byte{{liveEncoded.Body, goneEncoded.Body}, {live.Body, gone.Body}} {
		before, err := client.HistoryFromJSON(bytes.NewReader(pair[0]), client.HistoryJSONOptions{})
		require.NoError(t, err)
		after, err := client.HistoryFromJSON(bytes.NewReader(pair[1]), client.HistoryJSONOptions{})
		require.NoError(t, err)
		require.True(t, proto.Equal(before, after), "the exported history differs from the one Temporal served")
		// The whole run: from its start to its completion.
		require.NotEmpty(t, after.Events)
		require.Equal(t, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, after.Events[0].GetEventType())
		require.Equal(t, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, after.Events[len(after.Events)-1].GetEventType())
	}
	encrypted := base64.StdEncoding.EncodeToString([]byte(codec.EncodingEncrypted))
	require.Contains(t, string(goneEncoded.Body), encrypted, "payloads stay encrypted in the export")
	require.NotContains(t, string(gone.Body), encrypted, "and are decoded for the auditor")

	// The audit log vouches for the bytes: its history_export entry digests
	// the run and the SHA-256 of what the endpoint serves.
	sum := sha256.Sum256(goneEncoded.Body)
	digest, err := audit.DetailsDigest(app.HistoryExportDetails(wfID, runID, hex.EncodeToString(sum[:])))
	require.NoError(t, err)
	var entries struct {
		Entries []audit.Entry `json:"entries"`
	}
	call(t, env, "GET", "/v1/audit/entries?case_id="+c.CaseID, testenv.AuditorKey, nil, nil).JSON(t, &entries)
	found := false
	for _, e := range entries.Entries {
		if e.Kind == "history_export" {
			found = true
			require.Equal(t, digest, e.DetailsDigest)
		}
	}
	require.True(t, found, "no history_export entry in %+v", entries.Entries)

	// As stored, it replays with the workflows and the same data converter.
	after, err := client.HistoryFromJSON(bytes.NewReader(goneEncoded.Body), client.HistoryJSONOptions{})
	require.NoError(t, err)
	r, err := sdkworker.NewWorkflowReplayerWithOptions(sdkworker.WorkflowReplayerOptions{
		DataConverter: codec.DataConverter(a.KeyRing), FailureConverter: codec.FailureConverter(a.KeyRing)})
	require.NoError(t, err)
	worker.RegisterWorkflows(r)
	require.NoError(t, r.ReplayWorkflowHistory(nil, after))

	// A case with neither a run nor an export is still a 404.
	require.Equal(t, http.StatusNotFound, call(t, env, "GET", "/v1/cases/Cnosuchcase/history", testenv.AuditorKey, nil, nil).Code)
}
