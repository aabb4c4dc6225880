package workflows

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// t0 is when every test case starts: a Thursday afternoon, so the timers of
// days cross a weekend.
var t0 = time.Date(2026, time.November, 5, 14, 0, 0, 0, time.UTC)

const (
	testCaseID = "c1"
	day        = 24 * time.Hour
)

// call is one activity invocation seen by the mocks, with the workflow
// clock at the moment it returned.
type call struct {
	Name string
	Arg  any
	At   time.Time
}

// sent is what the tests assert about a notice: which step, to whom, which
// template, and whether it carries the origin IP.
type sent struct {
	Step     string
	Role     models.RecipientRole
	Kind     activities.NoticeKind
	OriginIP bool
}

// delay makes matching calls of one activity take d on the workflow clock.
type delay struct {
	name  string
	match func(any) bool
	d     time.Duration
}

// updateOutcome records what happened to one UpdateDecide sent by a test.
type updateOutcome struct {
	ID        string
	Decision  Decision
	At        time.Time
	Accepted  bool
	Rejected  error
	Completed bool
	Err       error
}

// childStart is one child workflow started by the workflow under test.
type childStart struct {
	ID    string
	Type  string
	Input ReviewInput
}

// harness is one fresh test environment with every activity mocked and
// every call recorded.
type harness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment
	// category is the started case's (ClassifyForward's stand-in needs it).
	category models.Category
	// askClassifyForward leaves GetVersion of changeClassifyForward to the
	// test (by default a WorkflowCase2 case runs without it).
	askClassifyForward bool

	mu       sync.Mutex
	calls    []call
	children []childStart
	// mitigations are the Mitigation children started (mitigation_case.go).
	mitigations []MitigationInput

	classify activities.ClassifyResult
	// strikeReviews answers RecordStrike (nil: no review due).
	strikeReviews func(activities.StrikeInput) []string
	history       activities.AccountHistory
	delays        []delay
	updates       []*updateOutcome
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(CaseWorkflow, workflow.RegisterOptions{Name: WorkflowCase})
	env.RegisterWorkflowWithOptions(CaseWorkflow2, workflow.RegisterOptions{Name: WorkflowCase2})
	env.RegisterWorkflowWithOptions(CaseWorkflow3, workflow.RegisterOptions{Name: WorkflowCase3})
	env.RegisterWorkflowWithOptions(TerminationReview, workflow.RegisterOptions{Name: WorkflowTerminationReview})
	// Registered by their stable names, as the worker does.
	activities.Register(env, &activities.Activities{})
	env.SetStartTime(t0)
	h := &harness{t: t, env: env}
	env.RegisterWorkflowWithOptions(h.mitigationChild, workflow.RegisterOptions{Name: WorkflowMitigation})
	env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, args converter.EncodedValues) {
		h.mu.Lock()
		defer h.mu.Unlock()
		if info.WorkflowType.Name == WorkflowMitigation {
			var m MitigationInput
			require.NoError(t, args.Get(&m))
			h.mitigations = append(h.mitigations, m)
			return
		}
		var in ReviewInput
		require.NoError(t, args.Get(&in))
		h.children = append(h.children, childStart{ID: info.WorkflowExecution.ID, Type: info.WorkflowType.Name, Input: in})
	})
	return h
}

func (h *harness) record(name string, arg any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, call{Name: name, Arg: arg, At: h.env.Now().UTC()})
}

