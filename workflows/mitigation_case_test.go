package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// scopedTarget is a hosted target whose one object stores everything
// under /site/ and to which two URLs were reported.
func scopedTarget() activities.Target {
	return activities.Target{Domain: hostedDomain, AccountID: "acct-1", Service: models.ServiceHosting,
		Services: []string{"hosting:pages"}, URLCount: 2,
		Hosted: []activities.HostedRef{{ObjectID: "obj-1", Product: "pages", URL: "https://" + hostedDomain + "/site/a/1.html",
			URLPrefix: "https://" + hostedDomain + "/site/",
			URLs:      []string{"https://" + hostedDomain + "/site/a/1.html", "https://" + hostedDomain + "/site/b/2.html"}}}}
}

func (h *harness) mitigationEntities() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, m := range h.mitigations {
		out = append(out, string(m.Type)+" "+m.EntityID)
	}
	return out
}

// TestViolationMitigatesEachReportedURL: a violation starts one active
// content_disabled mitigation per reported URL (not the whole object),
// explained by the disable's statement; the operator's removal ends them.
func TestViolationMitigatesEachReportedURL(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(scopedTarget())
	u := h.decide(time.Hour, violatesIP)
	h.operatorAnswers(2*day, ResponseRemoved)
	h.start(caseInput(models.CategoryCopyright, false))

	requireAccepted(t, u)
	h.requireClosed(models.OutcomeContentRemoved)
	require.Equal(t, []string{"content_disabled https://" + hostedDomain + "/site/a/1.html",
		"content_disabled https://" + hostedDomain + "/site/b/2.html"}, h.mitigationEntities())
	m := h.mitigations[0]
	require.False(t, m.Pending)
	require.Equal(t, models.EntityURLPattern, m.EntityType)
	require.Equal(t, "restriction:"+testCaseID+":disable:obj-1", m.StatementKey)
	require.Equal(t, MitigationID(testCaseID, m.Step), m.MitigationID)
	require.Equal(t, "acct-1", m.AccountID)
	ends := h.callsOf("MitigationEnd")
	require.Len(t, ends, 2)
	require.Equal(t, MitigationWorkflowID(m.MitigationID), ends[0].Arg)
	require.Equal(t, t0.Add(2*day), ends[0].At)
}

// TestViolationScopePrefix: with the analyst's scope prefix the violation
// is one mitigation on "<prefix>*"; a prefix outside the hosted object or
// covering no reported URL is refused before it enters history.
func TestViolationScopePrefix(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(scopedTarget())
	outside := violatesIP
	outside.ScopePrefix = "https://" + hostedDomain + "/"
	bad := h.decide(time.Hour, outside)
	uncovering := violatesIP
	uncovering.ScopePrefix = "https://" + hostedDomain + "/site/c/"
	bad2 := h.decide(time.Hour+time.Minute, uncovering)
	good := violatesIP
	good.ScopePrefix = "https://" + hostedDomain + "/site/a/"
	u := h.decide(2*time.Hour, good)
	h.start(caseInput(models.CategoryCopyright, false))

	require.Error(t, bad.Rejected)
	require.Contains(t, bad.Rejected.Error(), "outside every hosted object")
	require.Error(t, bad2.Rejected)
	require.Contains(t, bad2.Rejected.Error(), "covers none of the reported URLs")
	requireAccepted(t, u)
	h.requireClosed(models.OutcomeContentRemovedNoResponse)
	// The prefix until the removal for no response, then content_removed.
	require.Equal(t, []string{"content_disabled https://" + hostedDomain + "/site/a/*",
		"content_removed https://" + hostedDomain + "/site/a/*"}, h.mitigationEntities())
	require.Equal(t, "removal:"+testCaseID+":remove-no-response:obj-1", h.mitigations[1].StatementKey)
	require.Len(t, h.callsOf("MitigationEnd"), 1, "the content_disabled mitigation ends, the content_removed one stays")
}

// TestViolationReversedEndsMitigations: a reversed dispute restores the
// content and ends its mitigations.
func TestViolationReversedEndsMitigations(t *testing.T) {
	h := newHarness(t)
	h.classify = targets(scopedTarget())
	h.decide(time.Hour, violatesIP)
	h.operatorAnswers(2*day, ResponseDispute)
	h.decide(3*day, Decision{Verdict: VerdictReverse, Reason: "licensed", Analyst: "ana"})
	h.start(caseInput(models.CategoryCopyright, false))

	h.requireClosed(models.OutcomeRestored)
	require.Len(t, h.mitigations, 2)
	ends := h.callsOf("MitigationEnd")
	require.Len(t, ends, 2)
	require.Equal(t, t0.Add(3*day), ends[0].At)
}
