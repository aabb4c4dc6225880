package desk

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// referralEngine is the fake engine that also starts referrals, once per
// workflow ID.
type referralEngine struct {
	fakeEngine
	started map[string]workflows.ReferralInput
}

func (e *referralEngine) StartReferral(_ context.Context, in workflows.ReferralInput) (bool, error) {
	id := workflows.ReferralWorkflowID(in.CaseID, in.MemberState)
	if _, ok := e.started[id]; ok {
		return false, nil
	}
	e.started[id] = in
	return true, nil
}

func referralDesk(t *testing.T) (*Desk, *referralEngine) {
	d, _ := testDesk(t)
	e := &referralEngine{started: map[string]workflows.ReferralInput{}}
	d.Engine = e
	d.Cfg = &config.Config{ThreatAuthorities: []config.ThreatAuthority{
		{MemberState: "DE", Contact: "lka@polizei.example"}, {MemberState: "FR", Contact: "pharos@interieur.example"}}}
	addCase(t, d.DB, "c1", models.StatusAwaitingAnalyst)
	return d, e
}

// TestReferValidation: an unknown case is 404; every problem of the body
// is listed; a member state without a configured authority names the
// configured ones; the authority mailed is the configured one.
func TestReferValidation(t *testing.T) {
	d, e := referralDesk(t)
	ctx := context.Background()
	_, _, err := d.Refer(ctx, "nope", "ana", ReferralRequest{MemberState: "DE", Suspicion: "x"})
	k, _ := Classify(err)
	require.Equal(t, KindNotFound, k)

	_, _, err = d.Refer(ctx, "c1", "ana", ReferralRequest{MemberState: "IT", Suspicion: strings.Repeat("s", MaxSuspicion+1)})
	k, ps := Classify(err)
	require.Equal(t, KindInvalid, k)
	require.Len(t, ps, 2)
	require.Equal(t, "member_state", ps[0].Field)
	require.Contains(t, ps[0].Message, "IT")
	require.Contains(t, ps[0].Message, "configured: DE, FR")
	require.Equal(t, "suspicion", ps[1].Field)

	_, _, err = d.Refer(ctx, "c1", "ana", ReferralRequest{})
	_, ps = Classify(err)
	require.Equal(t, []string{"member_state", "suspicion"}, []string{ps[0].Field, ps[1].Field})
	require.Empty(t, e.started, "nothing started for a refused referral")

	d.Cfg = &config.Config{}
	_, _, err = d.Refer(ctx, "c1", "ana", ReferralRequest{MemberState: "DE", Suspicion: "threat"})
	_, ps = Classify(err)
	require.Contains(t, ps[0].Message, "threat_authorities")
}

// TestReferOncePerMemberState: a referral starts its workflow with the
// configured contact; the same case and member state again answers the
// referral made (not new), from its row once recorded.
func TestReferOncePerMemberState(t *testing.T) {
	d, e := referralDesk(t)
	ctx := context.Background()
	v, created, err := d.Refer(ctx, "c1", "ana", ReferralRequest{MemberState: " de ", Suspicion: " a dated threat to attack a school ", Urgent: true})
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, "DE", v.MemberState)
	require.Equal(t, "lka@polizei.example", v.Authority)
	require.Equal(t, "Referral:c1:DE", v.WorkflowID)
	in := e.started["Referral:c1:DE"]
	require.Equal(t, "lka@polizei.example", in.Authority)
	require.Equal(t, "a dated threat to attack a school", in.Suspicion)
	require.Equal(t, "ana", in.By)

	// The workflow recorded it (as RecordReferral does).
	sent := in.RequestedAt.Add(time.Second)
	_, err = store.RecordReferral(ctx, d.DB, models.Referral{CaseID: "c1", MemberState: "DE", Authority: in.Authority,
		Suspicion: in.Suspicion, Urgent: true, By: "ana", RequestedAt: in.RequestedAt}, nil)
	require.NoError(t, err)
	_, err = store.MarkReferralSent(ctx, d.DB, "c1", "DE", "n_1", sent, nil)
	require.NoError(t, err)

	again, created, err := d.Refer(ctx, "c1", "ben", ReferralRequest{MemberState: "DE", Suspicion: "other words"})
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, "ana", again.By)
	require.NotNil(t, again.SentAt)
	require.Equal(t, sent, *again.SentAt)

	cv, err := d.LoadCase(ctx, "c1")
	require.NoError(t, err)
	require.Len(t, cv.Referrals, 1)
	require.Equal(t, "lka@polizei.example", cv.Referrals[0].Authority)
	es := d.withReferrals(ctx, "c1", nil)
	require.Len(t, es, 2)
	require.Contains(t, es[0].What, "Referred to the authority of DE")
	require.Contains(t, es[1].What, "Referral sent")
}
