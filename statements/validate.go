package statements

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/abusedesk/abusedesk/models"
)

// The Transparency Database's vocabularies (reference/compliance.md).
var (
	DecisionVisibilities = []string{
		"DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_VISIBILITY_CONTENT_DISABLED",
		"DECISION_VISIBILITY_CONTENT_DEMOTED", "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
		"DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED", "DECISION_VISIBILITY_CONTENT_LABELLED",
		"DECISION_VISIBILITY_OTHER",
	}
	DecisionProvisions = []string{
		"DECISION_PROVISION_PARTIAL_SUSPENSION", "DECISION_PROVISION_TOTAL_SUSPENSION",
		"DECISION_PROVISION_PARTIAL_TERMINATION", "DECISION_PROVISION_TOTAL_TERMINATION",
	}
	DecisionAccounts   = []string{"DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"}
	DecisionMonetaries = []string{"DECISION_MONETARY_SUSPENSION", "DECISION_MONETARY_TERMINATION", "DECISION_MONETARY_OTHER"}
	DecisionGrounds    = []string{"DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"}
	ContentTypes       = []string{
		"CONTENT_TYPE_APP", "CONTENT_TYPE_AUDIO", "CONTENT_TYPE_IMAGE", "CONTENT_TYPE_PRODUCT",
		"CONTENT_TYPE_SYNTHETIC_MEDIA", "CONTENT_TYPE_TEXT", "CONTENT_TYPE_VIDEO", "CONTENT_TYPE_OTHER",
	}
	SourceTypes = []string{
		"SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY",
	}
	AutomatedDecisions = []string{"AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED"}
	YesNo              = []string{"Yes", "No"}
	// Categories is the set in force since 1 July 2025.
	Categories = []string{
		"STATEMENT_CATEGORY_ANIMAL_WELFARE", "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
		"STATEMENT_CATEGORY_CYBER_VIOLENCE", "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
		"STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
		"STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
		"STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS", "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
		"STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
		"STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
		"STATEMENT_CATEGORY_SELF_HARM", "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
		"STATEMENT_CATEGORY_VIOLENCE",
	}
	// TerritorialScopes are the EEA country codes territorial_scope takes.
	TerritorialScopes = []string{
		"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
		"IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
	}
	AccountTypes = []string{"ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE"}
)

// Length limits of the Transparency Database. The *_other fields take 500
// characters in its StoreRequest.
const (
	maxFacts       = 5000
	maxPUID        = 500
	maxLegalGround = 500
	maxExplanation = 2000
	maxOther       = 500
)

var (
	puidPattern     = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	languagePattern = regexp.MustCompile(`^[A-Z]{2}$`)
)

// dateLayout is the Transparency Database's date format.
const dateLayout = "2006-01-02"

// Validate checks s against the Transparency Database's rules and returns
// every problem, each naming its field; none means the database would take
// it. Beyond the reference, it requires that application_date is not before
// content_date, and that fields of the ground not taken are left empty.
func Validate(s SOR) []models.FieldError {
	var v validator
	v.required("decision_ground", s.DecisionGround)
	v.oneOf("decision_ground", s.DecisionGround, DecisionGrounds)
	if len(s.ContentType) == 0 {
		v.fail("content_type", "is required (an array of at least one type)")
	}
	v.each("content_type", s.ContentType, ContentTypes)
	v.requiredIff("content_type_other", s.ContentTypeOther, slices.Contains(s.ContentType, "CONTENT_TYPE_OTHER"), "content_type has CONTENT_TYPE_OTHER")
	v.max("content_type_other", s.ContentTypeOther, maxOther)
	v.required("category", s.Category)
	v.oneOf("category", s.Category, Categories)
	v.each("category_addition", s.CategoryAddition, Categories)
	for _, k := range s.CategorySpecification {
		if !strings.HasPrefix(k, "KEYWORD_") {
			v.fail("category_specification", "%q is not a KEYWORD_* value", k)
		}
	}
	v.requiredIff("category_specification_other", s.CategorySpecificationOther, slices.Contains(s.CategorySpecification, "KEYWORD_OTHER"), "category_specification has KEYWORD_OTHER")
	v.max("category_specification_other", s.CategorySpecificationOther, maxOther)
	content := v.date("content_date", s.ContentDate, true)
	applied := v.date("application_date", s.ApplicationDate, true)
	if !content.IsZero() && !applied.IsZero() && applied.Before(content) {
		v.fail("application_date", "%s is before content_date %s", s.ApplicationDate, s.ContentDate)
	}
	for _, f := range []struct{ name, value string }{
		{"end_date_visibility_restriction", s.EndDateVisibilityRestriction},
		{"end_date_monetary_restriction", s.EndDateMonetaryRestriction},
		{"end_date_service_restriction", s.EndDateServiceRestriction},
		{"end_date_account_restriction", s.EndDateAccountRestriction},
	} {
		v.date(f.name, f.value, false)
	}
	v.required("decision_facts", s.DecisionFacts)
	v.max("decision_facts", s.DecisionFacts, maxFacts)
	v.required("source_type", s.SourceType)
	v.oneOf("source_type", s.SourceType, SourceTypes)
	v.max("source_identity", s.SourceIdentity, maxOther)
	v.required("automated_detection", s.AutomatedDetection)
	v.oneOf("automated_detection", s.AutomatedDetection, YesNo)
	v.required("automated_decision", s.AutomatedDecision)
	v.oneOf("automated_decision", s.AutomatedDecision, AutomatedDecisions)
	v.required("puid", s.PUID)
	v.max("puid", s.PUID, maxPUID)
	if s.PUID != "" && !puidPattern.MatchString(s.PUID) {
		v.fail("puid", "%q has characters outside [A-Za-z0-9_-]", s.PUID)
	}
	v.restriction(s)
	v.ground(s)
	v.each("territorial_scope", s.TerritorialScope, TerritorialScopes)
	if s.ContentLanguage != "" && !languagePattern.MatchString(s.ContentLanguage) {
		v.fail("content_language", "%q is not an upper-case ISO 639-1 code", s.ContentLanguage)
	}
	v.oneOf("account_type", s.AccountType, AccountTypes)
	if s.DecisionGroundReferenceURL != "" {
		if u, err := url.Parse(s.DecisionGroundReferenceURL); err != nil || u.Scheme == "" || u.Host == "" {
			v.fail("decision_ground_reference_url", "%q is not a URL", s.DecisionGroundReferenceURL)
		}
	}
	return v.problems
}

