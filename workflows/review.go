package workflows

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// WorkflowTerminationReview is the registration name of the review child.
const WorkflowTerminationReview = "TerminationReview"

const reviewIDPrefix = "TerminationReview:"

// ReviewWorkflowID is the deterministic ID of an account's review of one
// kind: whatever the number of cases that trigger it, one is open at a time.
func ReviewWorkflowID(accountID, kind string) string {
	return reviewIDPrefix + accountID + ":" + kind
}

// ReviewInput starts a termination review.
type ReviewInput struct {
	AccountID     string
	Kind          string
	TriggerCaseID string
}

// ReviewResult is how a review ended.
type ReviewResult struct {
	Verdict Verdict
}

// ReviewStatus answers QueryStatus on a review.
type ReviewStatus struct {
	AccountID string
	Kind      string
	Status    models.ReviewState
	History   activities.AccountHistory
	Decision  *Decision
}

// TerminationReview gathers an account's history and waits for an analyst
// to terminate or decline. Terminating hosting needs a reason; terminating
// a non-hosting service (CDN, registrar) also needs a recorded legal basis.
func TerminationReview(ctx workflow.Context, in ReviewInput) (ReviewResult, error) {
	st := &ReviewStatus{AccountID: in.AccountID, Kind: in.Kind, Status: models.ReviewGathering}
	var pending *Decision
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (ReviewStatus, error) { return *st, nil }); err != nil {
		return ReviewResult{}, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateDecide,
		func(ctx workflow.Context, d Decision) (DecisionResult, error) {
			pending = &d
			st.Decision = &d
			return DecisionResult{Status: models.Status(st.Status)}, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(d Decision) error {
			if st.Decision != nil {
				return conflict("the review is already decided (%s)", st.Decision.Verdict)
			}
			if st.Status != models.ReviewAwaitingAnalyst {
				return conflict("the review is %s", st.Status)
			}
			return ValidateTermination(d)
		}},
	); err != nil {
		return ReviewResult{}, err
	}
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	status := func(s models.ReviewState, d *Decision) error {
		st.Status = s
		in := activities.ReviewStatusInput{ReviewID: id, AccountID: in.AccountID, Kind: in.Kind, Status: s, TriggerCaseID: in.TriggerCaseID}
		if d != nil {
			in.Verdict, in.Reason, in.Analyst = string(d.Verdict), d.Reason, d.Analyst
		}
		return workflow.ExecuteActivity(withDB(ctx), activities.ActSetReviewStatus, in).Get(ctx, nil)
	}
	if err := workflow.ExecuteActivity(withDB(ctx), activities.ActAccountHistory, activities.AccountHistoryInput{
		AccountID: in.AccountID, Kind: in.Kind,
	}).Get(ctx, &st.History); err != nil {
		return ReviewResult{}, err
	}
	if err := status(models.ReviewAwaitingAnalyst, nil); err != nil {
		return ReviewResult{}, err
	}
	if err := workflow.Await(ctx, func() bool { return pending != nil }); err != nil {
		return ReviewResult{}, err
	}
	d := *pending
	if d.Verdict == VerdictTerminate {
		service := "hosting"
		if d.LegalBasis != "" && terminationService(d) != "" {
			service = terminationService(d)
		}
		if err := workflow.ExecuteActivity(withDB(ctx), activities.ActTerminateAccount, activities.TerminateInput{
			ReviewID: id, AccountID: in.AccountID, Kind: in.Kind, Service: service,
			Reason: d.Reason, LegalBasis: d.LegalBasis, Analyst: d.Analyst,
		}).Get(ctx, nil); err != nil {
			return ReviewResult{}, err
		}
		if err := workflow.ExecuteActivity(withNotice(ctx), activities.ActSendNotice, activities.NoticeInput{
			CaseID: id, Step: "operator-terminated", Kind: activities.NoticeOperatorTerminated,
			Role: models.RoleOperator, AccountID: in.AccountID,
			Facts: map[string]string{"service": service, "reason": d.Reason, "kind": in.Kind},
		}).Get(ctx, nil); err != nil {
			return ReviewResult{}, err
		}
	}
	if err := status(models.ReviewClosed, &d); err != nil {
		return ReviewResult{}, err
	}
	_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return ReviewResult{Verdict: d.Verdict}, nil
}

// terminationService is the service a terminate decision names: Service,
// or Clause in decisions from before Service existed.
func terminationService(d Decision) string {
	if d.Service != "" {
		return d.Service
	}
	return d.Clause
}

// ValidateTermination checks a review decision. For terminate, Service
// names the service ("hosting" by default; "cdn" or "registrar" need
// LegalBasis).
func ValidateTermination(d Decision) error {
	switch d.Verdict {
	case VerdictTerminate, VerdictDecline:
	default:
		return malformed("a termination review takes terminate or decline, not %q", d.Verdict)
	}
	if d.Reason == "" {
		return malformed("a %s decision needs a reason", d.Verdict)
	}
	if d.Verdict == VerdictTerminate {
		switch svc := terminationService(d); svc {
		case "", "hosting":
		case "cdn", "registrar":
			if d.LegalBasis == "" {
				return malformed("terminating the %s service needs a recorded legal basis (a court order reference or a named legal obligation)", svc)
			}
		default:
			return malformed("unknown service %q to terminate (hosting, cdn, registrar)", svc)
		}
	}
	return nil
}

// reviewIfDue opens the termination reviews a strike against acct calls
// for, as children that outlive the case. A review already open for the
// account and kind is left alone: that is the one-review-per-account
// guarantee.
func (s *caseState) reviewIfDue(ctx workflow.Context, acct string, res activities.StrikeResult) error {
	for _, kind := range res.Reviews {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            ReviewWorkflowID(acct, kind),
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		})
		f := workflow.ExecuteChildWorkflow(cctx, WorkflowTerminationReview, ReviewInput{
			AccountID: acct, Kind: kind, TriggerCaseID: s.in.CaseID,
		})
		if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			if !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
				return fmt.Errorf("open %s review: %w", kind, err)
			}
		}
	}
	return nil
}
