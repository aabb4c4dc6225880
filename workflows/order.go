package workflows

import (
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// The Order workflow (docs/DESIGN.md "Orders"): one per order from an
// authority, with its statutory clock. It confirms receipt to the
// authority, resolves the order's URLs to our customers, gives effect (a
// legal_block mitigation on the CDN, content disabled for content we host,
// each in the order's territorial scope; for an information order, the
// information) and tells the authority what was done and when, or why
// nothing could be done; then it tells each affected customer, at once or
// from the date the order sets (DSA Art. 9(5), 10(5); TCO Art. 11).
const (
	WorkflowOrder = "Order"
	// QueryOrder answers OrderState.
	QueryOrder = "order-status"
)

const orderIDPrefix = "Order:"

// OrderWorkflowID is the workflow ID of an order.
func OrderWorkflowID(orderID string) string { return orderIDPrefix + orderID }

// TCOWindow is the time a removal order under Regulation (EU) 2021/784
// gives (Art. 3(3)): one hour from receipt.
const TCOWindow = time.Hour

// OrderEffectWindow is our own target for "without undue delay" (DSA
// Arts. 9 and 10, court orders): the deadline an order shows.
const OrderEffectWindow = 24 * time.Hour

// OrderDeadline is the deadline of an order of kind received at.
func OrderDeadline(kind models.OrderKind, received time.Time) time.Time {
	if kind == models.OrderTCORemoval {
		return received.Add(TCOWindow)
	}
	return received.Add(OrderEffectWindow)
}

// OrderInput starts an Order workflow.
type OrderInput struct {
	OrderID    string
	Kind       models.OrderKind
	ReceivedAt time.Time
	// Countries: ISO 3166-1 alpha-2 codes; empty is everywhere.
	Countries []string
	// NotifyCustomerAfter: the authority delays telling the customer
	// until then (nil: tell at once).
	NotifyCustomerAfter *time.Time
	Reason              string
	By                  string
	// ReviewWindow is the analyst's deadline for an appeal of the order's
	// mitigations (0: the default).
	ReviewWindow time.Duration
}

// OrderState answers QueryOrder.
type OrderState struct {
	Status        models.OrderStatus
	Deadline      time.Time
	EffectGivenAt *time.Time
	Mitigations   []string
	// CustomerNoticeAt: when the customer is (to be) told.
	CustomerNoticeAt *time.Time
}

// OrderResult is how an order ended.
type OrderResult struct {
	Status models.OrderStatus
}

type orderRun struct {
	in OrderInput
	st OrderState
}

// OrderWorkflow carries one order (see the package comment above).
func OrderWorkflow(ctx workflow.Context, in OrderInput) (OrderResult, error) {
	r := &orderRun{in: in, st: OrderState{Status: models.OrderReceived, Deadline: OrderDeadline(in.Kind, in.ReceivedAt)}}
	if err := workflow.SetQueryHandler(ctx, QueryOrder, func() (OrderState, error) { return r.st, nil }); err != nil {
		return OrderResult{}, err
	}
	if err := r.notice(ctx, "receipt", activities.NoticeOrderReceipt, models.RoleAuthority, "", nil); err != nil {
		return OrderResult{}, err
	}
	if _, err := r.step(ctx, activities.OrderStepInput{Step: "receipt", Mark: activities.OrderMarkReceipt,
		What: "receipt confirmed to the authority"}); err != nil {
		return OrderResult{}, err
	}
	r.st.Status = models.OrderReceiptConfirmed
	var t activities.OrderTargets
	if err := workflow.ExecuteActivity(withDB(ctx), activities.ActResolveOrder, activities.OrderRef{OrderID: in.OrderID}).Get(ctx, &t); err != nil {
		return OrderResult{}, err
	}
	if t.Refusal != "" || len(t.Entities) == 0 {
		return r.refuse(ctx, t)
	}
	effect, err := r.giveEffect(ctx, t)
	if err != nil {
		return OrderResult{}, err
	}
	at, err := r.step(ctx, activities.OrderStepInput{Step: "effect", Mark: activities.OrderMarkEffect,
		What: "effect given: " + effect, Effect: effect, Accounts: t.Accounts, Restriction: in.Kind.Restricts()})
	if err != nil {
		return OrderResult{}, err
	}
	r.st.Status, r.st.EffectGivenAt = models.OrderEffectGiven, &at
	facts := map[string]string{"effect": effect, "effect_at": at.UTC().Format("2006-01-02 15:04:05 UTC"),
		"not_ours": strings.Join(t.NotOurs, "\n")}
	if err := r.notice(ctx, "effect", activities.NoticeOrderEffect, models.RoleAuthority, "", facts); err != nil {
		return OrderResult{}, err
	}
	if err := r.tellCustomers(ctx, t.Accounts, facts); err != nil {
		return OrderResult{}, err
	}
	return OrderResult{Status: r.st.Status}, nil
}

// refuse tells the authority that the order cannot be given effect and
// why: the order's own defect ResolveOrder found (a manifest error,
// insufficient information), or none of its URLs is ours. The commands
// are the same for every reason.
func (r *orderRun) refuse(ctx workflow.Context, t activities.OrderTargets) (OrderResult, error) {
	reason, detail := t.Refusal, t.RefusalDetail
	if reason == "" {
		reason = models.OrderRefusalNotOurCustomer
		detail = "None of the URLs of the order is on a service we provide:\n" + strings.Join(t.NotOurs, "\n")
	}
	if _, err := r.step(ctx, activities.OrderStepInput{Step: "refused", Mark: activities.OrderMarkRefused,
		What: "cannot be given effect: " + strings.ReplaceAll(reason, "_", " "), Reason: reason, Detail: detail}); err != nil {
		return OrderResult{}, err
	}
	r.st.Status = models.OrderRefused
	if err := r.notice(ctx, "refused", activities.NoticeOrderRefused, models.RoleAuthority, "",
		map[string]string{"reason": reason, "detail": detail}); err != nil {
		return OrderResult{}, err
	}
	return OrderResult{Status: r.st.Status}, nil
}

// giveEffect applies the order: each URL's mitigation, active at once (an
// order is in force on receipt), stored before the authority is told and
// then carried by its own Mitigation workflow (appeals, end); for an
// information order, the information gathered. It answers what was done.
func (r *orderRun) giveEffect(ctx workflow.Context, t activities.OrderTargets) (string, error) {
	if !r.in.Kind.Restricts() {
		return "Information provided on the recipients concerned:\n" + t.Information, nil
	}
	scope := "everywhere"
	if len(r.in.Countries) > 0 {
		scope = "in " + strings.Join(r.in.Countries, ", ")
	}
	var b strings.Builder
	var fs []workflow.ChildWorkflowFuture
	now := workflow.Now(ctx).UTC()
	for _, e := range t.Entities {
		step := entityStep(e.Type, e.EntityID)
		id := MitigationID(r.in.OrderID, step)
		mi := MitigationInput{MitigationID: id, CaseID: r.in.OrderID, Step: step, AccountID: e.AccountID, Domain: e.Domain,
			Type: e.Type, EntityType: models.EntityURLPattern, EntityID: e.EntityID, Countries: r.in.Countries,
			Reason: r.in.Reason, StatementKey: activities.OrderRestrictionKey(r.in.OrderID), By: orderBy(r.in.By),
			EffectiveDate: now, ReviewWindow: r.in.ReviewWindow}
		if err := workflow.ExecuteActivity(withDB(ctx), activities.ActApplyMitigation, activities.MitigationSpec{
			ID: id, CaseID: mi.CaseID, Step: step, AccountID: mi.AccountID, Domain: mi.Domain, Type: mi.Type,
			EntityType: mi.EntityType, EntityID: mi.EntityID, Countries: mi.Countries, Status: models.MitigationActive,
			EffectiveDate: now, Reason: mi.Reason, StatementKey: mi.StatementKey, By: mi.By,
		}).Get(ctx, nil); err != nil {
			return "", err
		}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID: MitigationWorkflowID(id), ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		})
		fs = append(fs, workflow.ExecuteChildWorkflow(cctx, WorkflowMitigation, mi))
		r.st.Mitigations = append(r.st.Mitigations, id)
		what := "access blocked at our edge"
		if e.Type == models.MitigationContentDisabled {
			what = "hosted content disabled"
		}
		b.WriteString(e.URL + ": " + what + " " + scope + " (" + string(e.Type) + " " + id + ")\n")
	}
	for _, f := range fs {
		if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			return "", err
		}
	}
	return b.String(), nil
}

