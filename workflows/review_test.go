package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// reviewOn answers RecordStrike with a review of kind for account's
// recorded (not withdrawn) strikes.
func reviewOn(account, kind string) func(activities.StrikeInput) []string {
	return func(in activities.StrikeInput) []string {
		if in.AccountID == account && !in.Withdraw {
			return []string{kind}
		}
		return nil
	}
}

func TestStrikeOpensReviewChild(t *testing.T) {
	h, u := hostedHarness(t)
	h.strikeReviews = reviewOn("acct-1", activities.ReviewRepeatInfringer)
	h.env.OnWorkflow(WorkflowTerminationReview, mock.Anything, mock.Anything).Return(ReviewResult{Verdict: VerdictDecline}, nil).Once()
	h.operatorAnswers(2*day, ResponseRemoved)
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	h.requireClosed(models.OutcomeContentRemoved)
	require.Equal(t, []childStart{{
		ID: ReviewWorkflowID("acct-1", activities.ReviewRepeatInfringer), Type: WorkflowTerminationReview,
		Input: ReviewInput{AccountID: "acct-1", Kind: activities.ReviewRepeatInfringer, TriggerCaseID: testCaseID},
	}}, h.children)
	h.env.AssertExpectations(t)
}

// TestReviewOpensForTheStruckAccount: a case about two accounts' domains
// opens the review of the account whose strikes call for it.
func TestReviewOpensForTheStruckAccount(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(hostedTarget("a.example", "acct-a", "obj-a"), hostedTarget("b.example", "acct-b", "obj-b"))
	h.strikeReviews = reviewOn("acct-b", activities.ReviewRepeatInfringer)
	h.env.OnWorkflow(WorkflowTerminationReview, mock.Anything, mock.Anything).Return(ReviewResult{Verdict: VerdictDecline}, nil)
	h.decide(time.Hour, violatesIP)
	h.operatorAnswers(2*day, ResponseRemoved)
	h.start(caseInput(models.CategoryCopyright, false))

	h.requireClosed(models.OutcomeContentRemoved)
	require.Len(t, h.children, 1)
	require.Equal(t, ReviewWorkflowID("acct-b", activities.ReviewRepeatInfringer), h.children[0].ID)
	require.Equal(t, "acct-b", h.children[0].Input.AccountID)
}

// TestReviewRunsAndTerminates runs the real review child from a case whose
// operator never answered, and terminates the account's hosting.
func TestReviewRunsAndTerminates(t *testing.T) {
	h, u := hostedHarness(t)
	h.strikeReviews = func(in activities.StrikeInput) []string {
		if in.NoMeaningfulStep {
			return []string{activities.ReviewHosting}
		}
		return nil
	}
	h.history = activities.AccountHistory{AccountID: "acct-1", ActiveStrikes: 3, CaseIDs: []string{"c0", "c-1", testCaseID}}
	reviewID := ReviewWorkflowID("acct-1", activities.ReviewHosting)
	var reviewing ReviewStatus
	h.at(20*day, func() {
		v, err := h.env.QueryWorkflowByID(reviewID, QueryStatus)
		require.NoError(t, err)
		require.NoError(t, v.Get(&reviewing))
	})
	term := h.decideOn(reviewID, 21*day, Decision{Verdict: VerdictTerminate, Reason: "third violation without action", Analyst: "ana"})
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	requireAccepted(t, term)
	h.requireClosed(models.OutcomeContentRemovedNoResponse)
	require.Len(t, h.children, 1)
	require.Equal(t, reviewID, h.children[0].ID)

	require.Equal(t, models.ReviewAwaitingAnalyst, reviewing.Status)
	require.Equal(t, h.history, reviewing.History)
	require.Nil(t, reviewing.Decision)

	require.Equal(t, []any{activities.TerminateInput{
		ReviewID: reviewID, AccountID: "acct-1", Kind: activities.ReviewHosting, Service: "hosting",
		Reason: "third violation without action", Analyst: "ana",
	}}, h.args("TerminateAccount"))
	n, c := h.notice("operator-terminated")
	require.Equal(t, reviewID, n.CaseID)
	require.Equal(t, models.RoleOperator, n.Role)
	require.Equal(t, activities.NoticeOperatorTerminated, n.Kind)
	require.Equal(t, "acct-1", n.AccountID)
	require.Equal(t, "hosting", n.Facts["service"])
	require.Equal(t, t0.Add(21*day), c.At)

	// The child's own end (the test suite's GetWorkflowResultByID answers a
	// child with its parent's result, so read the review's closing write).
	st := h.reviewStatuses()
	require.Len(t, st, 2)
	require.Equal(t, reviewID, st[1].ReviewID)
	require.Equal(t, models.ReviewClosed, st[1].Status)
	require.Equal(t, "terminate", st[1].Verdict)
	require.Equal(t, testCaseID, st[1].TriggerCaseID)
}

