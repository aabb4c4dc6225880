package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// mitigationEnv is a test environment running one MitigationWorkflow with
// its activities mocked; changes records every ChangeMitigation with the
// workflow clock when it ran.
type mitigationEnv struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	mu      sync.Mutex
	applied []activities.MitigationSpec
	changes []activities.MitigationChangeInput
	notices []activities.NoticeInput
}

func newMitigationEnv(t *testing.T) *mitigationEnv {
	var suite testsuite.WorkflowTestSuite
	e := &mitigationEnv{t: t, env: suite.NewTestWorkflowEnvironment()}
	e.env.RegisterWorkflowWithOptions(MitigationWorkflow, workflow.RegisterOptions{Name: WorkflowMitigation})
	activities.Register(e.env, &activities.Activities{})
	e.env.SetStartTime(t0)
	e.env.OnActivity(activities.ActApplyMitigation, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.MitigationSpec) (activities.MitigationResult, error) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.applied = append(e.applied, in)
			return activities.MitigationResult{ID: in.ID, Status: in.Status}, nil
		})
	e.env.OnActivity(activities.ActChangeMitigation, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.MitigationChangeInput) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.changes = append(e.changes, in)
			return nil
		})
	e.env.OnActivity(activities.ActSendNotice, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.NoticeInput) (activities.NoticeResult, error) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.notices = append(e.notices, in)
			return activities.NoticeResult{NoticeID: "n-" + in.Step}, nil
		})
	return e
}

func (e *mitigationEnv) at(d time.Duration, fn func()) { e.env.RegisterDelayedCallback(fn, d) }

func (e *mitigationEnv) state() MitigationState {
	v, err := e.env.QueryWorkflow(QueryMitigation)
	require.NoError(e.t, err)
	var st MitigationState
	require.NoError(e.t, v.Get(&st))
	return st
}

// review sends an analyst's answer d after the start; the returned error
// is the validator's refusal, if any.
func (e *mitigationEnv) review(d time.Duration, r MitigationReview) *error {
	rejected := new(error)
	e.at(d, func() {
		e.env.UpdateWorkflow(UpdateMitigationReview, "review-"+d.String(), &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { *rejected = err },
			OnComplete: func(any, error) {},
		}, r)
	})
	return rejected
}

// steps lists the changes as "kind:to@offset from the start".
func (e *mitigationEnv) steps() []string {
	var out []string
	for _, c := range e.changes {
		out = append(out, c.Kind+":"+string(c.To)+"@"+c.At.Sub(t0).String())
	}
	return out
}

func (e *mitigationEnv) result() MitigationResult {
	require.True(e.t, e.env.IsWorkflowCompleted())
	require.NoError(e.t, e.env.GetWorkflowError())
	var res MitigationResult
	require.NoError(e.t, e.env.GetWorkflowResult(&res))
	return res
}

func interstitialInput() MitigationInput {
	return MitigationInput{MitigationID: "m1", CaseID: testCaseID, Step: "mitigation:phishing_interstitial:1",
		AccountID: "acct-1", Domain: "shop.example", Type: models.MitigationPhishingInterstitial,
		EntityType: models.EntityURLPattern, EntityID: "https://shop.example/login", Reason: "phishing",
		By: "ana", Pending: true, EffectiveDate: t0.Add(24 * time.Hour), ReviewWindow: 72 * time.Hour}
}

// TestMitigationPendingBecomesActiveAtEffectiveDate: a pending mitigation
// is applied pending and made active by the timer at its effective date,
// not before; an end signal later removes it and the workflow completes.
func TestMitigationPendingBecomesActiveAtEffectiveDate(t *testing.T) {
	e := newMitigationEnv(t)
	var before, after MitigationState
	e.at(23*time.Hour, func() { before = e.state() })
	e.at(25*time.Hour, func() { after = e.state() })
	e.at(30*time.Hour, func() {
		e.env.SignalWorkflow(SignalMitigationEnd, MitigationEnd{By: "system", Reason: "operator removed the content"})
	})
	e.env.ExecuteWorkflow(WorkflowMitigation, interstitialInput())
	require.Equal(t, models.MitigationRemoved, e.result().Status)
	require.Len(t, e.applied, 1)
	require.Equal(t, models.MitigationPending, e.applied[0].Status)
	require.Equal(t, models.MitigationPending, before.Status)
	require.Equal(t, models.MitigationActive, after.Status)
	require.Equal(t, []string{"status:active@24h0m0s", "status:removed@30h0m0s"}, e.steps())
}

