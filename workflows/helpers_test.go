package workflows

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
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

	mu       sync.Mutex
	calls    []call
	children []childStart

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
	env.RegisterWorkflowWithOptions(TerminationReview, workflow.RegisterOptions{Name: WorkflowTerminationReview})
	// Activities has exported helpers that are not activities (NoticeToken,
	// RenderForDelivery): plain RegisterActivity panics on them.
	env.RegisterActivityWithOptions(&activities.Activities{}, activity.RegisterOptions{SkipInvalidStructFunctions: true})
	env.SetStartTime(t0)
	h := &harness{t: t, env: env}
	env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, args converter.EncodedValues) {
		var in ReviewInput
		require.NoError(t, args.Get(&in))
		h.mu.Lock()
		defer h.mu.Unlock()
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
	return map[string][2]any{
		"Classify": {a.Classify, func(_ context.Context, in activities.ClassifyInput) (activities.ClassifyResult, error) {
			h.record("Classify", in)
			return h.classify, nil
		}},
		"SendNotice": {a.SendNotice, func(_ context.Context, in activities.NoticeInput) (activities.NoticeResult, error) {
			h.record("SendNotice", in)
			return activities.NoticeResult{NoticeID: in.CaseID + "/" + in.Step}, nil
		}},
		"SetStatus": {a.SetStatus, func(_ context.Context, in activities.StatusInput) error {
			h.record("SetStatus", in)
			return nil
		}},
		"RecordDecision": {a.RecordDecision, func(_ context.Context, in activities.DecisionRecord) error {
			h.record("RecordDecision", in)
			return nil
		}},
		"DisableObjects": {a.DisableObjects, objects("DisableObjects")},
		"RestoreObjects": {a.RestoreObjects, objects("RestoreObjects")},
		"RemoveObjects":  {a.RemoveObjects, objects("RemoveObjects")},
		"RecordStrike": {a.RecordStrike, func(_ context.Context, in activities.StrikeInput) (activities.StrikeResult, error) {
			h.record("RecordStrike", in)
			var res activities.StrikeResult
			if h.strikeReviews != nil {
				res.Reviews = h.strikeReviews(in)
			}
			return res, nil
		}},
		"SetDomainStatus": {a.SetDomainStatus, func(_ context.Context, in activities.DomainInput) error {
			h.record("SetDomainStatus", in)
			return nil
		}},
		"FileClearinghouseReport": {a.FileClearinghouseReport, func(_ context.Context, in activities.ClearinghouseInput) (activities.ClearinghouseResult, error) {
			h.record("FileClearinghouseReport", in)
			return activities.ClearinghouseResult{Reference: "ch-1"}, nil
		}},
		"AccountHistory": {a.AccountHistory, func(_ context.Context, in activities.AccountHistoryInput) (activities.AccountHistory, error) {
			h.record("AccountHistory", in)
			return h.history, nil
		}},
		"TerminateAccount": {a.TerminateAccount, func(_ context.Context, in activities.TerminateInput) error {
			h.record("TerminateAccount", in)
			return nil
		}},
		"SetReviewStatus": {a.SetReviewStatus, func(_ context.Context, in activities.ReviewStatusInput) error {
			h.record("SetReviewStatus", in)
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

// start runs a case to its end (or until the test's callbacks stop it).
func (h *harness) start(in CaseInput) {
	h.install()
	h.env.ExecuteWorkflow(WorkflowCase, in)
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

// result requires the case to have completed without error.
func (h *harness) result() CaseResult {
	h.t.Helper()
	require.True(h.t, h.env.IsWorkflowCompleted())
	require.NoError(h.t, h.env.GetWorkflowError())
	var res CaseResult
	require.NoError(h.t, h.env.GetWorkflowResult(&res))
	return res
}

// requireClosed requires the case to have completed, closed with outcome.
func (h *harness) requireClosed(out models.Outcome) {
	h.t.Helper()
	res := h.result()
	require.Equal(h.t, CaseResult{Status: models.StatusClosed, Outcome: out}, res)
	st := h.status()
	require.Equal(h.t, models.StatusClosed, st.Status)
	require.Equal(h.t, out, st.Outcome)
	require.Empty(h.t, st.Awaiting)
	last := h.args("SetStatus")
	require.NotEmpty(h.t, last)
	require.Equal(h.t, models.StatusClosed, last[len(last)-1].(activities.StatusInput).Status)
	require.Equal(h.t, out, last[len(last)-1].(activities.StatusInput).Outcome)
	h.requireStepsOnce()
}

func (h *harness) callsOf(name string) []call {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []call
	for _, c := range h.calls {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

func (h *harness) args(name string) []any {
	var out []any
	for _, c := range h.callsOf(name) {
		out = append(out, c.Arg)
	}
	return out
}

// index is the position of the first call of name whose argument matches
// (-1 when there is none).
func (h *harness) index(name string, match func(any) bool) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, c := range h.calls {
		if c.Name == name && (match == nil || match(c.Arg)) {
			return i
		}
	}
	return -1
}

func (h *harness) noticeInputs() []activities.NoticeInput {
	var out []activities.NoticeInput
	for _, v := range h.args("SendNotice") {
		out = append(out, v.(activities.NoticeInput))
	}
	return out
}

func (h *harness) notice(step string) (activities.NoticeInput, call) {
	h.t.Helper()
	for _, c := range h.callsOf("SendNotice") {
		if in := c.Arg.(activities.NoticeInput); in.Step == step {
			return in, c
		}
	}
	require.Failf(h.t, "notice not sent", "no notice with step %q in %v", step, h.sent())
	return activities.NoticeInput{}, call{}
}

func (h *harness) sent() []sent {
	var out []sent
	for _, in := range h.noticeInputs() {
		out = append(out, sent{Step: in.Step, Role: in.Role, Kind: in.Kind, OriginIP: in.IncludeOriginIP})
	}
	return out
}

// requireNotices requires exactly these notices, in any order, each once.
func (h *harness) requireNotices(want ...sent) {
	h.t.Helper()
	require.ElementsMatch(h.t, want, h.sent())
}

// requireStepsOnce requires every step-keyed action of the run to have
// happened at most once: a step repeated would be a second notice or a
// second object change.
func (h *harness) requireStepsOnce() {
	h.t.Helper()
	seen := map[string]bool{}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.calls {
		var key string
		switch in := c.Arg.(type) {
		case activities.NoticeInput:
			key = "notice/" + in.CaseID + "/" + in.Step
		case activities.ObjectsInput:
			key = "objects/" + in.Step
		case activities.DomainInput:
			key = "domain/" + in.Step
		case activities.DecisionRecord:
			key = "decision/" + in.Step
		default:
			continue
		}
		require.False(h.t, seen[key], "step %s happened twice", key)
		seen[key] = true
	}
}

func (h *harness) decisionRecords() []activities.DecisionRecord {
	var out []activities.DecisionRecord
	for _, v := range h.args("RecordDecision") {
		out = append(out, v.(activities.DecisionRecord))
	}
	return out
}

func (h *harness) strikes() []activities.StrikeInput {
	var out []activities.StrikeInput
	for _, v := range h.args("RecordStrike") {
		out = append(out, v.(activities.StrikeInput))
	}
	return out
}

// requireAccepted requires an update to have been accepted and applied.
func requireAccepted(t *testing.T, u *updateOutcome) {
	t.Helper()
	require.False(t, u.At.IsZero(), "update %s was never sent", u.ID)
	require.NoError(t, u.Rejected, "update %s (%s)", u.ID, u.Decision.Verdict)
	require.True(t, u.Accepted, "update %s not accepted", u.ID)
	require.True(t, u.Completed, "update %s not completed", u.ID)
	require.NoError(t, u.Err)
}

// requireRejected requires an update to have been refused by the validator
// with an application error of type errType whose message contains substr.
func requireRejected(t *testing.T, u *updateOutcome, errType, substr string) {
	t.Helper()
	require.False(t, u.At.IsZero(), "update %s was never sent", u.ID)
	require.False(t, u.Accepted, "update %s (%s) was accepted", u.ID, u.Decision.Verdict)
	require.False(t, u.Completed)
	require.Error(t, u.Rejected)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(u.Rejected, &appErr), "%T: %v", u.Rejected, u.Rejected)
	require.Equal(t, errType, appErr.Type(), appErr.Error())
	require.Contains(t, appErr.Error(), substr)
}

func caseInput(cat models.Category, forward bool) CaseInput {
	return CaseInput{CaseID: testCaseID, Category: cat, ForwardToOperator: forward, Timers: DefaultTimers}
}

func cdnTarget(domain, account string, providerFound bool) activities.Target {
	t := activities.Target{
		Domain: domain, AccountID: account, Service: models.ServiceCDN, Services: []string{"cdn"}, URLCount: 1,
	}
	if providerFound {
		t.Provider = activities.Provider{Name: "Origin Hosting " + domain, AbuseEmail: "abuse@origin.example", OriginIP: "203.0.113.7", Found: true}
	}
	return t
}

func hostedTarget(domain, account string, objectIDs ...string) activities.Target {
	t := activities.Target{
		Domain: domain, AccountID: account, Service: models.ServiceHosting,
		Services: []string{"cdn", "hosting:pages"}, URLCount: len(objectIDs),
	}
	for _, id := range objectIDs {
		t.Hosted = append(t.Hosted, activities.HostedRef{ObjectID: id, Product: "pages", URL: "https://" + domain + "/" + id})
	}
	return t
}

func registrarTarget(domain, account string) activities.Target {
	return activities.Target{
		Domain: domain, AccountID: account, Service: models.ServiceRegistrar, Services: []string{"registrar"},
		URLCount: 1, RegistrarOnly: true, HasRegistrar: true,
	}
}

func targets(ts ...activities.Target) activities.ClassifyResult {
	n := 0
	for _, t := range ts {
		n += t.URLCount
	}
	return activities.ClassifyResult{Targets: ts, URLCount: n}
}
