package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"
)

// A case's workflow type says which changes it was born with. A case of
// WorkflowCase asks workflow.GetVersion at each change, which costs it a
// version marker and an upsert of the TemporalChangeVersion search
// attribute (an event, a visibility task and, on PostgreSQL, a GIN index
// entry per case). WorkflowCase2 is the same code with every change that
// existed when it was introduced pinned at its version then: it asks
// nothing and records no marker (docs/DESIGN.md "Speed"). WorkflowCase3
// pins changeClassifyForward too. Cases started as WorkflowCase or
// WorkflowCase2 keep their type and replay as before.
//
// The rule that keeps this deterministic: a pinned change never gets a
// higher version. A later change of the case workflow gets a change ID of
// its own, asked with getVersion (a marker again, in both types) until a
// next type pins it too.

// pinsKey carries a workflow type's pins in its workflow context.
type pinsKey struct{}

// pins are a workflow type's pinned changes: the version of each, false
// for a change the type does not pin.
type pins func(change string) (workflow.Version, bool)

// case2Pins are WorkflowCase2's: every change of the case workflow before
// it, at its last version.
func case2Pins(change string) (workflow.Version, bool) {
	switch change {
	case changeLocalNotices:
		return versionBatchClose, true
	case changeBulkFanOut, changeBatchIDPrefix, changeCopyrightCompletion, changeNoticeEveryTarget,
		changeOneOperatorDeadline, changeMitigationRecords, changeNCSEIClock, changeNetworkCases,
		changeRegistrarAllDomains:
		return 1, true
	}
	return 0, false
}

// case3Pins are WorkflowCase3's: case2Pins and changeClassifyForward.
func case3Pins(change string) (workflow.Version, bool) {
	if change == changeClassifyForward {
		return 1, true
	}
	return case2Pins(change)
}

// CaseWorkflow3 is CaseWorkflow with case3Pins (WorkflowCase3).
func CaseWorkflow3(ctx workflow.Context, in CaseInput) (CaseResult, error) {
	return CaseWorkflow(workflow.WithValue(ctx, pinsKey{}, pins(case3Pins)), in)
}

// CaseWorkflow2 is CaseWorkflow with case2Pins (WorkflowCase2).
func CaseWorkflow2(ctx workflow.Context, in CaseInput) (CaseResult, error) {
	return CaseWorkflow(workflow.WithValue(ctx, pinsKey{}, pins(case2Pins)), in)
}

// getVersion is workflow.GetVersion for the case workflow: the version the
// case's type pins, if it pins the change, without asking; otherwise
// GetVersion's answer.
func getVersion(ctx workflow.Context, change string, minSupported, maxSupported workflow.Version) workflow.Version {
	if p, ok := ctx.Value(pinsKey{}).(pins); ok {
		if v, ok := p(change); ok {
			if v < minSupported || v > maxSupported {
				// A pinned version was raised or dropped: this code
				// cannot run the cases pinned to it (a workflow task
				// failure, retried once the code is fixed).
				panic(fmt.Sprintf("change %s pinned at version %d, supported %d-%d", change, v, minSupported, maxSupported))
			}
			return v
		}
	}
	return workflow.GetVersion(ctx, change, minSupported, maxSupported)
}