// TestMitigationCancelledBeforeEffectiveDate: an interstitial the customer
// made unnecessary before its effective date is cancelled, never active.
func TestMitigationCancelledBeforeEffectiveDate(t *testing.T) {
	e := newMitigationEnv(t)
	e.at(2*time.Hour, func() {
		e.env.SignalWorkflow(SignalMitigationCancel, MitigationCancel{By: "ana", Reason: "the customer took the page down"})
	})
	e.env.ExecuteWorkflow(WorkflowMitigation, interstitialInput())
	require.Equal(t, models.MitigationCancelled, e.result().Status)
	require.Equal(t, []string{"status:cancelled@2h0m0s"}, e.steps())
	require.Equal(t, "ana", e.changes[0].Actor)
	require.Equal(t, "the customer took the page down", e.changes[0].Reason)
}

// TestMitigationAppealUpheld: an appeal puts an active mitigation in
// review with the analyst's deadline; a review past it is marked overdue
// (not decided); the analyst upholds it (active again), the customer is
// told, and a second appeal changes nothing.
func TestMitigationAppealUpheld(t *testing.T) {
	e := newMitigationEnv(t)
	in := interstitialInput()
	in.Pending = false
	appeal := MitigationAppeal{Reason: AppealMisclassified, Statement: "it is our own bank's login page", By: "customer:acct-1"}
	var inReview, overdue MitigationState
	e.at(time.Hour, func() { e.env.SignalWorkflow(SignalMitigationAppeal, appeal) })
	early := e.review(2*time.Hour, MitigationReview{Decision: "maybe", Analyst: "ana"})
	e.at(3*time.Hour, func() { inReview = e.state() })
	e.at(80*time.Hour, func() { overdue = e.state() })
	e.review(90*time.Hour, MitigationReview{Decision: ReviewUphold, Analyst: "ana", Note: "the page imitates another bank"})
	e.at(91*time.Hour, func() { e.env.SignalWorkflow(SignalMitigationAppeal, appeal) })
	e.at(100*time.Hour, func() {
		e.env.SignalWorkflow(SignalMitigationEnd, MitigationEnd{By: "system", Reason: "case restored"})
	})
	e.env.ExecuteWorkflow(WorkflowMitigation, in)

	require.Equal(t, models.MitigationRemoved, e.result().Status)
	require.Error(t, *early, "a malformed review is refused before it enters history")
	require.Equal(t, models.MitigationInReview, inReview.Status)
	require.Equal(t, t0.Add(73*time.Hour), *inReview.ReviewDeadline)
	require.True(t, overdue.ReviewOverdue)
	require.Equal(t, models.MitigationInReview, overdue.Status, "an overdue review is not decided for the analyst")
	require.Equal(t, []string{"appeal:in_review@1h0m0s", "overdue:in_review@73h0m0s", "status:active@90h0m0s",
		"status:removed@100h0m0s"}, e.steps())
	require.Equal(t, AppealMisclassified, e.changes[0].AppealReason)
	require.Equal(t, ReviewUphold, e.changes[2].ReviewDecision)
	require.Len(t, e.notices, 1)
	require.Equal(t, activities.NoticeCustomerAppealOutcome, e.notices[0].Kind)
	require.Equal(t, models.RoleOperator, e.notices[0].Role)
	require.Equal(t, ReviewUphold, e.notices[0].Facts["decision"])
}

// TestMitigationAppealLifted: the analyst lifts the mitigation under
// review: it is removed, the customer is told, the workflow completes; a
// review of a mitigation not in review is refused.
func TestMitigationAppealLifted(t *testing.T) {
	e := newMitigationEnv(t)
	in := interstitialInput()
	in.Pending = false
	tooEarly := e.review(30*time.Minute, MitigationReview{Decision: ReviewLift, Analyst: "ana"})
	e.at(time.Hour, func() {
		e.env.SignalWorkflow(SignalMitigationAppeal, MitigationAppeal{Reason: AppealRemoved, Statement: "we removed the page", By: "customer:acct-1"})
	})
	e.review(5*time.Hour, MitigationReview{Decision: ReviewLift, Analyst: "ana", Note: "the page is gone"})
	e.env.ExecuteWorkflow(WorkflowMitigation, in)

	require.Equal(t, models.MitigationRemoved, e.result().Status)
	require.Error(t, *tooEarly, "an active mitigation takes no review")
	require.Equal(t, []string{"appeal:in_review@1h0m0s", "status:removed@5h0m0s"}, e.steps())
	require.Equal(t, ReviewLift, e.changes[1].ReviewDecision)
	require.Len(t, e.notices, 1)
	require.Equal(t, ReviewLift, e.notices[0].Facts["decision"])
	require.Equal(t, "mitigation-appeal-outcome:m1", e.notices[0].Step)
}
