package statements

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/models"
)

var (
	reported = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	applied  = time.Date(2026, 3, 4, 17, 30, 0, 0, time.UTC)
)

// TestBuildEveryKindAndCategoryValidates builds a statement for every
// restriction kind and every report category and requires that each
// passes Validate and has the fields its kind calls for.
func TestBuildEveryKindAndCategoryValidates(t *testing.T) {
	violates := &models.Decision{Verdict: "violates", Clause: "malware", Reason: "serves a credential phishing kit"}
	uphold := &models.Decision{Verdict: "uphold", Reason: "registrant did not correct the data"}
	obj := &models.HostedObject{ObjectID: "pages-site-1", Product: "pages"}
	for _, cat := range models.Categories {
		for _, tc := range []struct {
			name string
			f    Facts
		}{
			{"disabled", Facts{Kind: KindRestriction, Decision: violates, Object: obj, Reason: "malware"}},
			{"disabled-on-receipt", Facts{Kind: KindRestriction, Object: obj, Reason: "csam"}},
			{"removed-no-response", Facts{Kind: KindRemoval, Decision: violates, Object: &models.HostedObject{ObjectID: "w1", Product: "workers"}, Reason: "no response"}},
			{"domain-suspended", Facts{Kind: KindDomainRestriction, Decision: uphold}},
			{"terminated-hosting", Facts{Kind: KindTermination, CaseID: "TerminationReview:acct-1:hosting",
				Termination: &models.Termination{AccountID: "acct-1", Kind: "hosting", Service: "hosting", Reason: "three violations, no steps"}}},
			{"terminated-repeat-infringer", Facts{Kind: KindTermination, CaseID: "TerminationReview:acct-1:repeat_infringer",
				Termination: &models.Termination{AccountID: "acct-1", Kind: "repeat_infringer", Service: "hosting", Reason: "three strikes"}}},
			{"terminated-cdn-legal-basis", Facts{Kind: KindTermination, CaseID: "TerminationReview:acct-1:hosting",
				Termination: &models.Termination{AccountID: "acct-1", Kind: "hosting", Service: "cdn", Reason: "court order", LegalBasis: "Order of the Tribunal de Paris, RG 26/0001"}}},
		} {
			t.Run(string(cat)+"/"+tc.name, func(t *testing.T) {
				f := tc.f
				f.Category, f.ReportedAt, f.At = cat, reported, applied
				if f.CaseID == "" {
					f.CaseID = "Cabc234"
				}
				f.DedupKey = f.Kind + ":" + f.CaseID + ":step:x"
				s := Build(f)
				require.Empty(t, Validate(s), "%+v", s)
				require.Equal(t, "2026-03-02", s.ContentDate)
				require.Equal(t, "2026-03-04", s.ApplicationDate)
				require.Equal(t, "No", s.AutomatedDetection)
				require.Contains(t, s.DecisionFacts, "Redress")
				require.Len(t, s.TerritorialScope, 30)
				switch f.Kind {
				case KindRestriction:
					require.Equal(t, []string{"DECISION_VISIBILITY_CONTENT_DISABLED"}, s.DecisionVisibility)
					require.Equal(t, []string{"CONTENT_TYPE_TEXT"}, s.ContentType)
				case KindRemoval:
					require.Equal(t, []string{"DECISION_VISIBILITY_CONTENT_REMOVED"}, s.DecisionVisibility)
					require.Equal(t, "edge function (program code)", s.ContentTypeOther)
				case KindDomainRestriction:
					require.Equal(t, "DECISION_PROVISION_TOTAL_SUSPENSION", s.DecisionProvision)
				case KindTermination:
					require.Equal(t, "DECISION_PROVISION_TOTAL_TERMINATION", s.DecisionProvision)
					require.Equal(t, "DECISION_ACCOUNT_TERMINATED", s.DecisionAccount)
					require.Equal(t, "SOURCE_VOLUNTARY", s.SourceType)
				}
				if f.Kind != KindTermination {
					require.Equal(t, "SOURCE_ARTICLE_16", s.SourceType)
				}
				wantAuto := "AUTOMATED_DECISION_NOT_AUTOMATED"
				if tc.name == "disabled-on-receipt" {
					wantAuto = "AUTOMATED_DECISION_FULLY"
				}
				require.Equal(t, wantAuto, s.AutomatedDecision)
			})
		}
	}
}

