package statements

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

// TestSentenceNeverDoublesAPeriod: free text joined into a statement ends
// with exactly one stop, whether or not the analyst typed one.
func TestSentenceNeverDoublesAPeriod(t *testing.T) {
	for in, want := range map[string]string{
		"sells a counterfeit product":    "sells a counterfeit product.",
		"sells a counterfeit product.":   "sells a counterfeit product.",
		"sells a counterfeit product.. ": "sells a counterfeit product.",
		"  two\n lines.\n":               "two lines.",
		"is it legal?":                   "is it legal?",
		"and so on...":                   "and so on...",
		"":                               "(no reason given).",
	} {
		require.Equal(t, want, sentence(in), "%q", in)
	}
}

// TestBuildNoDoubledPeriod builds statements whose free text ends with a
// period and requires none reads "..": the transparency page showed
// "product..".
func TestBuildNoDoubledPeriod(t *testing.T) {
	obj := &models.HostedObject{ObjectID: "pages-site-1", Product: "pages"}
	for name, f := range map[string]Facts{
		"restriction": {Kind: KindRestriction, Object: obj, Reason: "malware",
			Decision: &models.Decision{Verdict: "violates", Clause: "malware", Reason: "Sells a counterfeit product."}},
		"termination": {Kind: KindTermination, CaseID: "TerminationReview:acct-1:hosting",
			Termination: &models.Termination{AccountID: "acct-1", Kind: "hosting", Service: "cdn", Reason: "Court order.", LegalBasis: "Order RG 26/0001."}},
	} {
		t.Run(name, func(t *testing.T) {
			f.Category, f.ReportedAt, f.At = models.CategoryTrademark, reported, applied
			if f.CaseID == "" {
				f.CaseID = "Cabc234"
			}
			f.DedupKey = f.Kind + ":" + f.CaseID + ":step:x"
			s := Build(f)
			require.NotContains(t, s.DecisionFacts, "..", s.DecisionFacts)
			require.Empty(t, Validate(s))
		})
	}
}
