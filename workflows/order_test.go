package workflows

import (
	"context"
	"strings"
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

// orderEnv runs one OrderWorkflow with its activities mocked; every call
// is recorded with the workflow clock at which it ran.
type orderEnv struct {
	t        *testing.T
	env      *testsuite.TestWorkflowEnvironment
	mu       sync.Mutex
	targets  activities.OrderTargets
	steps    []activities.OrderStepInput
	stepAt   map[string]time.Time
	notices  []activities.OrderNoticeInput
	noticeAt map[string]time.Time
	applied  []activities.MitigationSpec
	children []MitigationInput
}

func newOrderEnv(t *testing.T, targets activities.OrderTargets) *orderEnv {
	return newSlowOrderEnv(t, targets, 0)
}

// newSlowOrderEnv: the receipt notice takes slowReceipt (a slow relay).
func newSlowOrderEnv(t *testing.T, targets activities.OrderTargets, slowReceipt time.Duration) *orderEnv {
	var suite testsuite.WorkflowTestSuite
	e := &orderEnv{t: t, env: suite.NewTestWorkflowEnvironment(), targets: targets,
		stepAt: map[string]time.Time{}, noticeAt: map[string]time.Time{}}
	e.env.RegisterWorkflowWithOptions(OrderWorkflow, workflow.RegisterOptions{Name: WorkflowOrder})
	e.env.RegisterWorkflowWithOptions(func(ctx workflow.Context, in MitigationInput) (MitigationResult, error) {
		e.mu.Lock()
		e.children = append(e.children, in)
		e.mu.Unlock()
		return MitigationResult{Status: models.MitigationActive}, nil
	}, workflow.RegisterOptions{Name: WorkflowMitigation})
	activities.Register(e.env, &activities.Activities{})
	e.env.SetStartTime(t0)
	e.env.OnActivity(activities.ActResolveOrder, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.OrderRef) (activities.OrderTargets, error) { return e.targets, nil })
	e.env.OnActivity(activities.ActRecordOrderStep, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.OrderStepInput) (activities.OrderStepResult, error) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.steps = append(e.steps, in)
			e.stepAt[in.Step] = e.env.Now().UTC()
			return activities.OrderStepResult{At: e.env.Now().UTC()}, nil
		})
	send := func(_ context.Context, in activities.OrderNoticeInput) (activities.NoticeResult, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.notices = append(e.notices, in)
		e.noticeAt[in.Step] = e.env.Now().UTC()
		return activities.NoticeResult{NoticeID: "n-" + in.Step}, nil
	}
	if slowReceipt > 0 {
		e.env.OnActivity(activities.ActSendOrderNotice, mock.Anything, mock.MatchedBy(func(in activities.OrderNoticeInput) bool {
			return in.Step == "receipt"
		})).After(slowReceipt).Return(send).Once()
	}
	e.env.OnActivity(activities.ActSendOrderNotice, mock.Anything, mock.Anything).Return(send)
	e.env.OnActivity(activities.ActApplyMitigation, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.MitigationSpec) (activities.MitigationResult, error) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.applied = append(e.applied, in)
			return activities.MitigationResult{ID: in.ID, Status: in.Status}, nil
		})
	return e
}

func (e *orderEnv) run(in OrderInput) OrderResult {
	e.env.ExecuteWorkflow(WorkflowOrder, in)
	require.True(e.t, e.env.IsWorkflowCompleted())
	require.NoError(e.t, e.env.GetWorkflowError())
	var res OrderResult
	require.NoError(e.t, e.env.GetWorkflowResult(&res))
	return res
}

func (e *orderEnv) noticeKinds() []activities.NoticeKind {
	var out []activities.NoticeKind
	for _, n := range e.notices {
		out = append(out, n.Kind)
	}
	return out
}

var cdnTargets = activities.OrderTargets{
	Entities: []activities.OrderEntity{{URL: "https://shop.example/bad", EntityID: "https://shop.example/bad",
		Domain: "shop.example", AccountID: "acct-1", Type: models.MitigationLegalBlock}},
	NotOurs:  []string{"https://elsewhere.example/x"},
	Accounts: []string{"acct-1"},
}

// A TCO removal order is given effect within its hour: receipt confirmed,
// a legal block active in the named country, the authority told what was
// done and when, then the customer.
func TestOrderTCOGivenEffectWithinTheHour(t *testing.T) {
	// A slow SMTP relay delays the receipt by 10 minutes: still in time.
	e := newSlowOrderEnv(t, cdnTargets, 10*time.Minute)
	res := e.run(OrderInput{OrderID: "ord-1", Kind: models.OrderTCORemoval, ReceivedAt: t0, Countries: []string{"DE"}, Reason: "terrorist content"})

	require.Equal(t, models.OrderEffectGiven, res.Status)
	require.Equal(t, t0.Add(time.Hour), OrderDeadline(models.OrderTCORemoval, t0))
	effectAt := e.stepAt["effect"]
	require.False(t, effectAt.IsZero())
	require.LessOrEqual(t, effectAt.Sub(t0), TCOWindow, "effect given within one hour of receipt")
	require.LessOrEqual(t, e.noticeAt["effect"].Sub(t0), TCOWindow, "authority told within the hour")
	require.Equal(t, []activities.NoticeKind{activities.NoticeOrderReceipt, activities.NoticeOrderEffect, activities.NoticeCustomerOrder}, e.noticeKinds())
	require.GreaterOrEqual(t, e.stepAt["receipt"].Sub(t0), 10*time.Minute, "receipt recorded once the mail is out")

	require.Len(t, e.applied, 1)
	m := e.applied[0]
	require.Equal(t, models.MitigationLegalBlock, m.Type)
	require.Equal(t, models.MitigationActive, m.Status)
	require.Equal(t, []string{"DE"}, m.Countries)
	require.Equal(t, "ord-1", m.CaseID)
	require.Equal(t, activities.OrderRestrictionKey("ord-1"), m.StatementKey)
	require.Len(t, e.children, 1)
	require.Equal(t, m.ID, e.children[0].MitigationID)

	var effect activities.OrderStepInput
	for _, s := range e.steps {
		if s.Step == "effect" {
			effect = s
		}
	}
	require.True(t, effect.Restriction)
	require.Contains(t, effect.Effect, "https://shop.example/bad")
	require.Contains(t, effect.Effect, "in DE")
	require.Equal(t, "https://elsewhere.example/x", e.notices[1].Facts["not_ours"])
	require.Equal(t, []string{"receipt", "effect", "customer"}, stepNames(e.steps))
}

