package statements

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/abusedesk/abusedesk/models"
)

// Audit journal kinds that restrict a recipient and so carry a statement.
const (
	KindRestriction       = "restriction"        // access to hosted objects disabled
	KindRemoval           = "removal"            // hosted objects removed for good
	KindTermination       = "termination"        // an account's service terminated
	KindDomainRestriction = "domain_restriction" // a registrar status set on a domain
)

// Facts are what a statement is built from: the restriction and the case
// (or termination review) behind it.
type Facts struct {
	Kind     string
	DedupKey string
	// At is when the restriction was applied.
	At time.Time
	// CaseID is the case, or the termination review's workflow id.
	CaseID string
	// Category is the report's category (for a termination, the category
	// of the case that triggered the review); empty when unknown.
	Category models.Category
	// ReportedAt is when the report arrived (the earliest date abusedesk
	// knows the content existed); zero when unknown.
	ReportedAt time.Time
	// Decision is the analyst's decision behind the restriction; nil when
	// the restriction was applied without one (CSAM is disabled on receipt).
	Decision *models.Decision
	// Object is the hosted object restricted (restriction, removal).
	Object *models.HostedObject
	// Reason is the reason the activity recorded ("no response", a clause).
	Reason string
	// Termination is the terminated service (termination).
	Termination *models.Termination
	// Complaint marks a copyright report that lacks some 17 U.S.C.
	// 512(c)(3) elements (a complaint, not a notice): the statement must not
	// call it a notice under 512(c)(3) or offer the 512(g) counter-notice.
	Complaint bool
	// Behind are the cases behind a termination (the strikes that opened
	// its review, the triggering case among them), oldest first.
	Behind []BehindCase
	// AccountServices are the services the terminated account had (hosting,
	// cdn, registrar); ObjectsDisabled is how many hosted objects the
	// termination disabled.
	AccountServices []string
	ObjectsDisabled int
	// Mitigation is the CDN mitigation the restriction is; nil for hosted
	// content.
	Mitigation *MitigationFacts
	// Order is the order of an authority behind an order restriction.
	Order *OrderFacts
}

// BehindCase is one case behind a termination.
type BehindCase struct {
	CaseID     string
	Category   models.Category
	ReportedAt time.Time
}

// category is how one of abusedesk's categories maps to the Transparency
// Database and to a ground.
type category struct {
	label   string // in decision_facts
	dsa     string // STATEMENT_CATEGORY_*
	keyword string // KEYWORD_* (category_specification), if one fits
	// legal is the legal ground for DECISION_GROUND_ILLEGAL_CONTENT; empty:
	// the restriction rests on the terms (DECISION_GROUND_INCOMPATIBLE_CONTENT).
	legal string
}

