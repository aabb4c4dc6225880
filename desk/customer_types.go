package desk

import (
	"sort"

	"github.com/abusedesk/abusedesk/models"
)

// The reference's report types and statuses (docs/DESIGN.md "Customer
// accounts"; the reference's customer API), and how abusedesk's categories
// and case statuses map onto them.

// Report types of the reference's API.
const (
	TypePhishing  = "PHISH"
	TypeGeneral   = "GEN"
	TypeThreat    = "THREAT"
	TypeDMCA      = "DMCA"
	TypeEmergency = "EMER"
	TypeTrademark = "TM"
	TypeRegWhois  = "REG_WHO"
	TypeNCSEI     = "NCSEI"
	TypeNetwork   = "NETWORK"
)

// ReportTypes lists the reference's report types.
var ReportTypes = []string{TypePhishing, TypeGeneral, TypeThreat, TypeDMCA, TypeEmergency, TypeTrademark, TypeRegWhois, TypeNCSEI, TypeNetwork}

// CategoryTypes maps every abusedesk category to the reference's report
// type. No category maps to NETWORK today: filtering by it lists nothing.
var CategoryTypes = map[models.Category]string{
	models.CategoryCopyright:           TypeDMCA,
	models.CategoryTrademark:           TypeTrademark,
	models.CategoryPhishing:            TypePhishing,
	models.CategoryFraud:               TypePhishing,
	models.CategoryMalware:             TypeGeneral,
	models.CategoryCSAM:                TypeEmergency,
	models.CategoryViolentThreat:       TypeThreat,
	models.CategoryPersonalInformation: TypeGeneral,
	models.CategoryControlledSubst:     TypeGeneral,
	models.CategoryHumanTrafficking:    TypeGeneral,
	models.CategoryDefamation:          TypeGeneral,
	models.CategoryRegistrarWhois:      TypeRegWhois,
	models.CategoryRegistrarHijacking:  TypeGeneral,
	models.CategoryNCSEI:               TypeNCSEI,
	models.CategoryOther:               TypeGeneral,
}

// ReportType is the reference's type of a category (GEN for one not in
// CategoryTypes).
func ReportType(c models.Category) string {
	if t, ok := CategoryTypes[c]; ok {
		return t
	}
	return TypeGeneral
}

// categoriesOf lists the categories whose type is t (a non-nil empty slice
// when none), or the one category t names; ok is false when t is neither a
// type nor a category.
func categoriesOf(t string) ([]models.Category, bool) {
	if models.Category(t).Valid() {
		return []models.Category{models.Category(t)}, true
	}
	known := false
	for _, k := range ReportTypes {
		known = known || k == t
	}
	if !known {
		return nil, false
	}
	out := []models.Category{}
	for c, k := range CategoryTypes {
		if k == t {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, true
}

// Report statuses of the reference's API: accepted (the desk acted on it:
// forwarded, decided, closed) and in_review (it waits for an analyst, the
// reporter or the registrar review).
const (
	ReportAccepted = "accepted"
	ReportInReview = "in_review"
)

// inReviewStatuses are the case statuses shown as in_review.
var inReviewStatuses = []models.Status{models.StatusReceived, models.StatusClassifying, models.StatusAwaitingAnalyst,
	models.StatusAwaitingReporter, models.StatusRegistrarReview}

// ReportStatus is the reference's status of a case status.
func ReportStatus(s models.Status) string {
	for _, r := range inReviewStatuses {
		if r == s {
			return ReportInReview
		}
	}
	return ReportAccepted
}

// statusesOf lists the case statuses shown as the report status s.
func statusesOf(s string) ([]models.Status, bool) {
	switch s {
	case ReportInReview:
		return inReviewStatuses, true
	case ReportAccepted:
		all := []models.Status{models.StatusForwarding, models.StatusAwaitingOperator, models.StatusDisputed,
			models.StatusCounterNotice, models.StatusAwaitingRegistrant, models.StatusClosed}
		return all, true
	}
	return nil, false
}

// WireMitigationType is the reference's type of a mitigation: the
// reference's own types as they are; the desk's disabling, removal and
// domain holds are legal blocks, a terminated service an account
// suspension.
func WireMitigationType(t models.MitigationType) string {
	switch t {
	case models.MitigationContentDisabled, models.MitigationContentRemoved, models.MitigationDomainHold, models.MitigationDomainLock:
		return string(models.MitigationLegalBlock)
	case models.MitigationServiceTermination:
		return string(models.MitigationAccountSuspend)
	}
	return string(t)
}
