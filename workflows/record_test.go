//go:build record

package workflows_test

// TestRecordMultiDomainHistories records the histories of the multi-domain
// cases (issue 16) into testdata/, for TestReplayRecordedHistories:
//
//	ABUSEDESK_RECORD=1 go test -tags record -count=1 -run TestRecordMultiDomainHistories ./workflows/
//
// The workflows run on the embedded Temporal server as in production; the
// activities are stand-ins that answer as the real ones do (a replay reads
// only their results). The other histories are recorded through the whole
// desk by integration.TestRecordHistories, which re-records all of them at
// once; this one adds new histories without replacing the old, whose
// replay is what keeps old cases running.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/temporalserver"
	"github.com/abusedesk/abusedesk/worker"
	"github.com/abusedesk/abusedesk/workflows"
)

const recordQueue = "record-multidomain"

// standIns answers every activity a case calls; classify is the case's
// targets.
func standIns(classify activities.ClassifyResult) map[string]any {
	return map[string]any{
		activities.ActClassify: func(context.Context, activities.ClassifyInput) (activities.ClassifyResult, error) {
			return classify, nil
		},
		// Classified only: a CDN case's recorder replaces it (record_local_test.go).
		activities.ActClassifyForward: func(context.Context, activities.ClassifyForwardInput) (activities.ClassifyForwardResult, error) {
			return activities.ClassifyForwardResult{Classify: classify}, nil
		},
		activities.ActSendNotice: func(_ context.Context, in activities.NoticeInput) (activities.NoticeResult, error) {
			return activities.NoticeResult{NoticeID: "n_" + in.CaseID + "_" + in.Step}, nil
		},
		activities.ActSetStatus:       func(context.Context, activities.StatusInput) error { return nil },
		activities.ActRecordDecision:  func(context.Context, activities.DecisionRecord) error { return nil },
		activities.ActDisableObjects:  func(context.Context, activities.ObjectsInput) error { return nil },
		activities.ActRestoreObjects:  func(context.Context, activities.ObjectsInput) error { return nil },
		activities.ActRemoveObjects:   func(context.Context, activities.ObjectsInput) error { return nil },
		activities.ActSetDomainStatus: func(context.Context, activities.DomainInput) error { return nil },
		activities.ActRecordStrike: func(context.Context, activities.StrikeInput) (activities.StrikeResult, error) {
			return activities.StrikeResult{}, nil
		},
	}
}

func TestRecordMultiDomainHistories(t *testing.T) {
	if os.Getenv("ABUSEDESK_RECORD") != "1" {
		t.Skip("set ABUSEDESK_RECORD=1 to record the multi-domain histories into testdata/")
	}
	c := recordingClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	hosted := activities.ClassifyResult{URLCount: 2, Targets: []activities.Target{
		hostedTarget("a.example", "acct-a", "obj-a"), hostedTarget("b.example", "acct-b", "obj-b")}}
	registrar := activities.ClassifyResult{URLCount: 2, Targets: []activities.Target{
		registrarTarget("a.example", "acct-a"), registrarTarget("b.example", "acct-b")}}
	timers := workflows.Timers{OperatorReminderAfter: 2 * time.Second, OperatorResponseWindow: 8 * time.Second,
		ReporterInfoWindow: 30 * time.Second, NoticeTokenTTL: time.Hour, WhoisCorrectionWindow: 4 * time.Second,
		DisputeReviewWindow: time.Hour}

	// Hosted on two domains, violates, nobody answers: both operators get
	// the violation notice, the reminder and the removal, with one deadline.
	run(t, c, hosted, func(id string) {
		waitStatus(t, c, id, models.StatusAwaitingAnalyst)
		decide(t, c, id, workflows.Decision{Verdict: workflows.VerdictViolates, Clause: "malware", Reason: "breaches the terms"})
	}, workflows.CaseInput{CaseID: "Crecmultihosted", Category: models.CategoryMalware, Timers: timers})
	save(t, c, "multi-domain-hosted-no-answer", workflows.CaseWorkflowID("Crecmultihosted"))

	// WHOIS on two domains: one registrant corrects, the other's domain is
	// suspended after the analyst upholds.
	run(t, c, registrar, func(id string) {
		waitStatus(t, c, id, models.StatusAwaitingRegistrant)
		require.NoError(t, c.SignalWorkflow(ctx, id, "", workflows.SignalOperatorResponse, workflows.OperatorResponse{
			NoticeID: "n_Crecmultiwhois_registrant-whois:a.example", Response: workflows.ResponseRemoved, ReceivedAt: time.Now().UTC()}))
		waitStatus(t, c, id, models.StatusRegistrarReview)
		decide(t, c, id, workflows.Decision{Verdict: workflows.VerdictUphold, Reason: "no correction"})
	}, workflows.CaseInput{CaseID: "Crecmultiwhois", Category: models.CategoryRegistrarWhois, Timers: timers})
	save(t, c, "multi-domain-registrar-whois-suspended", workflows.CaseWorkflowID("Crecmultiwhois"))
}