// mocks returns, per activity name, the method to mock and the function
// that answers (and records) it.
func (h *harness) mocks() map[string][2]any {
	objects := func(name string) func(context.Context, activities.ObjectsInput) error {
		return func(_ context.Context, in activities.ObjectsInput) error { h.record(name, in); return nil }
	}
	batch := func(in activities.NoticeBatch) activities.NoticeBatchResult {
		h.record("SendNotices", in)
		var r activities.NoticeBatchResult
		for _, n := range in.Notices {
			h.record("SendNotice", n)
			r.Results = append(r.Results, activities.NoticeResult{NoticeID: n.CaseID + "/" + n.Step})
		}
		if in.Close != nil {
			// The activity writes the close as SetStatus does.
			h.record("SetStatus", *in.Close)
			r.Closed = true
		}
		return r
	}
	return map[string][2]any{
		// ClassifyForward records what it stands for: Classify and, for a
		// CDN case handled whole, the batch with its close.
		"ClassifyForward": {activities.ActClassifyForward, func(_ context.Context, in activities.ClassifyForwardInput) (activities.ClassifyForwardResult, error) {
			h.record("ClassifyForward", in)
			r := activities.ClassifyForwardResult{Classify: h.classify}
			if !activities.InlineCDN(h.category, h.classify.Targets) {
				return r, nil
			}
			b := activities.NoticeBatch{CaseID: in.CaseID, Notices: activities.CDNNotices(h.classify.Targets, in.ToOperator, activities.ReceiptNotice()),
				Close: &activities.StatusInput{CaseID: in.CaseID, Status: models.StatusClosed, Outcome: models.OutcomeForwarded,
					Service: models.ServiceCDN, Domain: h.classify.Targets[0].Domain, AccountID: h.classify.Targets[0].AccountID}}
			for i := range b.Notices {
				b.Notices[i].CaseID, b.Notices[i].TokenTTL = in.CaseID, in.TokenTTL
			}
			r.Forwarded, r.Batch = true, batch(b)
			return r, nil
		}},
		"Classify": {activities.ActClassify, func(_ context.Context, in activities.ClassifyInput) (activities.ClassifyResult, error) {
			h.record("Classify", in)
			return h.classify, nil
		}},
		"SendNotice": {activities.ActSendNotice, func(_ context.Context, in activities.NoticeInput) (activities.NoticeResult, error) {
			h.record("SendNotice", in)
			return activities.NoticeResult{NoticeID: in.CaseID + "/" + in.Step}, nil
		}},
		// A batch records itself and each of its notices as SendNotice does.
		"SendNotices": {activities.ActSendNotices, func(_ context.Context, in activities.NoticeBatch) (activities.NoticeBatchResult, error) {
			return batch(in), nil
		}},
		"SetStatus": {activities.ActSetStatus, func(_ context.Context, in activities.StatusInput) error {
			h.record("SetStatus", in)
			return nil
		}},
		"RecordDecision": {activities.ActRecordDecision, func(_ context.Context, in activities.DecisionRecord) error {
			h.record("RecordDecision", in)
			return nil
		}},
		"DisableObjects": {activities.ActDisableObjects, objects("DisableObjects")},
		"RestoreObjects": {activities.ActRestoreObjects, objects("RestoreObjects")},
		"RemoveObjects":  {activities.ActRemoveObjects, objects("RemoveObjects")},
		"RecordStrike": {activities.ActRecordStrike, func(_ context.Context, in activities.StrikeInput) (activities.StrikeResult, error) {
			h.record("RecordStrike", in)
			var res activities.StrikeResult
			if h.strikeReviews != nil {
				res.Reviews = h.strikeReviews(in)
			}
			return res, nil
		}},
		"SetDomainStatus": {activities.ActSetDomainStatus, func(_ context.Context, in activities.DomainInput) error {
			h.record("SetDomainStatus", in)
			return nil
		}},
		"FileClearinghouseReport": {activities.ActFileClearinghouseReport, func(_ context.Context, in activities.ClearinghouseInput) (activities.ClearinghouseResult, error) {
			h.record("FileClearinghouseReport", in)
			return activities.ClearinghouseResult{Reference: "ch-1"}, nil
		}},
		"AccountHistory": {activities.ActAccountHistory, func(_ context.Context, in activities.AccountHistoryInput) (activities.AccountHistory, error) {
			h.record("AccountHistory", in)
			return h.history, nil
		}},
		"TerminateAccount": {activities.ActTerminateAccount, func(_ context.Context, in activities.TerminateInput) error {
			h.record("TerminateAccount", in)
			return nil
		}},
		"SetReviewStatus": {activities.ActSetReviewStatus, func(_ context.Context, in activities.ReviewStatusInput) error {
			h.record("SetReviewStatus", in)
			return nil
		}},
		"ApplyMitigation": {activities.ActApplyMitigation, func(_ context.Context, in activities.MitigationSpec) (activities.MitigationResult, error) {
			h.record("ApplyMitigation", in)
			return activities.MitigationResult{ID: in.ID, Status: in.Status}, nil
		}},
		"ChangeMitigation": {activities.ActChangeMitigation, func(_ context.Context, in activities.MitigationChangeInput) error {
			h.record("ChangeMitigation", in)
			return nil
		}},
	}
}

// slow makes the calls of activity name whose input matches take d of
// workflow time. Call before start.
func (h *harness) slow(name string, match func(any) bool, d time.Duration) {
	h.delays = append(h.delays, delay{name: name, match: match, d: d})
}

// noticeStep matches a SendNotice input by step.
func noticeStep(step string) func(any) bool {
	return func(v any) bool { in, ok := v.(activities.NoticeInput); return ok && in.Step == step }
}

