package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/models"
)

// copyrightCase makes a copyright case; missing "" is a complete notice.
func copyrightCase(t *testing.T, db *gorm.DB, id, missing string, urls ...string) {
	newCase(t, db, id, models.CategoryCopyright, urls...)
	require.NoError(t, db.Model(&models.Case{}).Where("id = ?", id).Updates(map[string]any{
		"copyright_work": "My Song", "copyright_sig": "/Rita/", "reporter_org": "Label",
		"copyright_incomplete": missing != "", "copyright_missing": missing}).Error)
}

func noticeBody(t *testing.T, a *activities.Activities, db *gorm.DB, in activities.NoticeInput) string {
	t.Helper()
	r, err := a.SendNotice(context.Background(), in)
	require.NoError(t, err)
	var row models.Notice
	require.NoError(t, db.First(&row, "id = ?", r.NoticeID).Error)
	return row.BodyText
}

func forwardOperator(caseID string) activities.NoticeInput {
	return activities.NoticeInput{CaseID: caseID, Step: "operator-forward:shop.example", Kind: activities.NoticeForwardOperator,
		Role: models.RoleOperator, Domain: "shop.example"}
}

func violation(caseID string) activities.NoticeInput {
	return activities.NoticeInput{CaseID: caseID, Step: "operator-violation:pages.example", Kind: activities.NoticeOperatorViolation,
		Role: models.RoleOperator, Domain: "pages.example", WithResponseLink: true, TokenTTL: time.Hour,
		Facts: map[string]string{"clause": "ip", "reason": "r", "deadline": "soon"}}
}

// The statements a DMCA notice makes, and the counter-notice rights it
// gives: none may appear in the forward of an incomplete complaint.
var dmcaOnly = []string{"Good-faith statement", "penalty of perjury: yes", "Signature:", "counter-notice", "512(g)", "This is a copyright notice"}

// Issue 14: an incomplete copyright complaint is forwarded as a complaint,
// names what the complainant has not provided, and states no statement.
func TestIncompleteCopyrightNoticesStateNoStatements(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &activities.Activities{DB: db, PublicURL: "http://desk", TokenSecret: []byte("s")}
		copyrightCase(t, db, "i1", "good_faith,signature", "https://shop.example/song.mp3")
		body := noticeBody(t, a, db, forwardOperator("i1"))
		require.Contains(t, body, "This is a copyright complaint, forwarded to you. It is NOT a notification under\n17 U.S.C. 512(c)(3)")
		require.Contains(t, body, "good-faith belief")
		require.Contains(t, body, "physical or electronic signature")
		require.NotContains(t, body, "(512(c)(3)(A)(vi))", "the accuracy statement was made: not listed as missing")
		require.Contains(t, body, "Work: My Song")
		for _, s := range dmcaOnly {
			require.NotContains(t, body, s)
		}

		copyrightCase(t, db, "i2", "good_faith,accurate_under_penalty,signature", "https://pages.example/a/x")
		body = noticeBody(t, a, db, violation("i2"))
		require.Contains(t, body, "NOT a notification under 17 U.S.C. 512(c)(3)")
		require.Contains(t, body, "tell us you removed the content or dispute the\ndecision:")
		for _, s := range dmcaOnly {
			require.NotContains(t, body, s)
		}

		// The receipt names the missing elements and how to complete them
		// (512(c)(3)(B)(ii)).
		body = noticeBody(t, a, db, activities.NoticeInput{CaseID: "i1", Step: "reporter-receipt",
			Kind: activities.NoticeReporterReceipt, Role: models.RoleReporter})
		require.Contains(t, body, "not a complete notice under 17 U.S.C. 512(c)(3)")
		require.Contains(t, body, "POST http://desk/v1/reports/i1/complete?token=")
		require.Contains(t, body, "good-faith belief")
		require.NotContains(t, body, "(512(c)(3)(A)(vi))")
	})
}

// Notices of complete copyright cases are exactly what they were before
// incomplete complaints existed.
func TestCompleteCopyrightNoticesUnchanged(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &activities.Activities{DB: db, PublicURL: "http://desk", TokenSecret: []byte("s")}
		copyrightCase(t, db, "k1", "", "https://shop.example/song.mp3")
		require.Equal(t, wantForward, noticeBody(t, a, db, forwardOperator("k1")))
		copyrightCase(t, db, "k2", "", "https://pages.example/a/x")
		require.Equal(t, wantViolation, noticeBody(t, a, db, violation("k2")))
		require.Equal(t, wantReceipt, noticeBody(t, a, db, activities.NoticeInput{CaseID: "k1", Step: "reporter-receipt",
			Kind: activities.NoticeReporterReceipt, Role: models.RoleReporter}))
	})
}

const wantForward = `Case k1 · copyright · shop.example

We received an abuse report about content on your website shop.example, which uses our
pass-through network service. We do not host this content; please review it.

Reported URLs (1):
  - https://shop.example/song.mp3

Description from the reporter:
d

This is a copyright notice under 17 U.S.C. 512(c)(3), forwarded whole:
  Work: My Song
  Complainant: Rita (Label) <rita@r.example>
  Good-faith statement: yes. Accuracy under penalty of perjury: yes.
  Signature: /Rita/
`

const wantViolation = `Case k2 · copyright · pages.example

STATEMENT OF REASONS

We disabled access to content you host with us, following a notice we received.
Restriction: access disabled (HTTP 451), worldwide, until you respond or the deadline passes.
Ground: our terms of service, clause "ip".
Reason: r
Decision made by a human analyst; no automated means were used.

Reported URLs (1):
  - https://pages.example/a/x

The notice was a copyright notice under 17 U.S.C. 512(c)(3):
  Work: My Song
  Complainant: Rita (Label) <rita@r.example>
  Signature: /Rita/

Please respond by soon: tell us you removed the content, dispute the
decision, or send a DMCA counter-notice (17 U.S.C. 512(g)(3)):

  [[response-link]]

Without an answer by the deadline the content will be removed permanently.
Redress: our internal complaint handling (the link above), out-of-court dispute settlement,
and the courts.
`

const wantReceipt = `Case k1 · copyright

We received your report and will process it without undue delay.

Follow your report here (keep this link private: it is your access to the report):

  [[status-link]]
`

// Issue 14: the strike of an incomplete complaint is no repeat-infringer
// strike; it counts once the complainant completed the notice.
func TestIncompleteCopyrightIsNoRepeatInfringerStrike(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		a := &activities.Activities{DB: db, Now: func() time.Time { return now },
			Policy: activities.StrikePolicy{CopyrightStrikes: 2, CopyrightWindow: 365 * 24 * time.Hour}}
		strike := func(caseID string) []string {
			res, err := a.RecordStrike(context.Background(), activities.StrikeInput{CaseID: caseID, AccountID: "host", Category: models.CategoryCopyright})
			require.NoError(t, err)
			return res.Reviews
		}
		copyrightCase(t, db, "s1", "")
		copyrightCase(t, db, "s2", "signature")
		copyrightCase(t, db, "s3", "good_faith")
		require.Empty(t, strike("s1"))
		require.Empty(t, strike("s2"), "an incomplete complaint is no second strike")
		require.Empty(t, strike("s3"), "nor is another")
		// Completed: the complaint is a notice, and its strike counts.
		require.NoError(t, db.Model(&models.Case{}).Where("id = ?", "s2").Updates(map[string]any{
			"copyright_incomplete": false, "copyright_missing": ""}).Error)
		require.Equal(t, []string{activities.ReviewRepeatInfringer}, strike("s2"))
	})
}