// run starts one case on a worker with the stand-ins, drives it and waits
// for its end.
func run(t *testing.T, c client.Client, classify activities.ClassifyResult, drive func(id string), in workflows.CaseInput) {
	runActs(t, c, standIns(classify), drive, in)
}

// runActs is run with the activities given (stand-ins by name); it
// answers how the case ended.
func runActs(t *testing.T, c client.Client, acts map[string]any, drive func(id string), in workflows.CaseInput) workflows.CaseResult {
	return runActsAs(t, c, workflows.WorkflowCase, acts, drive, in)
}

// runActsAs is runActs with the case started as a workflow of the type
// given.
func runActsAs(t *testing.T, c client.Client, workflowType string, acts map[string]any, drive func(id string), in workflows.CaseInput) workflows.CaseResult {
	defer startStandIns(t, c, acts)()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id := workflows.CaseWorkflowID(in.CaseID)
	wr, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: recordQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.SACaseCategory.ValueSet(string(in.Category)))},
		workflowType, in)
	require.NoError(t, err)
	drive(id)
	var res workflows.CaseResult
	require.NoError(t, wr.Get(ctx, &res))
	require.Equal(t, models.StatusClosed, res.Status)
	return res
}

// startStandIns starts a worker on the recording queue with every workflow
// and the activity stand-ins given by name, and returns its stop; the
// test's end stops it too. A recorder that runs several cases stops each
// case's worker before the next starts, or the next case could run on the
// stand-ins of the one before.
func startStandIns(t *testing.T, c client.Client, acts map[string]any) (stop func()) {
	w := sdkworker.New(c, recordQueue, sdkworker.Options{})
	worker.RegisterWorkflows(w)
	for name, fn := range acts {
		w.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
	require.NoError(t, w.Start())
	var once sync.Once
	stop = func() { once.Do(w.Stop) }
	t.Cleanup(stop)
	return stop
}

// withMitigationStandIns adds the Mitigation workflow's activities to acts:
// a record as asked, every change accepted.
func withMitigationStandIns(acts map[string]any) map[string]any {
	acts[activities.ActApplyMitigation] = func(_ context.Context, in activities.MitigationSpec) (activities.MitigationResult, error) {
		return activities.MitigationResult{ID: in.ID, Status: in.Status}, nil
	}
	acts[activities.ActChangeMitigation] = func(context.Context, activities.MitigationChangeInput) error { return nil }
	return acts
}

func waitStatus(t *testing.T, c client.Client, id string, want models.Status) {
	require.Eventually(t, func() bool {
		v, err := c.QueryWorkflow(context.Background(), id, "", workflows.QueryStatus)
		if err != nil {
			return false
		}
		var st workflows.CaseStatus
		return v.Get(&st) == nil && st.Status == want
	}, 30*time.Second, 100*time.Millisecond, "case %s never reached %s", id, want)
}

func decide(t *testing.T, c client.Client, id string, d workflows.Decision) {
	h, err := c.UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: workflows.UpdateDecide,
		Args: []any{d}, WaitForStage: client.WorkflowUpdateStageCompleted})
	require.NoError(t, err)
	require.NoError(t, h.Get(context.Background(), nil))
}

func save(t *testing.T, c client.Client, name, id string) {
	it := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join("testdata", name+".history.json"), b, 0o644))
}

func hostedTarget(domain, account, object string) activities.Target {
	return activities.Target{Domain: domain, AccountID: account, Service: models.ServiceHosting,
		Services: []string{"cdn", "hosting:pages"}, URLCount: 1,
		Hosted: []activities.HostedRef{{ObjectID: object, Product: "pages", URL: "https://" + domain + "/" + object}}}
}

func registrarTarget(domain, account string) activities.Target {
	return activities.Target{Domain: domain, AccountID: account, Service: models.ServiceRegistrar,
		Services: []string{"registrar"}, URLCount: 1, RegistrarOnly: true, HasRegistrar: true}
}

// recordingClient starts an embedded Temporal server with the project's
// search attributes and answers a client that encodes payloads with the
// recorded histories' key ring (testdata/payload.keys), so every recorder
// writes histories TestReplayRecordedHistories can read. Both stop with
// the test.
func recordingClient(t *testing.T) client.Client {
	t.Helper()
	keys, err := os.ReadFile(filepath.Join("testdata", "payload.keys"))
	require.NoError(t, err)
	ring, err := codec.ParseKeyRing(strings.TrimSpace(string(keys)))
	require.NoError(t, err)
	addr, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	srv, err := temporalserver.Start(ctx, temporalserver.Options{Address: addr, DataDir: t.TempDir(), LogLevel: "error",
		SearchAttributes: map[string]enumspb.IndexedValueType{
			"CaseStatus": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "CaseCategory": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
			"CaseService": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "Domain": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
			"CaseNextDeadline": enumspb.INDEXED_VALUE_TYPE_DATETIME,
		}})
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	c, err := client.Dial(client.Options{HostPort: srv.Address(),
		DataConverter: codec.DataConverter(ring), FailureConverter: codec.FailureConverter(ring)})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}
