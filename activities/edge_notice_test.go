package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// TestViolationNoticeStatesWhatIsCovered: the operator's violation notice
// lists exactly what the case's mitigations under its domain cover (the
// exact URLs, a path prefix in words), not ended ones, not other domains'.
func TestViolationNoticeStatesWhatIsCovered(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &activities.Activities{DB: db, PublicURL: "http://desk", TokenSecret: []byte("s")}
		newCase(t, db, "c-cov", models.CategoryPhishing, "https://pages.example/a/login.html", "https://pages.example/a/item.php?id=7")
		for _, m := range []models.Mitigation{
			{ID: "m1", Step: "s1", EntityID: "https://pages.example/a/login.html", Status: models.MitigationActive},
			{ID: "m2", Step: "s2", EntityID: "https://pages.example/a/item.php?id=7", Status: models.MitigationActive},
			{ID: "m3", Step: "s3", EntityID: "https://pages.example/a/kit/*", Status: models.MitigationPending},
			{ID: "m4", Step: "s4", EntityID: "https://pages.example/a/old.html", Status: models.MitigationRemoved},
			{ID: "m5", Step: "s5", EntityID: "https://other.example/x", Status: models.MitigationActive, Domain: "other.example"},
		} {
			m.CaseID, m.Type, m.EntityType = "c-cov", models.MitigationContentDisabled, models.EntityURLPattern
			if m.Domain == "" {
				m.Domain = "pages.example"
			}
			require.NoError(t, db.Create(&m).Error)
		}
		r, err := a.SendNotice(context.Background(), activities.NoticeInput{CaseID: "c-cov", Step: "operator-violation:pages.example",
			Kind: activities.NoticeOperatorViolation, Role: models.RoleOperator, Domain: "pages.example",
			WithResponseLink: true, TokenTTL: time.Hour, Facts: map[string]string{"clause": "phishing_fraud", "reason": "r", "deadline": "soon"}})
		require.NoError(t, err)
		var n models.Notice
		require.NoError(t, db.First(&n, "id = ?", r.NoticeID).Error)
		want := "What the restriction covers, exactly (nothing else on your site is restricted):\n" +
			"  - https://pages.example/a/item.php?id=7 (with exactly this query)\n" +
			"  - every URL beginning with https://pages.example/a/kit/\n" +
			"  - https://pages.example/a/login.html (with any query)\n"
		require.Contains(t, n.BodyText, want)
		require.False(t, strings.Contains(n.BodyText, "old.html") || strings.Contains(n.BodyText, "other.example/x"), n.BodyText)
	})
}