// TestReviewAlreadyOpenIsLeftAlone: the second strike of the same case calls
// for the review that is already open; no second one starts.
func TestReviewAlreadyOpenIsLeftAlone(t *testing.T) {
	h, u := hostedHarness(t)
	h.strikeReviews = reviewOn("acct-1", activities.ReviewRepeatInfringer)
	reviewID := ReviewWorkflowID("acct-1", activities.ReviewRepeatInfringer)
	dec := h.decideOn(reviewID, 30*day, Decision{Verdict: VerdictDecline, Reason: "strikes disputed"})
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	requireAccepted(t, dec)
	h.requireClosed(models.OutcomeContentRemovedNoResponse)
	require.Len(t, h.strikes(), 2)
	require.Len(t, h.children, 1)
	require.Empty(t, h.callsOf("TerminateAccount"))
	st := h.reviewStatuses()
	require.Len(t, st, 2, "one review, opened once")
	require.Equal(t, "decline", st[1].Verdict)
}

// reviewHarness runs a TerminationReview on its own.
func reviewHarness(t *testing.T) (*harness, string) {
	h := newHarness(t)
	id := ReviewWorkflowID("acct-1", activities.ReviewRepeatInfringer)
	h.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id})
	h.history = activities.AccountHistory{AccountID: "acct-1", ActiveStrikes: 3}
	return h, id
}

func (h *harness) startReview() {
	h.install()
	h.env.ExecuteWorkflow(WorkflowTerminationReview, ReviewInput{AccountID: "acct-1", Kind: activities.ReviewRepeatInfringer, TriggerCaseID: testCaseID})
}

func (h *harness) reviewResult() ReviewResult {
	h.t.Helper()
	require.True(h.t, h.env.IsWorkflowCompleted())
	require.NoError(h.t, h.env.GetWorkflowError())
	var res ReviewResult
	require.NoError(h.t, h.env.GetWorkflowResult(&res))
	return res
}

func (h *harness) reviewStatuses() []activities.ReviewStatusInput {
	var out []activities.ReviewStatusInput
	for _, v := range h.args("SetReviewStatus") {
		out = append(out, v.(activities.ReviewStatusInput))
	}
	return out
}

func TestTerminationReviewTerminate(t *testing.T) {
	for _, tc := range []struct {
		name        string
		d           Decision
		wantService string
	}{
		{"hosting by default", Decision{Verdict: VerdictTerminate, Reason: "repeat infringer"}, "hosting"},
		{"hosting named", Decision{Verdict: VerdictTerminate, Clause: "hosting", Reason: "repeat infringer"}, "hosting"},
		{"cdn with a legal basis", Decision{Verdict: VerdictTerminate, Clause: "cdn", Reason: "court order", LegalBasis: "order 26-123"}, "cdn"},
		{"registrar with a legal basis", Decision{Verdict: VerdictTerminate, Clause: "registrar", Reason: "court order", LegalBasis: "order 26-124"}, "registrar"},
		{"cdn named as Service", Decision{Verdict: VerdictTerminate, Service: "cdn", Reason: "court order", LegalBasis: "order 26-125"}, "cdn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, id := reviewHarness(t)
			var before ReviewStatus
			h.at(time.Hour, func() {
				v, err := h.env.QueryWorkflow(QueryStatus)
				require.NoError(t, err)
				require.NoError(t, v.Get(&before))
			})
			tc.d.Analyst = "ana"
			u := h.decide(2*time.Hour, tc.d)
			h.startReview()

			requireAccepted(t, u)
			require.Equal(t, ReviewResult{Verdict: VerdictTerminate}, h.reviewResult())
			require.Equal(t, models.ReviewAwaitingAnalyst, before.Status)
			require.Equal(t, h.history, before.History)
			require.Equal(t, []any{activities.AccountHistoryInput{AccountID: "acct-1", Kind: activities.ReviewRepeatInfringer}}, h.args("AccountHistory"))
			require.Equal(t, []any{activities.TerminateInput{
				ReviewID: id, AccountID: "acct-1", Kind: activities.ReviewRepeatInfringer, Service: tc.wantService,
				Reason: tc.d.Reason, LegalBasis: tc.d.LegalBasis, Analyst: "ana",
			}}, h.args("TerminateAccount"))
			h.requireNotices(sent{Step: "operator-terminated", Role: models.RoleOperator, Kind: activities.NoticeOperatorTerminated})
			n, _ := h.notice("operator-terminated")
			require.Equal(t, "acct-1", n.AccountID)
			require.Equal(t, tc.wantService, n.Facts["service"])
			require.Less(t, h.index("TerminateAccount", nil), h.index("SendNotice", nil))
			require.Equal(t, []activities.ReviewStatusInput{
				{ReviewID: id, AccountID: "acct-1", Kind: activities.ReviewRepeatInfringer, Status: "awaiting_analyst", TriggerCaseID: testCaseID},
				{ReviewID: id, AccountID: "acct-1", Kind: activities.ReviewRepeatInfringer, Status: "closed", TriggerCaseID: testCaseID,
					Verdict: "terminate", Reason: tc.d.Reason, Analyst: "ana"},
			}, h.reviewStatuses())
		})
	}
}

