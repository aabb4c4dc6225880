package statements

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOrderRestrictionStatement: content disabled on an authority's order
// rests on the law the order applies (never the terms), names the
// authority as the source and applies in the member states it names.
func TestOrderRestrictionStatement(t *testing.T) {
	db := openDB(t)
	require.True(t, Restricts(KindOrderRestriction))
	require.NoError(t, Record(db, applied, "ord-1", KindOrderRestriction, "order_restriction:ord-1", map[string]any{
		"order_id": "ord-1", "kind": "dsa_art9", "legal_basis": "Regulation (EU) 2022/2065 Art. 9; StGB s. 130",
		"reason": "incitement to hatred..", "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
		"decision_ground_reference_url": "https://authority.example/orders/1", "territorial_scope": "DE,FR,US",
		"content_type": "illegal_speech", "member_state": "DE", "authority": "Bundesnetzagentur", "effect": "Access was disabled in DE and FR."}))
	s, ok := recordedPUID(t, db, PUID("ord-1", KindOrderRestriction, "order_restriction:ord-1"))
	require.True(t, ok)
	require.Empty(t, Validate(s))
	require.Equal(t, "DECISION_GROUND_ILLEGAL_CONTENT", s.DecisionGround)
	require.Equal(t, "Regulation (EU) 2022/2065 Art. 9; StGB s. 130", s.IllegalContentLegalGround)
	require.Equal(t, "SOURCE_TYPE_OTHER_NOTIFICATION", s.SourceType)
	require.Equal(t, "Bundesnetzagentur", s.SourceIdentity)
	require.Equal(t, []string{"DE", "FR"}, s.TerritorialScope)
	require.Equal(t, "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", s.Category)
	require.Equal(t, "https://authority.example/orders/1", s.DecisionGroundReferenceURL)
	require.Equal(t, "AUTOMATED_DECISION_NOT_AUTOMATED", s.AutomatedDecision)
	require.NotContains(t, s.DecisionFacts+s.IllegalContentExplanation, "..")
	require.NotContains(t, s.DecisionFacts, "counter-notice")
}
