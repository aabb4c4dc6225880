package desk

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// Referrals to authorities (DSA Art. 18; docs/DESIGN.md "Threats to life
// or safety"): an analyst who finds that a case gives rise to a suspicion
// of a criminal offence involving a threat to someone's life or safety
// refers it to the authority configured for the member state concerned
// (threat_authorities); a Referral workflow records it, mails the
// authority what the desk knows and records when. One referral per case
// and member state: asking again answers the first.

// MaxSuspicion bounds the analyst's statement of the suspicion (bytes).
const MaxSuspicion = 5000

// ReferralRequest is the body of POST /v1/cases/{id}/referrals.
type ReferralRequest struct {
	MemberState string `json:"member_state"`
	// Suspicion: why the analyst suspects a criminal offence threatening
	// someone's life or safety (it goes to the authority).
	Suspicion string `json:"suspicion"`
	Urgent    bool   `json:"urgent,omitempty"`
}

// ReferralView is one referral of a case.
type ReferralView struct {
	MemberState string     `json:"member_state"`
	Authority   string     `json:"authority"`
	Suspicion   string     `json:"suspicion,omitempty"`
	Urgent      bool       `json:"urgent"`
	By          string     `json:"by"`
	RequestedAt time.Time  `json:"requested_at"`
	SentAt      *time.Time `json:"sent_at"`
	NoticeID    string     `json:"notice_id,omitempty"`
	WorkflowID  string     `json:"workflow_id"`
}

// ReferralStarter starts a referral's workflow; started is false when the
// case was referred to that member state already (Temporal implements
// it).
type ReferralStarter interface {
	StartReferral(ctx context.Context, in workflows.ReferralInput) (started bool, err error)
}

// StartReferral starts the referral's workflow unless one with its ID ran
// (a failed one may be started again).
func (t Temporal) StartReferral(ctx context.Context, in workflows.ReferralInput) (bool, error) {
	q := t.TaskQueue
	if q == "" {
		q = workflows.TaskQueue
	}
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.ReferralWorkflowID(in.CaseID, in.MemberState), TaskQueue: q,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		// Without it the SDK answers the existing run as if it started.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, workflows.WorkflowReferral, in)
	if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return false, nil
	}
	return err == nil, err
}

// Refer refers a case to the authority of a member state. It answers the
// referral and whether it is new (false: the case was referred to that
// member state before, and the answer is that referral, unchanged).
func (d *Desk) Refer(ctx context.Context, caseID, analyst string, r ReferralRequest) (ReferralView, bool, error) {
	if len(caseID) > 64 {
		return ReferralView{}, false, NotFound("id", "no such case")
	}
	if _, err := store.Case(ctx, d.DB, caseID); err != nil {
		return ReferralView{}, false, err
	}
	in, problems := d.referralInput(caseID, analyst, &r)
	if len(problems) > 0 {
		return ReferralView{}, false, Problems(KindInvalid, problems)
	}
	starter, ok := d.Engine.(ReferralStarter)
	if !ok {
		return ReferralView{}, false, Fail(KindUnavailable, "", "referrals need the Temporal engine")
	}
	started, err := starter.StartReferral(ctx, in)
	if err != nil {
		return ReferralView{}, false, Fail(KindUnavailable, "", "the referral did not start; nothing was sent, try again: %v", err)
	}
	if started {
		return ReferralView{MemberState: in.MemberState, Authority: in.Authority, Suspicion: in.Suspicion, Urgent: in.Urgent,
			By: in.By, RequestedAt: in.RequestedAt, WorkflowID: workflows.ReferralWorkflowID(caseID, in.MemberState)}, true, nil
	}
	v, err := d.existingReferral(ctx, caseID, in.MemberState)
	return v, false, err
}