// TestBuildGroundsByCategory: an analyst's decision rests on a terms
// clause (DECISION_GROUND_INCOMPATIBLE_CONTENT), marked also illegal where
// the category names a legal instrument; CSAM disabled on receipt, before
// any decision, rests on the law itself.
func TestBuildGroundsByCategory(t *testing.T) {
	for _, tc := range []struct {
		cat      models.Category
		category string
		legal    string
	}{
		{models.CategoryCSAM, "STATEMENT_CATEGORY_PROTECTION_OF_MINORS", "2011/93/EU"},
		{models.CategoryCopyright, "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", "2001/29/EC"},
		{models.CategoryPhishing, "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "2019/713"},
		{models.CategoryOther, "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", ""},
		{models.CategoryRegistrarWhois, "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", ""},
	} {
		s := Build(Facts{Kind: KindRestriction, Category: tc.cat, CaseID: "C1", DedupKey: "k", At: applied,
			Decision: &models.Decision{Verdict: "violates", Clause: "other_illegal", Reason: "r"}})
		require.Equal(t, "DECISION_GROUND_INCOMPATIBLE_CONTENT", s.DecisionGround, tc.cat)
		require.Equal(t, tc.category, s.Category, tc.cat)
		require.Contains(t, s.IncompatibleContentGround, "clause other_illegal")
		require.Empty(t, s.IllegalContentLegalGround)
		if tc.legal != "" {
			require.Equal(t, "Yes", s.IncompatibleContentIllegal, tc.cat)
			require.Contains(t, s.IncompatibleContentExplanation, tc.legal)
		} else {
			require.Empty(t, s.IncompatibleContentIllegal, tc.cat)
		}
	}
	s := Build(Facts{Kind: KindRestriction, Category: models.CategoryCSAM, CaseID: "C1", DedupKey: "k", At: applied, Reason: "csam"})
	require.Equal(t, "DECISION_GROUND_ILLEGAL_CONTENT", s.DecisionGround)
	require.Contains(t, s.IllegalContentLegalGround, "2011/93/EU")
	require.NotContains(t, s.IllegalContentLegalGround, "clause")
}

// TestBuildCopyrightComplaintIsNoNotice: a copyright report lacking
// 512(c)(3) elements is a complaint; its statement neither calls it a notice
// under 512(c)(3) nor offers the 512(g) counter-notice, while a complete
// notice keeps both.
func TestBuildCopyrightComplaintIsNoNotice(t *testing.T) {
	f := Facts{Kind: KindRestriction, Category: models.CategoryCopyright, CaseID: "C1", DedupKey: "k", At: applied,
		Object:   &models.HostedObject{ObjectID: "o1", Product: "pages"},
		Decision: &models.Decision{Verdict: "violates", Clause: "ip", Reason: "r"}}
	notice := Build(f)
	require.Contains(t, notice.IncompatibleContentExplanation, "(notice under 17 U.S.C. 512(c)(3))")
	require.Contains(t, notice.DecisionFacts, "counter-notice (17 U.S.C. 512(g))")

	f.Complaint = true
	complaint := Build(f)
	require.Contains(t, complaint.IncompatibleContentExplanation, "a complaint, not a notice under 17 U.S.C. 512(c)(3)")
	require.NotContains(t, complaint.IncompatibleContentExplanation, "(notice under")
	require.NotContains(t, complaint.DecisionFacts, "512(g)")
	require.Empty(t, Validate(complaint))
}

// TestBuildClipsLongText keeps a statement valid whatever an analyst wrote.
func TestBuildClipsLongText(t *testing.T) {
	long := strings.Repeat("é long reason ", 800)
	s := Build(Facts{Kind: KindRestriction, Category: models.CategoryFraud, CaseID: "C1", DedupKey: "k", At: applied,
		Decision: &models.Decision{Verdict: "violates", Clause: "other_illegal", Reason: long}})
	require.Empty(t, Validate(s))
	s = Build(Facts{Kind: KindTermination, CaseID: "R", DedupKey: "k", At: applied,
		Termination: &models.Termination{Service: "registrar", Reason: long, LegalBasis: long}})
	require.Empty(t, Validate(s))
}

func TestPUID(t *testing.T) {
	a := PUID("TerminationReview:acct:hosting", "termination", "termination:TerminationReview:acct:hosting")
	require.Regexp(t, `^[A-Za-z0-9_-]+$`, a)
	require.True(t, strings.HasPrefix(a, "sor-TerminationReview_acct_hosting-termination-"), a)
	require.NotEqual(t, PUID("C1", "restriction", "restriction:C1:disable:o1"), PUID("C1", "restriction", "restriction:C1:disable:o2"))
	require.Equal(t, PUID("C1", "removal", "x"), PUID("C1", "removal", "x"))
	require.LessOrEqual(t, len(PUID(strings.Repeat("x", 1000), "domain_restriction", "k")), 500)
}
