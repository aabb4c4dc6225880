package statements

import (
	"fmt"
	"strings"
	"time"
)

// groundOf sets the ground of a content or domain restriction, the one the
// decision actually rests on (docs/DESIGN.md step 8):
//   - a decision an analyst took under the terms of service (every
//     "violates" cites a terms clause) or a registrar under the
//     registration agreement is DECISION_GROUND_INCOMPATIBLE_CONTENT with
//     that clause; where the content is also illegal as such (the category
//     names a legal instrument) incompatible_content_illegal is "Yes" and
//     the explanation names the law. A terms clause is never given as
//     illegal_content_legal_ground.
//   - a restriction taken without a decision because the content is
//     illegal as such (CSAM, disabled on receipt) is
//     DECISION_GROUND_ILLEGAL_CONTENT with the law.
func groundOf(s *SOR, f Facts, cat category, terms string) {
	why := "the notice was confirmed on review"
	switch {
	case f.Decision != nil && strings.TrimSpace(f.Decision.Reason) != "":
		why = oneLine(f.Decision.Reason)
	case f.Decision == nil && atNCSEIDeadline(f):
		why = "the notice reports " + cat.label + "; access is " + ncseiDeadlineGround
	case f.Decision == nil:
		why = "the notice reports " + cat.label + "; access is disabled on receipt pending review"
	}
	explanation := sentence(fmt.Sprintf("Reported as %s; %s", cat.label, why))
	if f.Decision == nil && cat.legal != "" && f.Kind != KindDomainRestriction {
		s.DecisionGround = "DECISION_GROUND_ILLEGAL_CONTENT"
		s.IllegalContentLegalGround = clip(cat.legal, maxLegalGround)
		s.IllegalContentExplanation = clip(explanation, maxExplanation)
		return
	}
	s.DecisionGround = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
	s.IncompatibleContentGround = clip(terms, maxLegalGround)
	if cat.legal != "" {
		s.IncompatibleContentIllegal = "Yes"
		explanation += " The content is also illegal: " + sentence(cat.legal)
	}
	s.IncompatibleContentExplanation = clip(explanation, maxExplanation)
}

// firstKnown is when the content was first known to be online: the
// arrival of the report (abusedesk learns of no earlier date: reports
// carry none it could trust), and for a termination the earliest report
// of the cases behind it. Zero when unknown (date then takes the
// restriction's own date).
func firstKnown(f Facts) time.Time {
	first := f.ReportedAt
	for _, b := range f.Behind {
		if !b.ReportedAt.IsZero() && (first.IsZero() || b.ReportedAt.Before(first)) {
			first = b.ReportedAt
		}
	}
	return first
}

// noDoubledStops keeps a text from reading "..": an ellipsis typed as
// three stops becomes "…", any other run of stops one stop.
func noDoubledStops(s string) string {
	s = strings.ReplaceAll(s, "...", "…")
	for strings.Contains(s, "..") {
		s = strings.ReplaceAll(s, "..", ".")
	}
	return s
}
