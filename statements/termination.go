package statements

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// Termination kinds (activities.ReviewRepeatInfringer, ReviewHosting).
const (
	reviewRepeatInfringer = "repeat_infringer"
	reviewHosting         = "hosting"
)

// behindWindow bounds how far back the strikes behind a termination are
// read: the longest default strike window (copyright_strike_window, 12
// months).
const behindWindow = 365 * 24 * time.Hour

// maxBehindListed bounds the cases named in decision_facts.
const maxBehindListed = 20

// buildTermination fills a statement about a terminated service with what
// the termination actually applied: the service ended
// (DECISION_PROVISION_TOTAL_TERMINATION when it was the account's only
// service with us, with DECISION_ACCOUNT_TERMINATED; PARTIAL_TERMINATION
// when the account keeps others), the hosted objects disabled
// (DECISION_VISIBILITY_CONTENT_DISABLED), and the categories of all the
// cases behind it (category and category_addition). The review ran on
// abusedesk's own initiative under its termination policies, so the
// source is SOURCE_VOLUNTARY.
func buildTermination(s *SOR, f Facts, _ category) {
	t := f.Termination
	if t == nil {
		t = &models.Termination{}
	}
	service := t.Service
	if service == "" {
		service = "hosting"
	}
	s.SourceType = "SOURCE_VOLUNTARY"
	total := !slices.ContainsFunc(f.AccountServices, func(x string) bool { return x != service })
	if total {
		s.DecisionProvision, s.DecisionAccount = "DECISION_PROVISION_TOTAL_TERMINATION", "DECISION_ACCOUNT_TERMINATED"
	} else {
		s.DecisionProvision = "DECISION_PROVISION_PARTIAL_TERMINATION"
	}
	if service == "hosting" && f.ObjectsDisabled > 0 {
		s.DecisionVisibility = []string{"DECISION_VISIBILITY_CONTENT_DISABLED"}
	}
	s.ContentType = []string{"CONTENT_TYPE_OTHER"}
	s.ContentTypeOther = service + " service of a customer account"
	cats := terminationCategories(f, t)
	main := categoryOf(cats[0])
	s.Category, s.CategoryAddition, s.CategorySpecification = main.dsa, nil, nil
	var legal []string
	for _, c := range cats {
		m := categoryOf(c)
		if m.dsa != main.dsa && !slices.Contains(s.CategoryAddition, m.dsa) {
			s.CategoryAddition = append(s.CategoryAddition, m.dsa)
		}
		if m.keyword != "" && !slices.Contains(s.CategorySpecification, m.keyword) {
			s.CategorySpecification = append(s.CategorySpecification, m.keyword)
		}
		if m.legal != "" && !slices.Contains(legal, m.legal) {
			legal = append(legal, m.legal)
		}
	}
	policy, terms := "our hosting policy: the account was used repeatedly for violations and no meaningful steps were taken against them",
		"Terms of service: termination of accounts used repeatedly for violations without meaningful steps by the account holder"
	if t.Kind == reviewRepeatInfringer {
		policy, terms = "our repeat-infringer policy (17 U.S.C. 512(i)): the account received the policy's number of upheld copyright strikes within its window",
			"Terms of service: repeat-infringer policy (17 U.S.C. 512(i))"
	}
	s.DecisionFacts = terminationFacts(f, t, service, policy, total)
	if t.LegalBasis != "" {
		// A non-hosting service is terminated only on a recorded legal basis.
		s.DecisionGround = "DECISION_GROUND_ILLEGAL_CONTENT"
		s.IllegalContentLegalGround = clip(oneLine(t.LegalBasis), maxLegalGround)
		s.IllegalContentExplanation = clip(sentence(t.Reason), maxExplanation)
		return
	}
	s.DecisionGround = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
	s.IncompatibleContentGround = terms
	explanation := sentence(t.Reason)
	if len(legal) > 0 {
		s.IncompatibleContentIllegal = "Yes"
		explanation += " The content behind it is also illegal: " + sentence(strings.Join(legal, "; "))
	}
	s.IncompatibleContentExplanation = clip(explanation, maxExplanation)
}

// terminationCategories are the categories behind a termination, the
// triggering case's first; never empty (a repeat-infringer termination is
// about copyright, any other about a terms breach when nothing is known).
func terminationCategories(f Facts, t *models.Termination) []models.Category {
	var out []models.Category
	if f.Category != "" {
		out = append(out, f.Category)
	}
	for i := len(f.Behind) - 1; i >= 0; i-- {
		if c := f.Behind[i].Category; c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		if t.Kind == reviewRepeatInfringer {
			return []models.Category{models.CategoryCopyright}
		}
		return []models.Category{models.CategoryOther}
	}
	return out
}

