package statements

import (
	"fmt"
	"net/url"
	"strings"
)

// KindOrderRestriction is the journal kind of content restricted on an
// order of an authority (activities.JournalOrderRestriction; the case id is
// the order id).
const KindOrderRestriction = "order_restriction"

// OrderFacts are the order behind an order restriction.
type OrderFacts struct {
	ID, Kind, LegalBasis, Reason, ReferenceURL string
	// Countries are the member states it applies in; empty: everywhere.
	Countries                                   []string
	ContentType, MemberState, Authority, Effect string
}

// orderCategories maps an order's content type to the Transparency
// Database's category and keyword.
var orderCategories = map[string][2]string{
	"terrorist_content":     {"STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", ""},
	"child_sexual_abuse":    {"STATEMENT_CATEGORY_PROTECTION_OF_MINORS", "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"},
	"illegal_speech":        {"STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", ""},
	"intellectual_property": {"STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", ""},
	"scams_fraud":           {"STATEMENT_CATEGORY_SCAMS_AND_FRAUD", ""},
	"data_protection":       {"STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", ""},
	"unsafe_products":       {"STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS", ""},
	"violence":              {"STATEMENT_CATEGORY_VIOLENCE", ""},
	"cyber_violence":        {"STATEMENT_CATEGORY_CYBER_VIOLENCE", ""},
}

// orderOf reads the order of an order restriction's journal details.
func orderOf(d journalDetails) *OrderFacts {
	o := &OrderFacts{ID: d.OrderID, Kind: d.Kind, LegalBasis: d.LegalBasis, Reason: d.Reason, ReferenceURL: d.ReferenceURL,
		ContentType: d.ContentType, MemberState: d.MemberState, Authority: d.Authority, Effect: d.Effect}
	if scope := strings.TrimSpace(d.Territorial); scope != "" && scope != "everywhere" {
		for _, c := range strings.Split(scope, ",") {
			if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
				o.Countries = append(o.Countries, c)
			}
		}
	}
	return o
}

// buildOrder fills the statement of content disabled on an order of an
// authority: the law the order applies is the ground (an order is never a
// terms decision), the authority is the source, and the scope is the
// member states it names.
func buildOrder(s *SOR, f Facts) {
	o := f.Order
	if o == nil {
		o = &OrderFacts{}
	}
	s.SourceType, s.SourceIdentity = "SOURCE_TYPE_OTHER_NOTIFICATION", clip(oneLine(o.Authority), maxOther)
	s.DecisionVisibility = []string{"DECISION_VISIBILITY_CONTENT_DISABLED"}
	s.ContentType, s.ContentTypeOther = []string{"CONTENT_TYPE_OTHER"}, "content named in an order of an authority"
	s.Category, s.CategorySpecification = "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE", nil
	if c, ok := orderCategories[o.ContentType]; ok {
		s.Category = c[0]
		if c[1] != "" {
			s.CategorySpecification = []string{c[1]}
		}
	}
	if len(o.Countries) > 0 {
		s.TerritorialScope = nil
		for _, c := range o.Countries {
			if contains(TerritorialScopes, c) && !contains(s.TerritorialScope, c) {
				s.TerritorialScope = append(s.TerritorialScope, c)
			}
		}
	}
	if u, err := url.Parse(o.ReferenceURL); err == nil && u.Scheme != "" && u.Host != "" {
		s.DecisionGroundReferenceURL = o.ReferenceURL
	}
	legal := oneLine(o.LegalBasis)
	if legal == "" {
		legal = "Order of a competent authority (" + o.Kind + ")"
	}
	s.DecisionGround = "DECISION_GROUND_ILLEGAL_CONTENT"
	s.IllegalContentLegalGround = clip(legal, maxLegalGround)
	s.IllegalContentExplanation = clip(sentence(o.Reason), maxExplanation)
	var b strings.Builder
	fmt.Fprintf(&b, "On %s we received an order (%s, order %s) from %s", date(f.At, f.At), o.Kind, f.CaseID, oneLine(o.Authority))
	if o.MemberState != "" {
		fmt.Fprintf(&b, " (%s)", o.MemberState)
	}
	b.WriteString(" to act against content we host or deliver. ")
	if o.Effect != "" {
		b.WriteString(sentence(o.Effect) + " ")
	} else {
		b.WriteString("We disabled access to it as the order requires. ")
	}
	if len(o.Countries) > 0 {
		fmt.Fprintf(&b, "The order applies in %s. ", strings.Join(o.Countries, ", "))
	}
	b.WriteString(redress)
	s.DecisionFacts = b.String()
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
