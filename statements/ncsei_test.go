package statements

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// TestNCSEIDeadlineStatement: the restriction an ncsei case's clock applies
// at the 48-hour deadline says so (not "on receipt"), on the illegal-content
// ground of the category; a copy's says it is an identical copy.
func TestNCSEIDeadlineStatement(t *testing.T) {
	reason := "disabled pending review at the TAKE IT DOWN Act's 48-hour deadline"
	s := Build(Facts{Kind: KindRestriction, Category: models.CategoryNCSEI, CaseID: "C1", DedupKey: "k", At: applied, Reason: reason})
	require.Equal(t, "DECISION_GROUND_ILLEGAL_CONTENT", s.DecisionGround)
	require.Contains(t, s.IllegalContentLegalGround, "TAKE IT DOWN Act")
	require.Contains(t, s.IllegalContentExplanation, reason)
	require.Contains(t, s.DecisionFacts, "48-hour removal deadline")
	require.NotContains(t, s.DecisionFacts, "on receipt")
	require.NotContains(t, s.DecisionFacts, "identical copy")

	s = Build(Facts{Kind: KindRestriction, Category: models.CategoryNCSEI, CaseID: "C1", DedupKey: "k2", At: applied,
		Reason: "identical copy (same content hash) of the reported content: " + reason})
	require.Contains(t, s.DecisionFacts, "identical copy")
	require.Contains(t, s.IllegalContentExplanation, reason)
}
