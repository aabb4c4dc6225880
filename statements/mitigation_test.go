package statements

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// TestMitigationStatementsSayWhatWasApplied records every CDN mitigation
// type as activities.ApplyMitigation journals it and requires a valid,
// true statement: the restriction the mitigation is, the countries of a
// legal block, no counter-notice (nothing is hosted), the terms ground
// with the law where the content is illegal; a domain lock has none.
func TestMitigationStatementsSayWhatWasApplied(t *testing.T) {
	db := openDB(t)
	require.NoError(t, db.Create(&models.Case{ID: "Ccdn", Category: models.CategoryCopyright, Status: models.StatusClosed, CreatedAt: reported}).Error)
	require.NoError(t, db.Create(&models.Decision{CaseID: "Ccdn", Step: "decide", Verdict: "violates", Clause: "ip", Reason: "a pirated film.."}).Error)
	want := map[models.MitigationType][2]string{
		models.MitigationLegalBlock:             {"visibility", "DECISION_VISIBILITY_CONTENT_DISABLED"},
		models.MitigationNetworkBlock:           {"visibility", "DECISION_VISIBILITY_CONTENT_DISABLED"},
		models.MitigationPhishingInterstitial:   {"visibility", "DECISION_VISIBILITY_OTHER"},
		models.MitigationMisleadingInterstitial: {"visibility", "DECISION_VISIBILITY_OTHER"},
		models.MitigationRateLimitCache:         {"visibility", "DECISION_VISIBILITY_OTHER"},
		models.MitigationRedirectVideoStream:    {"visibility", "DECISION_VISIBILITY_OTHER"},
		models.MitigationContentDisabled:        {"visibility", "DECISION_VISIBILITY_CONTENT_DISABLED"},
		models.MitigationContentRemoved:         {"visibility", "DECISION_VISIBILITY_CONTENT_REMOVED"},
		models.MitigationAccountSuspend:         {"provision", "DECISION_PROVISION_TOTAL_SUSPENSION"},
		models.MitigationServiceTermination:     {"provision", "DECISION_PROVISION_PARTIAL_TERMINATION"},
		models.MitigationDomainHold:             {"provision", "DECISION_PROVISION_TOTAL_SUSPENSION"},
	}
	for _, typ := range models.MitigationTypes {
		step := "mitigate-" + string(typ)
		countries := ""
		if typ == models.MitigationLegalBlock {
			countries = "DE,US,FR"
		}
		require.NoError(t, Record(db, applied, "Ccdn", KindRestriction, "restriction:Ccdn:"+step, map[string]any{
			"mitigation_id": "m-" + string(typ), "type": typ, "entity_type": models.EntityURLPattern, "entity_id": "https://shop.example/film*",
			"countries": countries, "status": models.MitigationActive, "reason": "r", "statement": "restriction:Ccdn:" + step, "domain": "shop.example"}))
	}
	var sts []Statement
	require.NoError(t, db.Where("case_id = ?", "Ccdn").Find(&sts).Error)
	require.Len(t, sts, len(want), "every type but the domain lock has its statement")
	for typ, w := range want {
		s, ok := recordedPUID(t, db, PUID("Ccdn", KindRestriction, "restriction:Ccdn:mitigate-"+string(typ)))
		require.True(t, ok, typ)
		requireTrue(t, s, truth{terms: true, illegal: true, contentDate: "2026-03-02"})
		require.Equal(t, "web pages delivered through our network", s.ContentTypeOther)
		if w[0] == "visibility" {
			require.Equal(t, []string{w[1]}, s.DecisionVisibility, typ)
		} else {
			require.Equal(t, w[1], s.DecisionProvision, typ)
		}
		require.NotContains(t, s.DecisionFacts, "we host", typ)
		if typ == models.MitigationLegalBlock {
			require.Equal(t, []string{"DE", "FR"}, s.TerritorialScope, "only the EEA countries it applies in")
			require.Contains(t, s.DecisionFacts, "in DE, US, FR")
		}
	}
}

func recordedPUID(t *testing.T, db *gorm.DB, puid string) (SOR, bool) {
	var st []Statement
	require.NoError(t, db.Where("puid = ?", puid).Find(&st).Error)
	if len(st) == 0 {
		return SOR{}, false
	}
	require.Equal(t, StatusPending, st[0].SubmitStatus, st[0].SubmitError)
	var s SOR
	require.NoError(t, json.Unmarshal([]byte(st[0].Body), &s))
	return s, true
}
