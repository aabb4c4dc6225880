package workflows

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

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

// receipt is the DSA Art. 16(4) confirmation every case sends first.
var receipt = sent{Step: "reporter-receipt", Role: models.RoleReporter, Kind: activities.NoticeReporterReceipt}

// requireNotices requires the receipt once and exactly these other
// notices, in any order, each once.
func (h *harness) requireNotices(want ...sent) {
	h.t.Helper()
	var rest []sent
	receipts := 0
	for _, s := range h.sent() {
		if s == receipt {
			receipts++
			continue
		}
		rest = append(rest, s)
	}
	require.LessOrEqual(h.t, receipts, 1, "at most one receipt to the reporter")
	require.ElementsMatch(h.t, want, rest)
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
