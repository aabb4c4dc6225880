package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/workflows"
)

// historySize is one workflow history's size.
type historySize struct {
	WorkflowID string `json:"workflow_id"`
	Events     int    `json:"events"`
	Bytes      int    `json:"bytes"`
}

func measureHistory(t testing.TB, c client.Client, id string) historySize {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h := historySize{WorkflowID: id}
	iter := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		require.NoError(t, err)
		h.Events++
		h.Bytes += proto.Size(ev)
	}
	return h
}

// TestBulkNotice10k files one copyright notice of 10,000 URLs over 500
// pass-through domains over HTTP and measures it end to end: the time to
// the last forward and the largest single history. It is a measurement
// (a few minutes on two cores), run on demand:
//
//	ABUSEDESK_BENCH_BULK=1 go test -run TestBulkNotice10k -v -timeout 20m ./bench/
func TestBulkNotice10k(t *testing.T) {
	if os.Getenv("ABUSEDESK_BENCH_BULK") == "" {
		t.Skip("a measurement: set ABUSEDESK_BENCH_BULK=1 to run it")
	}
	const domains, urls, providers = 500, 10000, 7
	// The notice is ~1.1 MB of JSON, under the default max_body_bytes.
	env := testenv.Start(t, testenv.Options{NoDemo: true})
	require.Equal(t, http.StatusOK, env.Do("POST", "/v1/admin/customers", testenv.AdminKey, BulkCustomers(domains, providers), nil))

	body, err := json.Marshal(BulkNotice(domains, urls))
	require.NoError(t, err)
	t.Logf("notice body: %d bytes (max_body_bytes default: 4 MiB)", len(body))

	t0 := time.Now()
	resp, err := http.Post(env.URL+"/v1/reports", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	var created testenv.Created
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&created))
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	intake := time.Since(t0)

	// Every operator and hosting-provider forward, then the one reply.
	forwards := 2 * domains
	isForward := func(m smtpsink.Message) bool { return !strings.EqualFold(m.To[0], "notices@rights-agent.example") }
	require.True(t, env.Sink.WaitFor(15*time.Minute, func(ms []smtpsink.Message) bool {
		n := 0
		for _, m := range ms {
			if isForward(m) {
				n++
			}
		}
		return n >= forwards
	}))
	allForwarded := time.Since(t0)
	c := env.WaitCase(created.CaseID, 5*time.Minute, func(c testenv.CaseJSON) bool { return c.Status == "closed" })
	closedAt := time.Since(t0)
	require.Equal(t, "forwarded", c.Outcome)
	time.Sleep(2 * time.Second)
	msgs := env.Sink.Messages()
	require.Len(t, msgs, forwards+2, "the forwards, the receipt and the reply")
	require.Zero(t, env.Sink.Duplicates())

	tc := env.App.Temporal
	parentID := workflows.CaseWorkflowID(created.CaseID)
	parent := measureHistory(t, tc, parentID)
	sizes := []historySize{parent}
	batches := (domains + workflows.BulkBatchSize - 1) / workflows.BulkBatchSize
	for n := 1; n <= batches; n++ {
		sizes = append(sizes, measureHistory(t, tc, workflows.BatchWorkflowID(created.CaseID, n)))
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i].Events > sizes[j].Events })
	var reply string
	for _, m := range msgs {
		if !isForward(m) && strings.Contains(m.Subject, "forwarded") {
			reply = m.Body
		}
	}
	out, _ := json.MarshalIndent(map[string]any{
		"domains": domains, "urls": urls, "providers": providers, "body_bytes": len(body),
		"intake_seconds": intake.Seconds(), "all_forwards_sent_seconds": allForwarded.Seconds(),
		"case_closed_seconds": closedAt.Seconds(), "notices": len(msgs),
		"parent_history": parent, "largest_history": sizes[0], "histories_by_events": sizes, "reply_bytes": len(reply),
	}, "", "  ")
	t.Logf("bulk notice:\n%s\nreply to the reporter:\n%s", out, reply)
	for _, s := range sizes {
		require.Less(t, s.Events, 10000, s.WorkflowID)
	}
}
