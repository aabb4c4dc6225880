package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
)

func referralInput() ReferralInput {
	return ReferralInput{CaseID: "C1", MemberState: "DE", Authority: "lka@polizei.example",
		Suspicion: "a dated threat to attack a school", Urgent: true, By: "analyst-alice", RequestedAt: t0}
}

// TestReferralWorkflow: the referral is recorded, then one notice goes to
// the configured authority, then its sending time is recorded, in that
// order; a notice that fails once is retried and the referral still ends
// with its time; the query answers the state.
func TestReferralWorkflow(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(ReferralWorkflow, workflow.RegisterOptions{Name: WorkflowReferral})
	activities.Register(env, &activities.Activities{})
	env.SetStartTime(t0)
	var calls []string
	var recorded activities.ReferralInput
	env.OnActivity(activities.ActRecordReferral, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ReferralInput) error {
			calls, recorded = append(calls, "record"), in
			return nil
		})
	sends := 0
	env.OnActivity(activities.ActSendReferralNotice, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ReferralRef) (activities.NoticeResult, error) {
			sends++
			calls = append(calls, "notice:"+in.CaseID+":"+in.MemberState)
			if sends == 1 {
				return activities.NoticeResult{}, errors.New("relay down")
			}
			return activities.NoticeResult{NoticeID: "n_1"}, nil
		})
	sentAt := t0.Add(2 * time.Second)
	env.OnActivity(activities.ActRecordReferralSent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ReferralRef) (activities.ReferralSent, error) {
			calls = append(calls, "sent:"+in.NoticeID)
			return activities.ReferralSent{SentAt: sentAt}, nil
		})
	env.ExecuteWorkflow(WorkflowReferral, referralInput())
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, []string{"record", "notice:C1:DE", "notice:C1:DE", "sent:n_1"}, calls)
	require.Equal(t, "lka@polizei.example", recorded.Authority)
	require.Equal(t, "analyst-alice", recorded.By)
	require.True(t, recorded.Urgent)
	require.Equal(t, t0, recorded.RequestedAt)
	var res ReferralResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "n_1", res.NoticeID)
	require.NotNil(t, res.SentAt)
	require.Equal(t, sentAt, res.SentAt.UTC())

	v, err := env.QueryWorkflow(QueryReferral)
	require.NoError(t, err)
	var st ReferralState
	require.NoError(t, v.Get(&st))
	require.True(t, st.Recorded)
	require.Equal(t, "n_1", st.NoticeID)
	require.Equal(t, "DE", st.MemberState)
}

// TestReferralOutboxOnly: with no SMTP relay the notice stays in the
// outbox; the referral ends without a sending time.
func TestReferralOutboxOnly(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(ReferralWorkflow, workflow.RegisterOptions{Name: WorkflowReferral})
	activities.Register(env, &activities.Activities{})
	env.OnActivity(activities.ActRecordReferral, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(activities.ActSendReferralNotice, mock.Anything, mock.Anything).Return(activities.NoticeResult{NoticeID: "n_2"}, nil)
	env.OnActivity(activities.ActRecordReferralSent, mock.Anything, mock.Anything).Return(activities.ReferralSent{}, nil)
	env.ExecuteWorkflow(WorkflowReferral, referralInput())
	require.NoError(t, env.GetWorkflowError())
	var res ReferralResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "n_2", res.NoticeID)
	require.Nil(t, res.SentAt)
}

// TestReferralInvalidNoticeFails: a notice that can never be rendered
// fails the referral for good (no endless retries).
func TestReferralInvalidNoticeFails(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(ReferralWorkflow, workflow.RegisterOptions{Name: WorkflowReferral})
	activities.Register(env, &activities.Activities{})
	env.OnActivity(activities.ActRecordReferral, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(activities.ActSendReferralNotice, mock.Anything, mock.Anything).Return(activities.NoticeResult{},
		temporal.NewNonRetryableApplicationError("bad template", activities.ErrTypeInvalidNotice, nil)).Once()
	env.ExecuteWorkflow(WorkflowReferral, referralInput())
	require.Error(t, env.GetWorkflowError())
	require.Equal(t, "Referral:C1:DE", ReferralWorkflowID("C1", "DE"))
}
