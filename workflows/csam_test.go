package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// csamHarness is a CSAM report about one hosted object, asked to be
// forwarded to the operator (which must never happen).
func csamHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.classify = targets(hostedTarget(hostedDomain, "acct-1", "obj-1"))
	return h
}

func requireNoOperatorNotice(t *testing.T, h *harness) {
	t.Helper()
	for _, n := range h.noticeInputs() {
		require.NotEqual(t, models.RoleOperator, n.Role, "CSAM notice %s went to the operator", n.Step)
	}
}

// requireDisabledAtOnce: the content is disabled at the start, before the
// analyst's decision, and the clearinghouse report is filed.
func requireDisabledAtOnce(t *testing.T, h *harness, before *CaseStatus) {
	t.Helper()
	dis := h.callsOf("DisableObjects")
	require.Len(t, dis, 1)
	require.Equal(t, activities.ObjectsInput{CaseID: testCaseID, Step: "disable-csam", ObjectIDs: []string{"obj-1"}, Reason: "csam"}, dis[0].Arg)
	require.Equal(t, t0, dis[0].At)
	require.Less(t, h.index("DisableObjects", nil), h.index("RecordDecision", nil))
	require.Equal(t, models.StatusAwaitingAnalyst, before.Status, "disabled while awaiting the analyst")
	require.Equal(t, []any{activities.ClearinghouseInput{CaseID: testCaseID}}, h.args("FileClearinghouseReport"))
}

func TestCSAMHostedViolates(t *testing.T) {
	h := csamHarness(t)
	before := h.statusAt(30 * time.Minute)
	d := h.decide(time.Hour, Decision{Verdict: VerdictViolates, Clause: "csam", Reason: "confirmed"})
	h.start(caseInput(models.CategoryCSAM, true))

	requireAccepted(t, d)
	h.requireClosed(models.OutcomeContentRemoved)
	requireDisabledAtOnce(t, h, before)
	requireNoOperatorNotice(t, h)
	h.requireNotices(reporterDecision)
	rm := h.args("RemoveObjects")
	require.Equal(t, []any{activities.ObjectsInput{CaseID: testCaseID, Step: "remove-csam", ObjectIDs: []string{"obj-1"}, Reason: "csam"}}, rm)
	require.Equal(t, []activities.StrikeInput{{CaseID: testCaseID, AccountID: "acct-1", Category: models.CategoryCSAM, Clause: "csam"}}, h.strikes())
	require.Empty(t, h.callsOf("RestoreObjects"))
}

func TestCSAMHostedNoViolationRestores(t *testing.T) {
	h := csamHarness(t)
	before := h.statusAt(30 * time.Minute)
	d := h.decide(time.Hour, Decision{Verdict: VerdictNoViolation, Reason: "adult content, verified"})
	h.start(caseInput(models.CategoryCSAM, true))

	requireAccepted(t, d)
	h.requireClosed(models.OutcomeNoViolation)
	requireDisabledAtOnce(t, h, before)
	requireNoOperatorNotice(t, h)
	h.requireNotices(reporterDecision)
	require.Equal(t, []any{activities.ObjectsInput{CaseID: testCaseID, Step: "restore-csam", ObjectIDs: []string{"obj-1"}, Reason: "adult content, verified"}},
		h.args("RestoreObjects"))
	require.Empty(t, h.callsOf("RecordStrike"))
}

// TestCSAMDisabledEvenWhenTheClearinghouseIsSlow: "disables hosted content at
// once" must not wait on the clearinghouse (which may be unreachable for
// hours while its activity retries).
func TestCSAMDisabledEvenWhenTheClearinghouseIsSlow(t *testing.T) {
	h := csamHarness(t)
	h.slow("FileClearinghouseReport", func(any) bool { return true }, 6*time.Hour)
	before := h.statusAt(7 * time.Hour)
	h.decide(8*time.Hour, Decision{Verdict: VerdictViolates, Clause: "csam", Reason: "confirmed"})
	h.start(caseInput(models.CategoryCSAM, false))

	h.requireClosed(models.OutcomeContentRemoved)
	dis := h.callsOf("DisableObjects")
	require.Len(t, dis, 1)
	require.Equal(t, t0, dis[0].At, "disabled at once, not after the clearinghouse answered")
	require.Equal(t, models.StatusAwaitingAnalyst, before.Status)
	require.Len(t, h.callsOf("FileClearinghouseReport"), 1)
	requireNoOperatorNotice(t, h)
}

func TestCSAMHostedWithCDNTargetNeverTellsAnyOperator(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(cdnTarget("a-cdn.example", "acct-2", true), hostedTarget("b-hosted.example", "acct-1", "obj-1"))
	h.decide(time.Hour, Decision{Verdict: VerdictViolates, Clause: "csam", Reason: "confirmed"})
	h.start(caseInput(models.CategoryCSAM, true))

	h.requireClosed(models.OutcomeContentRemoved)
	requireNoOperatorNotice(t, h)
	h.requireNotices(hostForward("a-cdn.example"), reporterForwarded, reporterDecision)
	dis := h.callsOf("DisableObjects")
	require.Len(t, dis, 1)
	require.Equal(t, t0, dis[0].At)
}