// restriction checks the decision fields: at least one of the four, each
// from its vocabulary, with the *_other text exactly when OTHER is chosen.
func (v *validator) restriction(s SOR) {
	if len(s.DecisionVisibility) == 0 && s.DecisionMonetary == "" && s.DecisionProvision == "" && s.DecisionAccount == "" {
		v.fail("decision_visibility", "one of decision_visibility, decision_monetary, decision_provision, decision_account is required")
	}
	v.each("decision_visibility", s.DecisionVisibility, DecisionVisibilities)
	v.requiredIff("decision_visibility_other", s.DecisionVisibilityOther, slices.Contains(s.DecisionVisibility, "DECISION_VISIBILITY_OTHER"), "decision_visibility has DECISION_VISIBILITY_OTHER")
	v.max("decision_visibility_other", s.DecisionVisibilityOther, maxOther)
	v.oneOf("decision_monetary", s.DecisionMonetary, DecisionMonetaries)
	v.requiredIff("decision_monetary_other", s.DecisionMonetaryOther, s.DecisionMonetary == "DECISION_MONETARY_OTHER", "decision_monetary is DECISION_MONETARY_OTHER")
	v.max("decision_monetary_other", s.DecisionMonetaryOther, maxOther)
	v.oneOf("decision_provision", s.DecisionProvision, DecisionProvisions)
	v.oneOf("decision_account", s.DecisionAccount, DecisionAccounts)
}

// ground checks the fields that depend on decision_ground.
func (v *validator) ground(s SOR) {
	illegal := s.DecisionGround == "DECISION_GROUND_ILLEGAL_CONTENT"
	incompatible := s.DecisionGround == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
	v.requiredIff("illegal_content_legal_ground", s.IllegalContentLegalGround, illegal, "decision_ground is DECISION_GROUND_ILLEGAL_CONTENT")
	v.requiredIff("illegal_content_explanation", s.IllegalContentExplanation, illegal, "decision_ground is DECISION_GROUND_ILLEGAL_CONTENT")
	v.max("illegal_content_legal_ground", s.IllegalContentLegalGround, maxLegalGround)
	v.max("illegal_content_explanation", s.IllegalContentExplanation, maxExplanation)
	v.requiredIff("incompatible_content_ground", s.IncompatibleContentGround, incompatible, "decision_ground is DECISION_GROUND_INCOMPATIBLE_CONTENT")
	v.requiredIff("incompatible_content_explanation", s.IncompatibleContentExplanation, incompatible, "decision_ground is DECISION_GROUND_INCOMPATIBLE_CONTENT")
	v.max("incompatible_content_ground", s.IncompatibleContentGround, maxLegalGround)
	v.max("incompatible_content_explanation", s.IncompatibleContentExplanation, maxExplanation)
	if s.IncompatibleContentIllegal != "" && !incompatible {
		v.fail("incompatible_content_illegal", "only with decision_ground DECISION_GROUND_INCOMPATIBLE_CONTENT")
	}
	v.oneOf("incompatible_content_illegal", s.IncompatibleContentIllegal, YesNo)
}

// validator collects problems.
type validator struct{ problems []models.FieldError }

func (v *validator) fail(field, format string, args ...any) {
	v.problems = append(v.problems, models.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) required(field, value string) {
	if strings.TrimSpace(value) == "" {
		v.fail(field, "is required")
	}
}

// requiredIff: value must be set when cond holds, and empty otherwise.
func (v *validator) requiredIff(field, value string, cond bool, why string) {
	switch {
	case cond && strings.TrimSpace(value) == "":
		v.fail(field, "is required when %s", why)
	case !cond && value != "":
		v.fail(field, "is only allowed when %s", why)
	}
}

func (v *validator) max(field, value string, n int) {
	if c := utf8.RuneCountInString(value); c > n {
		v.fail(field, "has %d characters; at most %d", c, n)
	}
}

// oneOf checks an optional enum field (empty passes; required checks that).
func (v *validator) oneOf(field, value string, allowed []string) {
	if value != "" && !slices.Contains(allowed, value) {
		v.fail(field, "%q is not one of %s", value, strings.Join(allowed, ", "))
	}
}

func (v *validator) each(field string, values, allowed []string) {
	seen := map[string]bool{}
	for _, x := range values {
		v.oneOf(field, x, allowed)
		if seen[x] {
			v.fail(field, "%q is listed twice", x)
		}
		seen[x] = true
	}
}

// date parses a YYYY-MM-DD field; required says whether empty is a problem.
func (v *validator) date(field, value string, required bool) time.Time {
	if value == "" {
		if required {
			v.fail(field, "is required")
		}
		return time.Time{}
	}
	t, err := time.Parse(dateLayout, value)
	if err != nil {
		v.fail(field, "%q is not a date YYYY-MM-DD", value)
	}
	return t
}
