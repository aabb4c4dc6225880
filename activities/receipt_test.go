package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/links"
	"github.com/abusedesk/abusedesk/models"
)

// The receipt carries the reporter's status link (the received page
// promises it), derived at send time: the stored body holds no token.
func TestReceiptCarriesStatusLink(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		sink, err := smtpsink.Start("127.0.0.1:0")
		require.NoError(t, err)
		defer sink.Stop()
		secret := []byte("secret")
		a := &activities.Activities{DB: db, Mail: &activities.SMTPMailer{Addr: sink.Addr(), From: "a@d.example"}, PublicURL: "http://desk", TokenSecret: secret}
		newCase(t, db, "c9", models.CategoryPhishing, "https://shop.example/x")
		r, err := a.SendNotice(context.Background(), activities.NoticeInput{CaseID: "c9", Step: "reporter-receipt",
			Kind: activities.NoticeReporterReceipt, Role: models.RoleReporter})
		require.NoError(t, err)
		l := links.Links{PublicURL: "http://desk", Secret: secret}
		token := l.ReporterToken("c9")
		var row models.Notice
		require.NoError(t, db.First(&row, "id = ?", r.NoticeID).Error)
		require.NotContains(t, row.BodyText, token, "the stored body holds no usable token")
		require.NotContains(t, row.BodyHTML, token)
		require.Len(t, sink.Messages(), 1)
		link := "http://desk/status/c9?token=" + token
		require.Equal(t, link, l.StatusURL("c9"))
		require.Contains(t, sink.Messages()[0].Body, link)
		require.Contains(t, sink.Messages()[0].HTML, `<a href="`+link+`">`)
	})
}

// The operator's notice lists the choices as a sentence, with "or".
func TestOperatorNoticeChoicesText(t *testing.T) {
	for _, tc := range []struct {
		name string
		cat  models.Category
		want string
	}{
		{"not copyright", models.CategoryMalware, "tell us you removed the content or dispute the\ndecision:"},
		{"copyright", models.CategoryCopyright, "tell us you removed the content, dispute the\ndecision, or send a DMCA counter-notice (17 U.S.C. 512(g)(3)):"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachDB(t, func(t *testing.T, db *gorm.DB) {
				a := &activities.Activities{DB: db, PublicURL: "http://desk", TokenSecret: []byte("s")}
				newCase(t, db, "c8", tc.cat, "https://pages.example/a/x")
				r, err := a.SendNotice(context.Background(), activities.NoticeInput{CaseID: "c8", Step: "operator-violation:pages.example",
					Kind: activities.NoticeOperatorViolation, Role: models.RoleOperator, Domain: "pages.example",
					WithResponseLink: true, TokenTTL: time.Hour, Facts: map[string]string{"clause": "malware", "reason": "r", "deadline": "soon"}})
				require.NoError(t, err)
				var row models.Notice
				require.NoError(t, db.First(&row, "id = ?", r.NoticeID).Error)
				require.Contains(t, row.BodyText, tc.want)
			})
		})
	}
}

// A notice states the deadline the workflow passes as a time, in the
// subject and the body, as the "deadline" fact did.
func TestNoticeStatesTheDeadlineItIsGiven(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &activities.Activities{DB: db, PublicURL: "http://desk", TokenSecret: []byte("s")}
		newCase(t, db, "c7", models.CategoryMalware, "https://pages.example/a/x")
		deadline := time.Date(2026, time.December, 14, 15, 4, 5, 0, time.UTC)
		r, err := a.SendNotice(context.Background(), activities.NoticeInput{CaseID: "c7", Step: "operator-reminder:pages.example",
			Kind: activities.NoticeOperatorReminder, Role: models.RoleOperator, Domain: "pages.example", Deadline: &deadline})
		require.NoError(t, err)
		var row models.Notice
		require.NoError(t, db.First(&row, "id = ?", r.NoticeID).Error)
		require.Contains(t, row.Subject, "Mon, 14 Dec 2026 15:04:05 UTC")
		require.Contains(t, row.BodyText, "before Mon, 14 Dec 2026 15:04:05 UTC")
	})
}