// categories maps report categories. Categories of content that is illegal
// as such take the illegal-content ground with the instrument named; "other"
// and the registrar categories rest on the terms or the registration
// agreement.
var categories = map[models.Category]category{
	models.CategoryCopyright: {"copyright infringement", "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", "KEYWORD_COPYRIGHT_INFRINGEMENT",
		"Copyright infringement: Directive 2001/29/EC Art. 3 (communication to the public) and the national copyright law; 17 U.S.C. 106 and 501 (notice under 17 U.S.C. 512(c)(3))"},
	models.CategoryTrademark: {"trade mark infringement", "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", "KEYWORD_TRADEMARK_INFRINGEMENT",
		"Trade mark infringement: Regulation (EU) 2017/1001 Art. 9 and Directive (EU) 2015/2436 Art. 10; 15 U.S.C. 1114"},
	models.CategoryPhishing: {"phishing", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "KEYWORD_PHISHING",
		"Phishing: Directive (EU) 2019/713 on fraud and counterfeiting of non-cash means of payment, Arts. 3-7; Directive 2013/40/EU on attacks against information systems"},
	models.CategoryMalware: {"malware or command-and-control", "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", "",
		"Malware: Directive 2013/40/EU on attacks against information systems, Arts. 3-7 (including tools used for committing those offences)"},
	models.CategoryCSAM: {"child sexual abuse material", "STATEMENT_CATEGORY_PROTECTION_OF_MINORS", "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
		"Child sexual abuse material: Directive 2011/93/EU on combating the sexual abuse and sexual exploitation of children, Arts. 3-7; 18 U.S.C. 2252A"},
	models.CategoryViolentThreat: {"a violent threat", "STATEMENT_CATEGORY_VIOLENCE", "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
		"Threats and incitement to violence: the national criminal law; Council Framework Decision 2008/913/JHA Art. 1 where hatred is incited"},
	models.CategoryPersonalInformation: {"publication of personal information", "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", "",
		"Unlawful processing of personal data: Regulation (EU) 2016/679 (GDPR) Arts. 5 and 6"},
	models.CategoryControlledSubst: {"sale of controlled substances", "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS", "KEYWORD_PROHIBITED_PRODUCTS",
		"Illicit drug trafficking: Council Framework Decision 2004/757/JHA Art. 2 and the national drug laws"},
	models.CategoryHumanTrafficking: {"human trafficking", "STATEMENT_CATEGORY_VIOLENCE", "KEYWORD_HUMAN_TRAFFICKING",
		"Trafficking in human beings: Directive 2011/36/EU Art. 2"},
	models.CategoryDefamation: {"defamation", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "KEYWORD_DEFAMATION",
		"Defamation as established by legal process (a court decision) under the applicable national law"},
	models.CategoryFraud: {"fraud", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "",
		"Fraud: the national criminal law; Directive (EU) 2019/713 where non-cash means of payment are concerned"},
	models.CategoryNCSEI: {"non-consensual intimate imagery", "STATEMENT_CATEGORY_CYBER_VIOLENCE", "",
		"Non-consensual sharing of intimate images: Directive (EU) 2024/1385 on combating violence against women and domestic violence, Art. 5; the TAKE IT DOWN Act (US, 2025)"},
	models.CategoryRegistrarWhois:     {"inaccurate domain registration data", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "", ""},
	models.CategoryRegistrarHijacking: {"domain hijacking", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "", ""},
	models.CategoryOther:              {"a breach of our terms of service", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "", ""},
}

// categoryOf returns the mapping of c (unknown categories as "other").
func categoryOf(c models.Category) category {
	if m, ok := categories[c]; ok {
		return m
	}
	return categories[models.CategoryOther]
}

// contentTypes maps hosting products to content types; other products are
// CONTENT_TYPE_OTHER with the product named.
var contentTypes = map[string]string{
	"pages":  "CONTENT_TYPE_TEXT",
	"images": "CONTENT_TYPE_IMAGE",
	"stream": "CONTENT_TYPE_VIDEO",
}

// productNames names the other products in content_type_other.
var productNames = map[string]string{
	"workers": "edge function (program code)",
	"kv":      "key-value store data",
}

// redress is Art. 17(3)(f): the possibilities for redress.
const redress = "Redress: you can contest this decision through our internal complaint handling " +
	"(answer through the link in our notice, or reply to it), before a certified out-of-court dispute " +
	"settlement body (Regulation (EU) 2022/2065 Art. 21), or in court."

