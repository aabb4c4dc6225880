package statements

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// valid is a statement that meets every rule.
func valid() SOR {
	return SOR{
		DecisionVisibility: []string{"DECISION_VISIBILITY_CONTENT_DISABLED"},
		DecisionGround:     "DECISION_GROUND_ILLEGAL_CONTENT", IllegalContentLegalGround: "law", IllegalContentExplanation: "why",
		ContentType: []string{"CONTENT_TYPE_TEXT"}, Category: "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
		ContentDate: "2026-01-02", ApplicationDate: "2026-01-03", DecisionFacts: "facts",
		SourceType: "SOURCE_ARTICLE_16", AutomatedDetection: "No", AutomatedDecision: "AUTOMATED_DECISION_NOT_AUTOMATED",
		PUID: "sor-C1-restriction-ab12",
	}
}

func TestValidate(t *testing.T) {
	require.Empty(t, Validate(valid()))
	for _, tc := range []struct {
		name  string
		edit  func(*SOR)
		field string
	}{
		{"no restriction", func(s *SOR) { s.DecisionVisibility = nil }, "decision_visibility"},
		{"provision alone is enough", func(s *SOR) {
			s.DecisionVisibility, s.DecisionProvision = nil, "DECISION_PROVISION_TOTAL_SUSPENSION"
		}, ""},
		{"unknown visibility", func(s *SOR) { s.DecisionVisibility = []string{"DECISION_VISIBILITY_HIDDEN"} }, "decision_visibility"},
		{"visibility other without text", func(s *SOR) { s.DecisionVisibility = []string{"DECISION_VISIBILITY_OTHER"} }, "decision_visibility_other"},
		{"monetary other without text", func(s *SOR) { s.DecisionMonetary = "DECISION_MONETARY_OTHER" }, "decision_monetary_other"},
		{"unknown account", func(s *SOR) { s.DecisionAccount = "DECISION_ACCOUNT_BANNED" }, "decision_account"},
		{"no ground", func(s *SOR) { s.DecisionGround = "" }, "decision_ground"},
		{"illegal without legal ground", func(s *SOR) { s.IllegalContentLegalGround = "" }, "illegal_content_legal_ground"},
		{"illegal without explanation", func(s *SOR) { s.IllegalContentExplanation = "" }, "illegal_content_explanation"},
		{"legal ground too long", func(s *SOR) { s.IllegalContentLegalGround = strings.Repeat("x", 501) }, "illegal_content_legal_ground"},
		{"explanation too long", func(s *SOR) { s.IllegalContentExplanation = strings.Repeat("x", 2001) }, "illegal_content_explanation"},
		{"incompatible without ground", func(s *SOR) {
			s.DecisionGround, s.IllegalContentLegalGround, s.IllegalContentExplanation = "DECISION_GROUND_INCOMPATIBLE_CONTENT", "", ""
			s.IncompatibleContentExplanation = "why"
		}, "incompatible_content_ground"},
		{"incompatible illegal not yes/no", func(s *SOR) {
			s.DecisionGround, s.IllegalContentLegalGround, s.IllegalContentExplanation = "DECISION_GROUND_INCOMPATIBLE_CONTENT", "", ""
			s.IncompatibleContentGround, s.IncompatibleContentExplanation, s.IncompatibleContentIllegal = "tc", "why", "maybe"
		}, "incompatible_content_illegal"},
		{"no content type", func(s *SOR) { s.ContentType = nil }, "content_type"},
		{"content type other without text", func(s *SOR) { s.ContentType = []string{"CONTENT_TYPE_OTHER"} }, "content_type_other"},
		{"content type other text without other", func(s *SOR) { s.ContentTypeOther = "x" }, "content_type_other"},
		{"old category", func(s *SOR) { s.Category = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH_X" }, "category"},
		{"keyword other without text", func(s *SOR) { s.CategorySpecification = []string{"KEYWORD_OTHER"} }, "category_specification_other"},
		{"not a keyword", func(s *SOR) { s.CategorySpecification = []string{"PHISHING"} }, "category_specification"},
		{"bad content date", func(s *SOR) { s.ContentDate = "02/01/2026" }, "content_date"},
		{"no application date", func(s *SOR) { s.ApplicationDate = "" }, "application_date"},
		{"applied before content", func(s *SOR) { s.ApplicationDate = "2025-12-31" }, "application_date"},
		{"bad end date", func(s *SOR) { s.EndDateVisibilityRestriction = "2026-13-01" }, "end_date_visibility_restriction"},
		{"no facts", func(s *SOR) { s.DecisionFacts = "" }, "decision_facts"},
		{"facts too long", func(s *SOR) { s.DecisionFacts = strings.Repeat("é", 5001) }, "decision_facts"},
		{"unknown source", func(s *SOR) { s.SourceType = "SOURCE_NOTICE" }, "source_type"},
		{"detection not Yes/No", func(s *SOR) { s.AutomatedDetection = "no" }, "automated_detection"},
		{"unknown automated decision", func(s *SOR) { s.AutomatedDecision = "AUTOMATED_DECISION_SOMEWHAT" }, "automated_decision"},
		{"no puid", func(s *SOR) { s.PUID = "" }, "puid"},
		{"puid with colon", func(s *SOR) { s.PUID = "case:1" }, "puid"},
		{"puid too long", func(s *SOR) { s.PUID = strings.Repeat("a", 501) }, "puid"},
		{"territory outside the EEA", func(s *SOR) { s.TerritorialScope = []string{"DE", "US"} }, "territorial_scope"},
		{"language lower case", func(s *SOR) { s.ContentLanguage = "de" }, "content_language"},
		{"unknown account type", func(s *SOR) { s.AccountType = "ACCOUNT_TYPE_CORPORATE" }, "account_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := valid()
			tc.edit(&s)
			problems := Validate(s)
			if tc.field == "" {
				require.Empty(t, problems)
				return
			}
			require.NotEmpty(t, problems)
			var fields []string
			for _, p := range problems {
				fields = append(fields, p.Field)
				require.NotEmpty(t, p.Message)
			}
			require.Contains(t, fields, tc.field)
		})
	}
}
