package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
)

// The Referral workflow (docs/DESIGN.md "Threats to life or safety"): one
// per case and member state. When an analyst finds that a case's
// information gives rise to a suspicion of a criminal offence involving a
// threat to someone's life or safety, the desk informs the law-enforcement
// or judicial authority of the member state concerned, promptly, with the
// information it has (Regulation (EU) 2022/2065 Art. 18(1)). The workflow
// records the referral, sends the authority one notice and records when
// it went; each step is idempotent, so a retry or a replay sends nothing
// twice.
const (
	WorkflowReferral = "Referral"
	// QueryReferral answers ReferralState.
	QueryReferral = "referral-status"
)

const referralIDPrefix = "Referral:"

// ReferralWorkflowID is the workflow ID of a case's referral to a member
// state: starting it again for the same pair finds the first one.
func ReferralWorkflowID(caseID, memberState string) string {
	return referralIDPrefix + caseID + ":" + memberState
}

// ReferralInput starts a Referral workflow. Authority is the contact
// configured for the member state (configuration threat_authorities).
type ReferralInput struct {
	CaseID      string
	MemberState string
	Authority   string
	Suspicion   string
	Urgent      bool
	By          string
	RequestedAt time.Time
}

// ReferralState answers QueryReferral.
type ReferralState struct {
	CaseID      string
	MemberState string
	Authority   string
	By          string
	RequestedAt time.Time
	Recorded    bool
	NoticeID    string
	// SentAt is when the notice was delivered; nil while it waits in the
	// outbox (no SMTP relay).
	SentAt *time.Time
}

// ReferralResult is how a referral ended.
type ReferralResult struct {
	NoticeID string
	SentAt   *time.Time
}

// ReferralWorkflow carries one referral (see the comment above).
func ReferralWorkflow(ctx workflow.Context, in ReferralInput) (ReferralResult, error) {
	st := ReferralState{CaseID: in.CaseID, MemberState: in.MemberState, Authority: in.Authority, By: in.By, RequestedAt: in.RequestedAt}
	if err := workflow.SetQueryHandler(ctx, QueryReferral, func() (ReferralState, error) { return st, nil }); err != nil {
		return ReferralResult{}, err
	}
	if err := workflow.ExecuteActivity(withDB(ctx), activities.ActRecordReferral, activities.ReferralInput{
		CaseID: in.CaseID, MemberState: in.MemberState, Authority: in.Authority, Suspicion: in.Suspicion,
		Urgent: in.Urgent, By: in.By, RequestedAt: in.RequestedAt,
	}).Get(ctx, nil); err != nil {
		return ReferralResult{}, err
	}
	st.Recorded = true
	ref := activities.ReferralRef{CaseID: in.CaseID, MemberState: in.MemberState}
	var n activities.NoticeResult
	if err := workflow.ExecuteActivity(withNotice(ctx), activities.ActSendReferralNotice, ref).Get(ctx, &n); err != nil {
		return ReferralResult{}, err
	}
	st.NoticeID, ref.NoticeID = n.NoticeID, n.NoticeID
	var sent activities.ReferralSent
	if err := workflow.ExecuteActivity(withDB(ctx), activities.ActRecordReferralSent, ref).Get(ctx, &sent); err != nil {
		return ReferralResult{}, err
	}
	if !sent.SentAt.IsZero() {
		at := sent.SentAt
		st.SentAt = &at
	}
	return ReferralResult{NoticeID: st.NoticeID, SentAt: st.SentAt}, nil
}