// tellCustomers tells each account concerned, from the date the order
// sets when it delays that.
func (r *orderRun) tellCustomers(ctx workflow.Context, accounts []string, facts map[string]string) error {
	if len(accounts) == 0 {
		return nil
	}
	if a := r.in.NotifyCustomerAfter; a != nil {
		r.st.CustomerNoticeAt = a
		if wait := a.Sub(workflow.Now(ctx)); wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return err
			}
		}
	}
	for _, acct := range accounts {
		if err := r.notice(ctx, "customer:"+acct, activities.NoticeCustomerOrder, models.RoleOperator, acct, facts); err != nil {
			return err
		}
	}
	_, err := r.step(ctx, activities.OrderStepInput{Step: "customer", Mark: activities.OrderMarkCustomer,
		What: "customer told of the order, the effect and its redress", Accounts: accounts})
	return err
}

func (r *orderRun) notice(ctx workflow.Context, step string, kind activities.NoticeKind, role models.RecipientRole, acct string, facts map[string]string) error {
	return workflow.ExecuteActivity(withNotice(ctx), activities.ActSendOrderNotice, activities.OrderNoticeInput{
		OrderID: r.in.OrderID, Step: step, Kind: kind, Role: role, AccountID: acct, Facts: facts,
	}).Get(ctx, nil)
}

func (r *orderRun) step(ctx workflow.Context, in activities.OrderStepInput) (time.Time, error) {
	in.OrderID = r.in.OrderID
	var res activities.OrderStepResult
	err := workflow.ExecuteActivity(withDB(ctx), activities.ActRecordOrderStep, in).Get(ctx, &res)
	return res.At, err
}

func orderBy(by string) string {
	if by == "" {
		return "system"
	}
	return by
}