// closing matches the SetStatus call that closes the case.
func closing(v any) bool {
	in, ok := v.(activities.StatusInput)
	return ok && in.Status == models.StatusClosed
}

func (h *harness) install() {
	// A WorkflowCase2 case asks changeClassifyForward (WorkflowCase3 pins
	// it); these tests run WorkflowCase2 as recorded before it, with
	// Classify and the batch, unless a test answers GetVersion itself
	// (pinned_test.go, classify_forward_test.go run the change).
	if !h.askClassifyForward {
		h.env.OnGetVersion(changeClassifyForward, workflow.DefaultVersion, workflow.Version(1)).Return(workflow.DefaultVersion).Maybe()
	}
	m := h.mocks()
	for _, d := range h.delays { // specific mocks first: testify takes the first match
		fns, ok := m[d.name]
		require.True(h.t, ok, d.name)
		h.env.OnActivity(fns[0], mock.Anything, mock.MatchedBy(d.match)).After(d.d).Return(fns[1]).Maybe()
	}
	for _, fns := range m {
		h.env.OnActivity(fns[0], mock.Anything, mock.Anything).Return(fns[1]).Maybe()
	}
}

// mitigationChild stands in for a Mitigation child (mitigation_case.go):
// it waits, up to 60 days, for the case to end it, and records the end as
// "MitigationEnd" with the child's workflow ID.
func (h *harness) mitigationChild(ctx workflow.Context, in MitigationInput) (MitigationResult, error) {
	var end MitigationEnd
	ok, _ := workflow.GetSignalChannel(ctx, SignalMitigationEnd).ReceiveWithTimeout(ctx, 60*day, &end)
	if !ok {
		return MitigationResult{Status: models.MitigationActive}, nil
	}
	h.record("MitigationEnd", MitigationWorkflowID(in.MitigationID))
	return MitigationResult{Status: models.MitigationRemoved}, nil
}

// start runs a case to its end (or until the test's callbacks stop it).
func (h *harness) start(in CaseInput) {
	h.startAs(WorkflowCase2, in)
}

// startAs starts the case as a workflow of the type given (WorkflowCase:
// a case started before WorkflowCase2, pinned.go).
func (h *harness) startAs(workflowType string, in CaseInput) {
	h.category = in.Category
	h.install()
	h.env.ExecuteWorkflow(workflowType, in)
}

// at runs fn on the workflow clock, d after the start.
func (h *harness) at(d time.Duration, fn func()) { h.env.RegisterDelayedCallback(fn, d) }

// decide sends an analyst decision to the case, d after the start.
func (h *harness) decide(d time.Duration, dec Decision) *updateOutcome {
	return h.decideOn("", d, dec)
}

// decideOn sends an analyst decision to the workflow with ID id ("" is the
// workflow under test), d after the start.
func (h *harness) decideOn(id string, d time.Duration, dec Decision) *updateOutcome {
	u := &updateOutcome{ID: fmt.Sprintf("update-%d", len(h.updates)+1), Decision: dec}
	h.updates = append(h.updates, u)
	h.at(d, func() {
		u.At = h.env.Now().UTC()
		cb := &testsuite.TestUpdateCallback{
			OnAccept:   func() { u.Accepted = true },
			OnReject:   func(err error) { u.Rejected = err },
			OnComplete: func(_ interface{}, err error) { u.Completed = true; u.Err = err },
		}
		if id == "" {
			h.env.UpdateWorkflow(UpdateDecide, u.ID, cb, dec)
			return
		}
		require.NoError(h.t, h.env.UpdateWorkflowByID(id, UpdateDecide, u.ID, cb, dec))
	})
	return u
}

// signal sends a signal to the case, d after the start.
func (h *harness) signal(d time.Duration, name string, payload any) {
	h.at(d, func() { h.env.SignalWorkflow(name, payload) })
}

// operatorAnswers signals an operator response received at that moment.
func (h *harness) operatorAnswers(d time.Duration, kind OperatorResponseKind) {
	h.at(d, func() {
		h.env.SignalWorkflow(SignalOperatorResponse, OperatorResponse{NoticeID: "n-1", Response: kind, ReceivedAt: h.env.Now().UTC()})
	})
}

// statusAt captures the case status d after the start.
func (h *harness) statusAt(d time.Duration) *CaseStatus {
	st := &CaseStatus{}
	h.at(d, func() { *st = h.status() })
	return st
}

func (h *harness) status() CaseStatus {
	v, err := h.env.QueryWorkflow(QueryStatus)
	require.NoError(h.t, err)
	var st CaseStatus
	require.NoError(h.t, v.Get(&st))
	return st
}