// terminationFacts is decision_facts of a termination.
func terminationFacts(f Facts, t *models.Termination, service, policy string, total bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "A termination review (%s) of the account %s was opened under %s. ", f.CaseID, t.AccountID, policy)
	if len(f.Behind) > 0 {
		b.WriteString("The cases behind it: ")
		for i, c := range f.Behind {
			if i == maxBehindListed {
				fmt.Fprintf(&b, ", and %d more", len(f.Behind)-i)
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "case %s (%s, reported %s)", c.CaseID, categoryOf(c.Category).label, date(c.ReportedAt, f.At))
		}
		b.WriteString(". ")
	} else if f.Category != "" {
		fmt.Fprintf(&b, "It followed a notice reporting %s. ", categoryOf(f.Category).label)
	}
	fmt.Fprintf(&b, "An analyst decided to terminate the account's %s service: %s ", service, sentence(t.Reason))
	if t.LegalBasis != "" {
		fmt.Fprintf(&b, "Legal basis: %s ", sentence(t.LegalBasis))
	}
	if service == "hosting" && f.ObjectsDisabled > 0 {
		fmt.Fprintf(&b, "Every object the account hosted was disabled (%d). ", f.ObjectsDisabled)
	}
	switch {
	case len(f.AccountServices) == 0:
	case total:
		b.WriteString("It was the account's only service with us: the account was terminated. ")
	default:
		others := slices.DeleteFunc(slices.Clone(f.AccountServices), func(x string) bool { return x == service })
		fmt.Fprintf(&b, "The account's other services (%s) were not terminated. ", strings.Join(others, ", "))
	}
	b.WriteString(redress)
	return b.String()
}

// gatherBehind reads what a termination applied to and the cases behind
// it: the account's services and hosted objects, and the strikes of the
// review's kind (upheld, not withdrawn) from behindWindow before the review
// up to it.
func gatherBehind(db *gorm.DB, f *Facts, reviewAt time.Time) error {
	t := f.Termination
	var domains []models.Domain
	if err := db.Select("name", "services").Where("account_id = ?", t.AccountID).Find(&domains).Error; err != nil {
		return fmt.Errorf("statements: services of %s: %w", t.AccountID, err)
	}
	for _, d := range domains {
		for _, sv := range strings.Split(d.Services, ",") {
			sv, _, _ = strings.Cut(strings.TrimSpace(sv), ":")
			if sv != "" && !slices.Contains(f.AccountServices, sv) {
				f.AccountServices = append(f.AccountServices, sv)
			}
		}
	}
	slices.Sort(f.AccountServices)
	if t.Service == "" || t.Service == "hosting" {
		var n int64
		if err := db.Model(&models.HostedObject{}).Where("account_id = ?", t.AccountID).Count(&n).Error; err != nil {
			return fmt.Errorf("statements: hosted objects of %s: %w", t.AccountID, err)
		}
		f.ObjectsDisabled = int(n)
	}
	if reviewAt.IsZero() {
		reviewAt = f.At
	}
	q := db.Model(&models.Strike{}).Where("account_id = ? AND withdrawn_at IS NULL AND created_at <= ? AND created_at > ?",
		t.AccountID, reviewAt.Add(time.Minute), reviewAt.Add(-behindWindow))
	switch t.Kind {
	case reviewRepeatInfringer:
		q = q.Where("category = ?", models.CategoryCopyright)
	case reviewHosting:
		q = q.Where("no_meaningful_step = ?", true)
	}
	var strikes []models.Strike
	if err := q.Order("created_at").Order("id").Find(&strikes).Error; err != nil {
		return fmt.Errorf("statements: strikes of %s: %w", t.AccountID, err)
	}
	for _, st := range strikes {
		b := BehindCase{CaseID: st.CaseID, Category: st.Category}
		var c models.Case
		if err := db.Select("id", "category", "created_at").Where("id = ?", st.CaseID).Limit(1).Find(&c).Error; err != nil {
			return fmt.Errorf("statements: case %s: %w", st.CaseID, err)
		}
		if c.ID != "" {
			b.ReportedAt = c.CreatedAt
			if c.Category != "" {
				b.Category = c.Category
			}
		}
		f.Behind = append(f.Behind, b)
	}
	return nil
}