func TestTerminationReviewDecline(t *testing.T) {
	h, id := reviewHarness(t)
	u := h.decide(time.Hour, Decision{Verdict: VerdictDecline, Reason: "strikes are stale", Analyst: "ana"})
	h.startReview()

	requireAccepted(t, u)
	require.Equal(t, ReviewResult{Verdict: VerdictDecline}, h.reviewResult())
	require.Empty(t, h.callsOf("TerminateAccount"))
	require.Empty(t, h.sent())
	st := h.reviewStatuses()
	require.Len(t, st, 2)
	require.Equal(t, activities.ReviewStatusInput{ReviewID: id, AccountID: "acct-1", Kind: activities.ReviewRepeatInfringer, Status: "closed",
		TriggerCaseID: testCaseID, Verdict: "decline", Reason: "strikes are stale", Analyst: "ana"}, st[1])
}

func TestTerminationReviewRefusals(t *testing.T) {
	h, _ := reviewHarness(t)
	h.slow("AccountHistory", func(any) bool { return true }, time.Hour)
	h.slow("TerminateAccount", func(any) bool { return true }, 2*time.Hour)
	gathering := h.decide(30*time.Minute, Decision{Verdict: VerdictDecline, Reason: "too early"})
	noBasis := h.decide(2*time.Hour, Decision{Verdict: VerdictTerminate, Clause: "cdn", Reason: "phishing"})
	wrong := h.decide(2*time.Hour+time.Minute, Decision{Verdict: VerdictUphold, Reason: "r"})
	term := h.decide(3*time.Hour, Decision{Verdict: VerdictTerminate, Reason: "repeat infringer"})
	second := h.decide(4*time.Hour, Decision{Verdict: VerdictDecline, Reason: "changed my mind"})
	h.startReview()

	requireRejected(t, gathering, ErrTypeDecisionConflict, "gathering")
	requireRejected(t, noBasis, ErrTypeMalformedDecision, "legal basis")
	requireRejected(t, wrong, ErrTypeMalformedDecision, "terminate or decline")
	requireAccepted(t, term)
	requireRejected(t, second, ErrTypeDecisionConflict, "already decided")
	require.Equal(t, ReviewResult{Verdict: VerdictTerminate}, h.reviewResult())
	require.Len(t, h.callsOf("TerminateAccount"), 1)
	require.Equal(t, "hosting", h.args("TerminateAccount")[0].(activities.TerminateInput).Service)
}

func TestValidateTermination(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    Decision
		ok   bool
	}{
		{"terminate hosting", Decision{Verdict: VerdictTerminate, Reason: "r"}, true},
		{"terminate hosting named", Decision{Verdict: VerdictTerminate, Clause: "hosting", Reason: "r"}, true},
		{"terminate cdn without legal basis", Decision{Verdict: VerdictTerminate, Clause: "cdn", Reason: "r"}, false},
		{"terminate cdn with legal basis", Decision{Verdict: VerdictTerminate, Clause: "cdn", Reason: "r", LegalBasis: "court order 1"}, true},
		{"terminate registrar without legal basis", Decision{Verdict: VerdictTerminate, Clause: "registrar", Reason: "r"}, false},
		{"terminate registrar with legal basis", Decision{Verdict: VerdictTerminate, Clause: "registrar", Reason: "r", LegalBasis: "statute"}, true},
		{"unknown service", Decision{Verdict: VerdictTerminate, Clause: "email", Reason: "r", LegalBasis: "x"}, false},
		{"Service cdn without legal basis", Decision{Verdict: VerdictTerminate, Service: "cdn", Reason: "r"}, false},
		{"Service registrar with legal basis", Decision{Verdict: VerdictTerminate, Service: "registrar", Reason: "r", LegalBasis: "statute"}, true},
		{"unknown Service", Decision{Verdict: VerdictTerminate, Service: "email", Reason: "r", LegalBasis: "x"}, false},
		{"terminate without reason", Decision{Verdict: VerdictTerminate}, false},
		{"decline", Decision{Verdict: VerdictDecline, Reason: "r"}, true},
		{"decline without reason", Decision{Verdict: VerdictDecline}, false},
		{"wrong verdict uphold", Decision{Verdict: VerdictUphold, Reason: "r"}, false},
		{"wrong verdict violates", Decision{Verdict: VerdictViolates, Clause: "ip", Reason: "r"}, false},
		{"empty verdict", Decision{Reason: "r"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateTermination(tc.d)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			var appErr *temporal.ApplicationError
			require.ErrorAs(t, err, &appErr)
			require.Equal(t, ErrTypeMalformedDecision, appErr.Type())
		})
	}
}