// Build makes the statement of reasons of one restriction. The restriction
// applies to the hosted object, domain or account wherever it is served, so
// the territorial scope is every EEA country; it has no end date (blank:
// indefinite) because it lasts until the content is removed or the decision
// reversed. content_date is when the content was first known to be online
// (firstKnown). The ground follows groundOf (ground.go).
func Build(f Facts) SOR {
	cat := categoryOf(f.Category)
	if f.Complaint && f.Category == models.CategoryCopyright {
		cat.legal = strings.Replace(cat.legal, "(notice under 17 U.S.C. 512(c)(3))",
			"(a complaint, not a notice under 17 U.S.C. 512(c)(3))", 1)
	}
	s := SOR{
		Category:           cat.dsa,
		ContentDate:        date(firstKnown(f), f.At),
		ApplicationDate:    f.At.UTC().Format(dateLayout),
		SourceType:         "SOURCE_ARTICLE_16",
		AutomatedDetection: "No",
		AutomatedDecision:  "AUTOMATED_DECISION_NOT_AUTOMATED",
		TerritorialScope:   slices.Clone(TerritorialScopes),
		PUID:               PUID(f.CaseID, f.Kind, f.DedupKey),
	}
	if cat.keyword != "" {
		s.CategorySpecification = []string{cat.keyword}
	}
	switch f.Kind {
	case KindRestriction, KindRemoval:
		if f.Mitigation != nil {
			buildMitigation(&s, f, cat)
		} else {
			buildContent(&s, f, cat)
		}
	case KindDomainRestriction:
		buildDomain(&s, f, cat)
	case KindTermination:
		buildTermination(&s, f, cat)
	case KindOrderRestriction:
		buildOrder(&s, f)
	}
	if f.Decision == nil && f.Kind != KindTermination && f.Kind != KindOrderRestriction {
		s.AutomatedDecision = "AUTOMATED_DECISION_FULLY"
	}
	s.DecisionFacts = clip(noDoubledStops(s.DecisionFacts), maxFacts)
	s.IllegalContentExplanation = noDoubledStops(s.IllegalContentExplanation)
	s.IncompatibleContentExplanation = noDoubledStops(s.IncompatibleContentExplanation)
	return s
}

// buildContent fills a statement about disabled or removed hosted content.
func buildContent(s *SOR, f Facts, cat category) {
	product := ""
	object := "a hosted object"
	if f.Object != nil {
		product = f.Object.Product
		object = fmt.Sprintf("the hosted object %s (%s)", f.Object.ObjectID, product)
	}
	s.ContentType = []string{"CONTENT_TYPE_OTHER"}
	if t, ok := contentTypes[product]; ok {
		s.ContentType = []string{t}
	} else if n, ok := productNames[product]; ok {
		s.ContentTypeOther = n
	} else {
		s.ContentTypeOther = "hosted content"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "On %s we received a notice (case %s) reporting %s in %s that we host. ", date(f.ReportedAt, f.At), f.CaseID, cat.label, object)
	b.WriteString(decided(f, "breaches our terms of service"))
	if f.Kind == KindRestriction {
		s.DecisionVisibility = []string{"DECISION_VISIBILITY_CONTENT_DISABLED"}
		switch {
		case f.Decision == nil && atNCSEIDeadline(f):
			b.WriteString(ncseiDeadlineFacts(f))
		case f.Decision == nil && f.Category == models.CategoryCSAM:
			b.WriteString("Because the notice reports child sexual abuse material, access to it was disabled automatically on receipt, before human review; an analyst reviews the decision. ")
		case f.Decision == nil:
			b.WriteString("Access to it was disabled on receipt, before human review; an analyst reviews the decision. ")
		default:
			b.WriteString(disabledText(f))
		}
	} else {
		s.DecisionVisibility = []string{"DECISION_VISIBILITY_CONTENT_REMOVED"}
		switch {
		case f.Reason == "no response":
			b.WriteString("Access was disabled and the account holder notified; no answer came by the deadline, so the content was removed permanently. ")
		case f.Category == models.CategoryCSAM:
			b.WriteString("The content was removed permanently and a report to the child-safety clearinghouse was prepared, as the law requires. ")
		default:
			b.WriteString("The content was removed permanently. ")
		}
	}
	b.WriteString(redress)
	s.DecisionFacts = b.String()
	groundOf(s, f, cat, "Terms of service, clause "+clauseOf(f))
}

