package workflows

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/abusedesk/abusedesk/models"
)

// versionsAsked records the changes a case asks workflow.GetVersion about
// (answering each with the highest version, as a new case gets).
func versionsAsked(h *harness) func() []string {
	var mu sync.Mutex
	var asked []string
	for _, max := range []workflow.Version{1, versionBatchClose} {
		h.env.OnGetVersion(mock.Anything, workflow.DefaultVersion, max).Run(func(args mock.Arguments) {
			mu.Lock()
			asked = append(asked, args.String(0))
			mu.Unlock()
		}).Return(max).Maybe()
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), asked...)
	}
}

// A case of WorkflowCase2 asks no version of any change it pins, so it
// records no version marker and no TemporalChangeVersion upsert; it runs
// as a case of WorkflowCase does at the same versions.
func TestCase2AsksNoVersion(t *testing.T) {
	for _, typ := range []string{WorkflowCase2, WorkflowCase} {
		t.Run(typ+"/cdn", func(t *testing.T) {
			h := newHarness(t)
			asked := versionsAsked(h)
			h.askClassifyForward = true
			h.classify = targets(cdnTarget("shop.example", "acct-1", true))
			h.startAs(typ, caseInput(models.CategoryPhishing, true))
			h.requireClosed(models.OutcomeForwarded)
			require.Len(t, h.args("SendNotices"), 1, "the batch that closes the case")
			// The later change is asked, not pinned, by both.
			if typ == WorkflowCase2 {
				require.Equal(t, []string{changeClassifyForward}, asked())
			} else {
				require.Equal(t, []string{changeLocalNotices, changeClassifyForward}, asked())
			}
		})
		t.Run(typ+"/hosted", func(t *testing.T) {
			h, u := hostedHarness(t)
			asked := versionsAsked(h)
			h.askClassifyForward = true
			h.operatorAnswers(time.Hour+2*day, ResponseRemoved)
			h.startAs(typ, caseInput(models.CategoryCopyright, false))
			requireAccepted(t, u)
			h.requireClosed(models.OutcomeContentRemoved)
			h.requireNotices(reporterDecision, operatorViolation(hostedDomain))
			require.Len(t, h.strikes(), 1)
			if typ == WorkflowCase2 {
				require.Equal(t, []string{changeClassifyForward}, asked())
			} else {
				require.Subset(t, asked(), []string{changeLocalNotices, changeClassifyForward, changeNoticeEveryTarget,
					changeOneOperatorDeadline, changeMitigationRecords})
			}
		})
	}
}

// Every change the case workflow asks about is pinned by WorkflowCase2,
// at the highest version the code supports.
func TestCase2PinsEveryChange(t *testing.T) {
	for change, max := range map[string]workflow.Version{
		changeLocalNotices: versionBatchClose, changeBulkFanOut: 1, changeBatchIDPrefix: 1,
		changeCopyrightCompletion: 1, changeNoticeEveryTarget: 1, changeOneOperatorDeadline: 1,
		changeMitigationRecords: 1, changeNCSEIClock: 1, changeNetworkCases: 1, changeRegistrarAllDomains: 1,
	} {
		v, ok := case2Pins(change)
		require.True(t, ok, change)
		require.Equal(t, max, v, change)
	}
	_, ok := case2Pins("a-later-change")
	require.False(t, ok, "a change after WorkflowCase2 is asked, not pinned")
}
