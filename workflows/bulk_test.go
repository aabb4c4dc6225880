package workflows

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// bulkTargets is n pass-through domains spread over providers hosting
// providers (round robin); every tenth domain's provider is unknown.
func bulkTargets(n, providers int) []activities.Target {
	var ts []activities.Target
	for i := 0; i < n; i++ {
		t := cdnTarget(fmt.Sprintf("d%04d.example", i), fmt.Sprintf("acct-%d", i%7), i%10 != 9)
		if t.Provider.Found {
			p := i % providers
			t.Provider.Name = fmt.Sprintf("Provider %02d", p)
			t.Provider.AbuseEmail = fmt.Sprintf("abuse@p%02d.example", p)
		}
		t.URLCount = 20
		ts = append(ts, t)
	}
	return ts
}

// newBulkHarness is a harness whose worker also runs ForwardBatch, as
// worker.RegisterWorkflows does.
func newBulkHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.env.RegisterWorkflowWithOptions(ForwardBatch, workflow.RegisterOptions{Name: WorkflowForwardBatch})
	return h
}

func TestBulkNoticeFansOutInBatches(t *testing.T) {
	h := newBulkHarness(t)
	ts := bulkTargets(500, 7)
	h.classify = targets(ts...)
	h.start(caseInput(models.CategoryCopyright, false))

	h.requireClosed(models.OutcomeForwarded)
	// 10 children of 50 domains, with deterministic IDs.
	var ids []string
	for _, c := range h.children {
		require.Equal(t, WorkflowForwardBatch, c.Type)
		ids = append(ids, c.ID)
	}
	var want []string
	for n := 1; n <= 10; n++ {
		want = append(want, "ForwardBatch:"+testCaseID+":"+fmt.Sprint(n))
	}
	require.ElementsMatch(t, want, ids)

	// Every domain's forwards, once each, with the inline path's steps;
	// copyright always goes to the operator; the origin IP only to hosts.
	var wantSent []sent
	for _, d := range ts {
		wantSent = append(wantSent, operatorForward(d.Domain))
		if d.Provider.Found {
			wantSent = append(wantSent, hostForward(d.Domain))
		}
	}
	wantSent = append(wantSent, reporterForwarded)
	h.requireNotices(wantSent...)
	for _, n := range h.noticeInputs() {
		require.Equal(t, testCaseID, n.CaseID)
		require.Equal(t, DefaultTimers.NoticeTokenTTL, n.TokenTTL)
		require.Equal(t, n.Role == models.RoleHostingProvider, n.IncludeOriginIP, n.Step)
	}

	// One reply to the reporter, summarised by provider and bounded.
	rep, repCall := h.notice("reporter-forwarded")
	summary := rep.Facts["providers"]
	require.Less(t, len(summary), 2048, summary)
	require.Contains(t, summary, "500 domains, 8 hosting providers:")
	require.Contains(t, summary, "hosting provider unknown: 50 domains (d0009.example, d0019.example, d0029.example and 47 more)")
	require.Contains(t, summary, "Provider 00 <abuse@p00.example>: 65 domains")
	require.Equal(t, "yes", rep.Facts["forwarded_to_operator"])
	// The reply comes after the last forward.
	for _, c := range h.callsOf("SendNotice") {
		require.False(t, c.At.After(repCall.At), c.Arg.(activities.NoticeInput).Step)
	}
	require.Equal(t, len(wantSent), len(h.noticeInputs())-1, "the receipt and nothing else")
}

func TestBulkForwardRespectsTheReportersChoice(t *testing.T) {
	h := newBulkHarness(t)
	ts := bulkTargets(BulkInlineMax+1, 3)
	h.classify = targets(ts...)
	h.start(caseInput(models.CategoryPhishing, false))

	h.requireClosed(models.OutcomeForwarded)
	require.Len(t, h.children, 1)
	require.Equal(t, "ForwardBatch:"+testCaseID+":1", h.children[0].ID)
	var wantSent []sent
	for _, d := range ts {
		if d.Provider.Found {
			wantSent = append(wantSent, hostForward(d.Domain))
		}
	}
	h.requireNotices(append(wantSent, reporterForwarded)...)
	rep, _ := h.notice("reporter-forwarded")
	require.Equal(t, "no", rep.Facts["forwarded_to_operator"])
}

func TestSmallListsStayInline(t *testing.T) {
	h := newBulkHarness(t)
	ts := bulkTargets(BulkInlineMax, 3)
	h.classify = targets(ts...)
	h.start(caseInput(models.CategoryMalware, true))

	h.requireClosed(models.OutcomeForwarded)
	require.Empty(t, h.children, "up to BulkInlineMax domains are forwarded by the case itself")
	rep, _ := h.notice("reporter-forwarded")
	lines := strings.Split(rep.Facts["providers"], "\n")
	require.Len(t, lines, BulkInlineMax, "one line per domain, as before")
	require.Equal(t, "d0000.example: Provider 00 <abuse@p00.example>", lines[0])
	require.Equal(t, "d0009.example: hosting provider unknown", lines[9])
}

func TestBulkBatchFailureFailsTheCase(t *testing.T) {
	h := newBulkHarness(t)
	h.classify = targets(bulkTargets(60, 2)...)
	h.install()
	h.env.OnWorkflow(WorkflowForwardBatch, mock.Anything, mock.Anything).Return(ForwardBatchResult{}, fmt.Errorf("boom")).Maybe()
	h.env.ExecuteWorkflow(WorkflowCase, caseInput(models.CategoryCopyright, true))
	require.True(t, h.env.IsWorkflowCompleted())
	require.ErrorContains(t, h.env.GetWorkflowError(), "forward batch")
	_, ok := h.sentStep("reporter-forwarded")
	require.False(t, ok, "no reply to the reporter before every batch is forwarded")
}

func TestProviderSummaryIsBounded(t *testing.T) {
	s := providerSummary(bulkTargets(10000, 400))
	lines := strings.Split(s, "\n")
	require.Len(t, lines, 1+bulkMaxProviderLines+1)
	require.Equal(t, "10000 domains, 361 hosting providers:", lines[0])
	require.Equal(t, "hosting provider unknown: 1000 domains (d0009.example, d0019.example, d0029.example and 997 more)", lines[1])
	require.True(t, strings.HasPrefix(lines[len(lines)-1], "... and 341 more hosting providers ("), lines[len(lines)-1])
	require.Less(t, len(s), 4096)

	one := providerSummary(bulkTargets(1, 1))
	require.Equal(t, "1 domains, 1 hosting providers:\nProvider 00 <abuse@p00.example>: 1 domain (d0000.example)", one)
}

func TestBatchTargets(t *testing.T) {
	ts := bulkTargets(101, 1)
	b := batchTargets(ts, 50)
	require.Len(t, b, 3)
	require.Len(t, b[0], 50)
	require.Len(t, b[2], 1)
	require.Equal(t, "d0100.example", b[2][0].Domain)
	require.Empty(t, batchTargets(nil, 50))
	require.Equal(t, "ForwardBatch:c9:3", BatchWorkflowID("c9", 3))
}

// sentStep finds a notice by step without failing the test.
func (h *harness) sentStep(step string) (activities.NoticeInput, bool) {
	for _, in := range h.noticeInputs() {
		if in.Step == step {
			return in, true
		}
	}
	return activities.NoticeInput{}, false
}
