package activities

import (
	"context"
	"strings"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// FactCovered is the notice fact that lists, one per line, the url_pattern
// entities a violation notice's restriction covers on its domain.
const FactCovered = "covered"

// coveredData fills what an operator's violation notice says the
// restriction covers: the url_pattern entities of the case's
// hosted-content mitigations under the notice's domain (docs/DESIGN.md
// "Mitigations"), exact URLs as they are and a path prefix in words.
// The case passes them (FactCovered); a notice of a case that ran before
// that reads the mitigation records. Without mitigations (a case decided
// before them) it says nothing.
func (a *Activities) coveredData(ctx context.Context, data *noticeData, in NoticeInput) error {
	if in.Kind != NoticeOperatorViolation {
		return nil
	}
	var ids []string
	if cov := in.Facts[FactCovered]; cov != "" {
		ids = strings.Split(cov, "\n")
	} else {
		// A notice of a case that ran before the workflow passed the
		// coverage: the mitigation records (written by its children).
		var err error
		if ids, err = store.CaseMitigationEntities(ctx, a.DB, in.CaseID, in.Domain); err != nil {
			return err
		}
	}
	for _, id := range ids {
		data.Covered = append(data.Covered, CoveredLine(id))
	}
	return nil
}

// CoveredLine says in words what one url_pattern entity covers.
func CoveredLine(entityID string) string {
	if p, ok := strings.CutSuffix(entityID, models.PrefixMark); ok {
		return "every URL beginning with " + p
	}
	if strings.Contains(entityID, "?") {
		return entityID + " (with exactly this query)"
	}
	return entityID + " (with any query)"
}
