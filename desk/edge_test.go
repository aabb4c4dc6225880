package desk

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// TestDecisionScopeAndScopePrefix: the decision form's scope lists exactly
// the reported URLs in the case's hosted objects (others are named as not
// hosted); a scope prefix is previewed, and a decision whose prefix lies
// outside the objects, covers no reported URL or comes with another
// verdict is refused on scope_prefix before it reaches the workflow; an
// accepted one reaches it in Decision.ScopePrefix.
func TestDecisionScopeAndScopePrefix(t *testing.T) {
	d, e := testDesk(t)
	ctx := context.Background()
	addCase(t, d.DB, "c1", models.StatusAwaitingAnalyst)
	require.NoError(t, d.DB.Create(&models.HostedObject{ObjectID: "site", Domain: "pages.example", URLPrefix: "https://pages.example/"}).Error)
	for i, u := range []string{"https://pages.example/secure-bank/login.html", "https://www.pages.example/x", "https://elsewhere.example/y"} {
		h := models.HostOfURL(u)
		require.NoError(t, d.DB.Create(&models.CaseURL{CaseID: "c1", Seq: i, URL: u, Host: h}).Error)
	}
	s, err := d.DecisionScope(ctx, "c1", "")
	require.NoError(t, err)
	require.Equal(t, []models.Coverage{{EntityID: "https://pages.example/secure-bank/login.html", ObjectID: "site", Domain: "pages.example"}}, s.Covered)
	require.Equal(t, []string{"https://www.pages.example/x", "https://elsewhere.example/y"}, s.NotHosted)

	s, err = d.DecisionScope(ctx, "c1", "https://pages.example/secure-bank/")
	require.NoError(t, err)
	require.Empty(t, s.Problem)
	require.Equal(t, "https://pages.example/secure-bank/*", s.Covered[0].EntityID)

	for prefix, verdict := range map[string]string{
		"https://elsewhere.example/":   "violates",
		"https://pages.example/other/": "violates",
		"https://pages.example/":       "no_violation",
	} {
		err := d.Decide(ctx, "c1", DecisionRequest{Verdict: verdict, Clause: "phishing_fraud", Reason: "r", ScopePrefix: prefix}, "ana")
		code, ps := StatusOf(err)
		require.Equal(t, http.StatusUnprocessableEntity, code, "%s: %v", prefix, err)
		require.Equal(t, "scope_prefix", ps[0].Field)
	}
	require.Empty(t, e.updated, "refused before the workflow")
	require.NoError(t, d.Decide(ctx, "c1", DecisionRequest{Verdict: "violates", Clause: "phishing_fraud", Reason: "r",
		ScopePrefix: " https://pages.example/secure-bank/ "}, "ana"))
	require.Equal(t, "https://pages.example/secure-bank/", e.updated[0].ScopePrefix)
}