// referralInput checks a request and lists every problem; the authority
// is the configured contact of the member state, never one the request
// gives.
func (d *Desk) referralInput(caseID, analyst string, r *ReferralRequest) (workflows.ReferralInput, []models.FieldError) {
	var ps []models.FieldError
	add := func(field, msg string) { ps = append(ps, models.FieldError{Field: field, Message: msg}) }
	code := strings.ToUpper(strings.TrimSpace(r.MemberState))
	configured := d.Cfg.ThreatMemberStates()
	auth, known := d.Cfg.ThreatAuthorityFor(code)
	switch {
	case len(configured) == 0:
		add("member_state", "no authority is configured for referrals (configuration threat_authorities)")
	case code == "":
		add("member_state", "is required: the member state concerned, one of "+strings.Join(configured, ", "))
	case !known:
		add("member_state", "no authority is configured for "+referralClip(code, 10)+"; configured: "+strings.Join(configured, ", "))
	}
	s := strings.TrimSpace(r.Suspicion)
	switch {
	case s == "":
		add("suspicion", "is required: why the information gives rise to a suspicion of a criminal offence threatening someone's life or safety")
	case len(s) > MaxSuspicion:
		add("suspicion", "must be at most 5000 bytes")
	}
	return workflows.ReferralInput{CaseID: caseID, MemberState: code, Authority: auth.Contact, Suspicion: s,
		Urgent: r.Urgent, By: analyst, RequestedAt: time.Now().UTC().Truncate(time.Millisecond)}, ps
}

func referralClip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// existingReferral is a referral made before: its row, or while the
// workflow has not recorded it yet, what the workflow knows.
func (d *Desk) existingReferral(ctx context.Context, caseID, memberState string) (ReferralView, error) {
	r, err := store.Referral(ctx, d.DB, caseID, memberState)
	if err == nil {
		return referralView(r), nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return ReferralView{}, err
	}
	var st workflows.ReferralState
	id := workflows.ReferralWorkflowID(caseID, memberState)
	if err := d.Engine.Query(ctx, id, workflows.QueryReferral, &st); err != nil {
		return ReferralView{}, Fail(KindUnavailable, "", "the referral to %s exists but cannot be read now: %v", memberState, err)
	}
	return ReferralView{MemberState: st.MemberState, Authority: st.Authority, By: st.By, RequestedAt: st.RequestedAt,
		SentAt: st.SentAt, NoticeID: st.NoticeID, WorkflowID: id}, nil
}

func referralView(r models.Referral) ReferralView {
	v := ReferralView{MemberState: r.MemberState, Authority: r.Authority, Suspicion: r.Suspicion, Urgent: r.Urgent, By: r.By,
		RequestedAt: r.RequestedAt.UTC(), NoticeID: r.NoticeID, WorkflowID: workflows.ReferralWorkflowID(r.CaseID, r.MemberState)}
	if r.SentAt != nil {
		t := r.SentAt.UTC()
		v.SentAt = &t
	}
	return v
}

// loadReferrals puts the case's referrals on its view.
func (d *Desk) loadReferrals(ctx context.Context, out *CaseView) error {
	rs, err := store.CaseReferrals(ctx, d.DB, out.CaseID)
	if err != nil {
		return err
	}
	for _, r := range rs {
		out.Referrals = append(out.Referrals, referralView(r))
	}
	return nil
}

// withReferrals adds a case's referrals to its timeline (their own
// workflows carry them): when each was made, and when it went out.
func (d *Desk) withReferrals(ctx context.Context, caseID string, es []TimelineEntry) []TimelineEntry {
	rs, err := store.CaseReferrals(ctx, d.DB, caseID)
	if err != nil || len(rs) == 0 {
		if err != nil && d.Log != nil {
			d.Log.Error("timeline: referrals not read", "case", caseID, "err", err)
		}
		return es
	}
	for _, r := range rs {
		q, cut := truncateUTF8(r.Suspicion, maxTimelineStatement)
		if cut {
			q += " …"
		}
		what := "Referred to the authority of " + r.MemberState + " (DSA Art. 18)"
		if r.Urgent {
			what += ", urgent"
		}
		es = append(es, TimelineEntry{At: r.RequestedAt.UTC(), Who: r.By, What: what, Extra: r.Authority + " · “" + q + "”", Kind: "decision"})
		if r.SentAt != nil {
			es = append(es, TimelineEntry{At: r.SentAt.UTC(), Who: "system", What: "Referral sent to the authority of " + r.MemberState,
				Extra: r.Authority + " · notice " + r.NoticeID, Kind: "activity"})
		}
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].At.Before(es[j].At) })
	return es
}
