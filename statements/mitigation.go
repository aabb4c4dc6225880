package statements

import (
	"fmt"
	"slices"
	"strings"

	"github.com/abusedesk/abusedesk/models"
)

// MitigationFacts are the mitigation a restriction is (a CDN mitigation
// journalled as "restriction" by activities.ApplyMitigation): what it does,
// what it covers and where.
type MitigationFacts struct {
	Type       models.MitigationType
	EntityType models.MitigationEntity
	// Countries are the ISO 3166-1 codes a legal block applies in; empty:
	// everywhere.
	Countries []string
}

// mitigationVisibility is what each mitigation type does to the content,
// in the Transparency Database's words ("" other: decision_visibility_other).
var mitigationVisibility = map[models.MitigationType]struct{ visibility, other, text string }{
	models.MitigationLegalBlock:             {"DECISION_VISIBILITY_CONTENT_DISABLED", "", "Access to it through our network was blocked (HTTP 451, unavailable for legal reasons)"},
	models.MitigationNetworkBlock:           {"DECISION_VISIBILITY_CONTENT_DISABLED", "", "Our network stopped delivering it"},
	models.MitigationContentDisabled:        {"DECISION_VISIBILITY_CONTENT_DISABLED", "", "Access to it was disabled (HTTP 451, unavailable for legal reasons)"},
	models.MitigationContentRemoved:         {"DECISION_VISIBILITY_CONTENT_REMOVED", "", "It was removed permanently"},
	models.MitigationPhishingInterstitial:   {"DECISION_VISIBILITY_OTHER", "a phishing warning page shown before the content", "Visitors see a phishing warning page before it"},
	models.MitigationMisleadingInterstitial: {"DECISION_VISIBILITY_OTHER", "a warning page about misleading content shown before the content", "Visitors see a warning page before it"},
	models.MitigationRateLimitCache:         {"DECISION_VISIBILITY_OTHER", "delivery through our network rate-limited and served from cache only", "Its delivery through our network was rate-limited"},
	models.MitigationRedirectVideoStream:    {"DECISION_VISIBILITY_OTHER", "the video stream redirected away from the content", "Its video stream was redirected"},
}

// buildMitigation fills a statement about a mitigation our network applies
// to content it delivers (not hosts): the restriction it actually is, its
// countries for a legal block, and no 512(g) counter-notice (that belongs to
// hosted copyright content).
func buildMitigation(s *SOR, f Facts, cat category) {
	m := f.Mitigation
	covered := map[models.MitigationEntity]string{
		models.EntityZone:    "a website (zone) delivered through our network",
		models.EntityAccount: "the content of a customer account delivered through our network",
	}[m.EntityType]
	if covered == "" {
		covered = "web pages delivered through our network"
	}
	s.ContentType = []string{"CONTENT_TYPE_OTHER"}
	s.ContentTypeOther = covered
	var b strings.Builder
	fmt.Fprintf(&b, "On %s we received a notice (case %s) reporting %s in %s. ", date(f.ReportedAt, f.At), f.CaseID, cat.label, covered)
	b.WriteString(decided(f, "breaches our terms of service"))
	switch m.Type {
	case models.MitigationAccountSuspend:
		s.DecisionProvision, s.DecisionAccount = "DECISION_PROVISION_TOTAL_SUSPENSION", "DECISION_ACCOUNT_SUSPENDED"
		b.WriteString("The customer account's service on our network was suspended. ")
	case models.MitigationServiceTermination:
		s.DecisionProvision = "DECISION_PROVISION_PARTIAL_TERMINATION"
		b.WriteString("Our network's service for it was terminated. ")
	case models.MitigationDomainHold:
		s.DecisionProvision = "DECISION_PROVISION_TOTAL_SUSPENSION"
		b.WriteString("The domain was suspended. ")
	default:
		v, ok := mitigationVisibility[m.Type]
		if !ok {
			v = mitigationVisibility[models.MitigationContentDisabled]
		}
		s.DecisionVisibility = []string{v.visibility}
		s.DecisionVisibilityOther = v.other
		b.WriteString(v.text)
		if len(m.Countries) > 0 {
			fmt.Fprintf(&b, " in %s", strings.Join(m.Countries, ", "))
		}
		b.WriteString(". ")
	}
	if len(m.Countries) > 0 {
		var eea []string
		for _, c := range m.Countries {
			if c = strings.ToUpper(strings.TrimSpace(c)); slices.Contains(TerritorialScopes, c) && !slices.Contains(eea, c) {
				eea = append(eea, c)
			}
		}
		s.TerritorialScope = eea
	}
	b.WriteString("The customer was notified and may remove the content or appeal the decision. ")
	b.WriteString(redress)
	s.DecisionFacts = b.String()
	groundOf(s, f, cat, "Terms of service, clause "+clauseOf(f))
}

// mitigationOf reads the mitigation a restriction's journal details name
// (nil: the restriction is no mitigation).
func mitigationOf(d journalDetails) *MitigationFacts {
	if d.Type == "" || d.MitigationID == "" {
		return nil
	}
	m := &MitigationFacts{Type: models.MitigationType(d.Type), EntityType: models.MitigationEntity(d.EntityType)}
	for _, c := range strings.Split(d.Countries, ",") {
		if c = strings.TrimSpace(c); c != "" {
			m.Countries = append(m.Countries, c)
		}
	}
	return m
}