// An order none of whose URLs is ours cannot be given effect: the
// authority is told why; nothing is restricted and no customer told.
func TestOrderCannotBeGivenEffect(t *testing.T) {
	e := newOrderEnv(t, activities.OrderTargets{NotOurs: []string{"https://elsewhere.example/x"}})
	res := e.run(OrderInput{OrderID: "ord-2", Kind: models.OrderDSAArt9, ReceivedAt: t0})

	require.Equal(t, models.OrderRefused, res.Status)
	require.Equal(t, []string{"receipt", "refused"}, stepNames(e.steps))
	require.Equal(t, models.OrderRefusalNotOurCustomer, e.steps[1].Reason)
	require.Contains(t, e.steps[1].Detail, "https://elsewhere.example/x")
	require.Equal(t, []activities.NoticeKind{activities.NoticeOrderReceipt, activities.NoticeOrderRefused}, e.noticeKinds())
	require.Equal(t, models.OrderRefusalNotOurCustomer, e.notices[1].Facts["reason"])
	require.Empty(t, e.applied)
	require.Empty(t, e.children)
}

// An order that delays telling the customer until a date: the authority
// learns of the effect at once, the customer only from that date.
func TestOrderCustomerNoticeDelayedUntilTheOrdersDate(t *testing.T) {
	e := newOrderEnv(t, cdnTargets)
	until := t0.Add(6 * 7 * 24 * time.Hour) // TCO Art. 11(3): six weeks
	res := e.run(OrderInput{OrderID: "ord-3", Kind: models.OrderTCORemoval, ReceivedAt: t0, NotifyCustomerAfter: &until})

	require.Equal(t, models.OrderEffectGiven, res.Status)
	require.Less(t, e.noticeAt["effect"].Sub(t0), time.Minute)
	custAt := e.noticeAt["customer:acct-1"]
	require.False(t, custAt.IsZero(), "the customer is told in the end")
	require.False(t, custAt.Before(until), "not before the order's date (%s < %s)", custAt, until)
	require.Less(t, custAt.Sub(until), time.Minute)
	require.Equal(t, []activities.NoticeKind{activities.NoticeOrderReceipt, activities.NoticeOrderEffect, activities.NoticeCustomerOrder}, e.noticeKinds())
	require.Nil(t, e.applied[0].Countries, "no countries: everywhere")
}

// An information order gives the information, restricts nothing.
func TestOrderInformationGivesInformation(t *testing.T) {
	tg := cdnTargets
	tg.Information = "account acct-1: Shop <ops@shop.example>\n"
	e := newOrderEnv(t, tg)
	res := e.run(OrderInput{OrderID: "ord-4", Kind: models.OrderDSAArt10, ReceivedAt: t0})
	require.Equal(t, models.OrderEffectGiven, res.Status)
	require.Empty(t, e.applied)
	require.Contains(t, e.notices[1].Facts["effect"], "ops@shop.example")
	require.False(t, e.steps[1].Restriction)
}

func stepNames(steps []activities.OrderStepInput) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Step)
	}
	return out
}

// An order that cannot be given effect for what it is (a manifest error,
// insufficient information): the authority is told the reason and the
// detail ResolveOrder found and asked to clarify, with the same commands
// as for an order that is not ours; nothing is restricted, no customer
// told.
func TestOrderThatCannotBeGivenEffect(t *testing.T) {
	for _, reason := range []string{models.OrderRefusalManifestError, models.OrderRefusalInsufficientInf} {
		t.Run(reason, func(t *testing.T) {
			detail := "- urls[0]: \"ftp://x\" is not an absolute http(s) URL naming a host"
			e := newOrderEnv(t, activities.OrderTargets{Refusal: reason, RefusalDetail: detail})
			res := e.run(OrderInput{OrderID: "ord-5", Kind: models.OrderTCORemoval, ReceivedAt: t0})

			require.Equal(t, models.OrderRefused, res.Status)
			require.Equal(t, []string{"receipt", "refused"}, stepNames(e.steps))
			require.Equal(t, reason, e.steps[1].Reason)
			require.Equal(t, detail, e.steps[1].Detail)
			require.Equal(t, "cannot be given effect: "+strings.ReplaceAll(reason, "_", " "), e.steps[1].What)
			require.Equal(t, []activities.NoticeKind{activities.NoticeOrderReceipt, activities.NoticeOrderRefused}, e.noticeKinds())
			require.Equal(t, map[string]string{"reason": reason, "detail": detail}, e.notices[1].Facts)
			require.LessOrEqual(t, e.noticeAt["refused"].Sub(t0), TCOWindow, "told without undue delay")
			require.Empty(t, e.applied)
			require.Empty(t, e.children)
			var st OrderState
			v, err := e.env.QueryWorkflow(QueryOrder)
			require.NoError(t, err)
			require.NoError(t, v.Get(&st))
			require.Equal(t, models.OrderRefused, st.Status)
			require.Nil(t, st.EffectGivenAt)
		})
	}
}