// buildDomain fills a statement about a suspended domain (serverHold). The
// registrar suspends under the registration agreement: for inaccurate
// registration data, until the data is corrected; for abuse, until the
// decision is reversed.
func buildDomain(s *SOR, f Facts, cat category) {
	s.DecisionProvision = "DECISION_PROVISION_TOTAL_SUSPENSION"
	s.ContentType = []string{"CONTENT_TYPE_OTHER"}
	s.ContentTypeOther = "domain name registration"
	whois := f.Category == models.CategoryRegistrarWhois
	var b strings.Builder
	fmt.Fprintf(&b, "On %s we received a notice (case %s) reporting %s about a domain name registered with us. ", date(f.ReportedAt, f.At), f.CaseID, cat.label)
	if whois {
		b.WriteString("We asked the registrant to correct the registration data by a deadline; it was not corrected. ")
	}
	b.WriteString(decided(f, "requires suspending the domain under the registration agreement"))
	if whois {
		b.WriteString("The domain was suspended (EPP status serverHold): it does not resolve until the registration data is corrected or the decision is reversed. ")
	} else {
		b.WriteString("The domain was suspended (EPP status serverHold): it does not resolve until the decision is reversed. ")
	}
	b.WriteString(redress)
	s.DecisionFacts = b.String()
	terms := "Domain registration agreement: the registrant's duty to provide and keep accurate registration data (ICANN Registrar Accreditation Agreement 2013, s. 3.7.7.2)"
	if !whois {
		terms = "Domain registration agreement: suspension of a domain used for abuse (ICANN Registrar Accreditation Agreement 2013, s. 3.18)"
	}
	groundOf(s, f, cat, terms)
}

// decided says who decided what, in one sentence.
func decided(f Facts, what string) string {
	if f.Decision == nil {
		return ""
	}
	c := ""
	if f.Decision.Clause != "" {
		c = " (clause " + f.Decision.Clause + ")"
	}
	return fmt.Sprintf("An analyst reviewed it and found that it %s%s: %s ", what, c, sentence(f.Decision.Reason))
}

// clauseOf is the terms clause applied: the analyst's, else the reason the
// activity recorded.
func clauseOf(f Facts) string {
	if f.Decision != nil && f.Decision.Clause != "" {
		return f.Decision.Clause
	}
	if f.Reason != "" && f.Reason != "no response" {
		return f.Reason
	}
	return "other_illegal"
}

// PUID is a statement's platform unique identifier: readable (the case and
// the kind), unique per restriction (a hash of the journal's dedup key),
// and within the Transparency Database's [A-Za-z0-9_-]{1,500}.
func PUID(caseID, kind, dedupKey string) string {
	sum := sha256.Sum256([]byte(dedupKey))
	id := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, caseID)
	if len(id) > 200 {
		id = id[:200]
	}
	return "sor-" + id + "-" + strings.ReplaceAll(kind, "_", "-") + "-" + hex.EncodeToString(sum[:10])
}

// date formats t (or, when zero, fallback) as YYYY-MM-DD in UTC.
func date(t, fallback time.Time) string {
	if t.IsZero() || t.After(fallback) {
		t = fallback
	}
	return t.UTC().Format(dateLayout)
}

// sentence ends free text as one sentence: folded to one line, with one
// final stop, so "… product." never reads "… product..". An empty text
// reads "(no reason given)."
func sentence(s string) string {
	s = strings.TrimRight(oneLine(s), " ")
	if s == "" {
		return "(no reason given)."
	}
	if strings.HasSuffix(s, "...") || strings.HasSuffix(s, "…") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return strings.TrimRight(s, ".") + "."
}

// oneLine folds white space, so free text reads as one sentence.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip shortens s to at most n characters, on a character boundary.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// disabledText explains a disabled hosted object and what the account
// holder may do. Only a copyright notice (17 U.S.C. 512(c)(3)) opens the
// 512(g) counter-notice; a complaint lacking its elements, and every other
// category, is disputed through our complaint handling.
func disabledText(f Facts) string {
	if f.Category == models.CategoryCopyright && !f.Complaint {
		return "We disabled access to it: it answers HTTP 451 (unavailable for legal reasons). The account holder was notified and may remove the content, dispute the decision or send a counter-notice (17 U.S.C. 512(g)); access stays disabled until one of these settles the case. "
	}
	return "We disabled access to it: it answers HTTP 451 (unavailable for legal reasons). The account holder was notified and may remove the content or dispute the decision; access stays disabled until one of these settles the case. "
}
