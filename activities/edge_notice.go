package activities

import (
	"context"
	"strings"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// coveredData fills what an operator's violation notice says the
// restriction covers: the url_pattern entities of the case's
// hosted-content mitigations under the notice's domain (docs/DESIGN.md
// "Mitigations"), exact URLs as they are and a path prefix in words.
// Without mitigations (a case decided before them) it says nothing.
func (a *Activities) coveredData(ctx context.Context, data *noticeData, in NoticeInput) error {
	if in.Kind != NoticeOperatorViolation {
		return nil
	}
	ids, err := store.CaseMitigationEntities(ctx, a.DB, in.CaseID, in.Domain)
	if err != nil {
		return err
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
