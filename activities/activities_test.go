package activities_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/internal/pgtest"
	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/links"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// eachDB runs f against SQLite and PostgreSQL with the demo-like records.
func eachDB(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	open := func(t *testing.T, url string) *gorm.DB {
		db, err := store.Open(url, "")
		require.NoError(t, err)
		t.Cleanup(func() {
			if s, err := db.DB(); err == nil {
				s.Close()
			}
		})
		require.NoError(t, store.Migrate(db))
		d := &store.CustomerDoc{
			Accounts: []store.AccountDoc{
				{ID: "cdn", OperatorEmail: "op@shop.example", Domains: []store.DomainDoc{
					{Name: "shop.example", Services: []string{"cdn"}, OriginIPs: []string{"203.0.113.10"}}}},
				{ID: "host", OperatorEmail: "op@pages.example", Domains: []store.DomainDoc{
					{Name: "pages.example", Services: []string{"cdn", "hosting:pages"}, OriginIPs: []string{"192.0.2.1"},
						Hosted: []store.HostedDoc{{URLPrefix: "https://pages.example/a/", Product: "pages", ObjectID: "obj-a"}}}}},
				{ID: "reg", OperatorEmail: "r@parked.example", Domains: []store.DomainDoc{
					{Name: "parked.example", Services: []string{"registrar"}, RegistrantEmail: "r@parked.example"}}},
			},
			Networks: []store.NetworkDoc{{CIDR: "203.0.113.0/24", Provider: "Host Co", AbuseEmail: "abuse@host.example"},
				{CIDR: "203.0.113.0/28", Provider: "Reseller", AbuseEmail: "abuse@reseller.example"}},
		}
		require.Empty(t, store.ValidateCustomers(d))
		_, err = store.LoadCustomers(db, d, nil)
		require.NoError(t, err)
		return db
	}
	t.Run("sqlite", func(t *testing.T) { f(t, open(t, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))) })
	t.Run("postgres", func(t *testing.T) { f(t, open(t, pgtest.DB(t))) })
}

func newCase(t *testing.T, db *gorm.DB, id string, cat models.Category, urls ...string) {
	require.NoError(t, db.Create(&models.Case{ID: id, Category: cat, Status: models.StatusReceived, Priority: 1,
		Description: "d", ReporterName: "Rita", ReporterEmail: "rita@r.example"}).Error)
	for i, u := range urls {
		h, _ := store.NormalizeHost(hostOf(u))
		require.NoError(t, db.Create(&models.CaseURL{CaseID: id, Seq: i, URL: u, Host: h}).Error)
	}
}

func hostOf(u string) string {
	s := u[len("https://"):]
	for i, c := range s {
		if c == '/' {
			return s[:i]
		}
	}
	return s
}

func TestClassify(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &activities.Activities{DB: db}
		newCase(t, db, "c1", models.CategoryPhishing, "https://www.shop.example/x", "https://pages.example/a/b",
			"https://pages.example/other", "https://parked.example/", "https://elsewhere.example/")
		res, err := a.Classify(context.Background(), activities.ClassifyInput{CaseID: "c1"})
		require.NoError(t, err)
		require.Equal(t, []string{"elsewhere.example"}, res.NotOurs)
		require.Len(t, res.Targets, 3)
		byDomain := map[string]activities.Target{}
		for _, tg := range res.Targets {
			byDomain[tg.Domain] = tg
		}
		shop := byDomain["shop.example"]
		require.Equal(t, models.ServiceCDN, shop.Service, "subdomain www matched to its customer domain")
		require.Equal(t, "Reseller", shop.Provider.Name, "the most specific network wins")
		require.Equal(t, "203.0.113.10", shop.Provider.OriginIP)
		pages := byDomain["pages.example"]
		require.Equal(t, models.ServiceHosting, pages.Service)
		require.Len(t, pages.Hosted, 1)
		require.Equal(t, "obj-a", pages.Hosted[0].ObjectID)
		require.False(t, pages.Provider.Found, "no network knows 192.0.2.1")
		parked := byDomain["parked.example"]
		require.Equal(t, models.ServiceRegistrar, parked.Service)
		require.True(t, parked.RegistrarOnly)
	})
}

// failingMailer fails the first n sends, as an SMTP relay that is down.
type failingMailer struct {
	inner activities.Mailer
	n     int
}

func (f *failingMailer) Send(ctx context.Context, m activities.Message) error {
	if f.n > 0 {
		f.n--
		return errors.New("relay down")
	}
	return f.inner.Send(ctx, m)
}

func TestSendNoticeOncePerStep(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		sink, err := smtpsink.Start("127.0.0.1:0")
		require.NoError(t, err)
		defer sink.Stop()
		mail := &failingMailer{inner: &activities.SMTPMailer{Addr: sink.Addr(), From: "abuse@desk.example"}, n: 1}
		a := &activities.Activities{DB: db, Mail: mail, PublicURL: "http://desk", TokenSecret: []byte("s")}
		newCase(t, db, "c2", models.CategoryPhishing, "https://shop.example/x")
		in := activities.NoticeInput{CaseID: "c2", Step: "host-forward:shop.example", Kind: activities.NoticeForwardHost,
			Role: models.RoleHostingProvider, Domain: "shop.example", IncludeOriginIP: true,
			Facts: map[string]string{"provider": "Reseller", "origin_ip": "203.0.113.10"}}
		_, err = a.SendNotice(context.Background(), in)
		require.Error(t, err, "first attempt: relay down")
		r1, err := a.SendNotice(context.Background(), in) // the retry
		require.NoError(t, err)
		r2, err := a.SendNotice(context.Background(), in) // a replayed or repeated step
		require.NoError(t, err)
		require.Equal(t, r1.NoticeID, r2.NoticeID)
		var n int64
		db.Model(&models.Notice{}).Where("case_id = ?", "c2").Count(&n)
		require.EqualValues(t, 1, n, "one row per step")
		msgs := sink.Messages()
		require.Len(t, msgs, 1, "delivered once")
		require.Equal(t, r1.NoticeID, msgs[0].NoticeID)
		require.Equal(t, []string{"abuse@reseller.example"}, msgs[0].To)
		require.Contains(t, msgs[0].Body, "203.0.113.10")
		var row models.Notice
		require.NoError(t, db.First(&row, "id = ?", r1.NoticeID).Error)
		require.Equal(t, models.NoticeSent, row.Status)
		require.True(t, row.IncludesOriginIP)
	})
}

func TestNoticeResponseLinkTokenNeverStored(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		sink, err := smtpsink.Start("127.0.0.1:0")
		require.NoError(t, err)
		defer sink.Stop()
		secret := []byte("secret")
		a := &activities.Activities{DB: db, Mail: &activities.SMTPMailer{Addr: sink.Addr(), From: "a@d.example"}, PublicURL: "http://desk", TokenSecret: secret}
		newCase(t, db, "c3", models.CategoryMalware, "https://pages.example/a/x")
		r, err := a.SendNotice(context.Background(), activities.NoticeInput{CaseID: "c3", Step: "operator-violation:pages.example",
			Kind: activities.NoticeOperatorViolation, Role: models.RoleOperator, Domain: "pages.example",
			WithResponseLink: true, TokenTTL: time.Hour, Facts: map[string]string{"clause": "malware", "reason": "r", "deadline": "soon"}})
		require.NoError(t, err)
		token := links.Links{PublicURL: "http://desk", Secret: secret}.NoticeToken(r.NoticeID)
		var row models.Notice
		require.NoError(t, db.First(&row, "id = ?", r.NoticeID).Error)
		require.NotContains(t, row.BodyText, token, "the stored body holds no usable token")
		require.NotNil(t, row.TokenExpiresAt)
		require.Len(t, sink.Messages(), 1)
		link := "http://desk/respond/" + r.NoticeID + "?token=" + token
		require.Contains(t, sink.Messages()[0].Body, link)
		require.Contains(t, sink.Messages()[0].HTML, `<a href="`+link+`">`, "the HTML alternative links the response page")
	})
}

func TestStrikePolicyThresholdsAndWindow(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		clock := now
		a := &activities.Activities{DB: db, Now: func() time.Time { return clock },
			Policy: activities.StrikePolicy{CopyrightStrikes: 3, CopyrightWindow: 365 * 24 * time.Hour, HostingStrikes: 3, HostingWindow: 182 * 24 * time.Hour}}
		strike := func(caseID string, cat models.Category, at time.Time, noStep bool) []string {
			clock = at
			res, err := a.RecordStrike(context.Background(), activities.StrikeInput{CaseID: caseID, AccountID: "host", Category: cat, NoMeaningfulStep: noStep})
			require.NoError(t, err)
			return res.Reviews
		}
		// Just under: two copyright strikes.
		require.Empty(t, strike("k1", models.CategoryCopyright, now.AddDate(-1, 0, 1), false), "1 strike")
		require.Empty(t, strike("k2", models.CategoryCopyright, now.AddDate(0, -6, 0), false), "2 strikes")
		// At the threshold, the first strike still inside the 12-month window.
		require.Equal(t, []string{activities.ReviewRepeatInfringer}, strike("k3", models.CategoryCopyright, now, false))
		// The same strike recorded again (retry) does not count twice.
		require.Equal(t, []string{activities.ReviewRepeatInfringer}, strike("k3", models.CategoryCopyright, now, false))
		// Window boundary: two days later the first strike is outside.
		require.Empty(t, strike("k3", models.CategoryCopyright, now.AddDate(0, 0, 2), false), "k1 slid out of the window")
		// Over: a fourth strike in the window.
		require.Equal(t, []string{activities.ReviewRepeatInfringer}, strike("k4", models.CategoryCopyright, now.AddDate(0, 0, 2), false))
		// A withdrawn strike (restored) no longer counts.
		clock = now.AddDate(0, 0, 2)
		_, err := a.RecordStrike(context.Background(), activities.StrikeInput{CaseID: "k4", AccountID: "host", Withdraw: true})
		require.NoError(t, err)
		require.Empty(t, strike("k5", models.CategoryMalware, now.AddDate(0, 0, 2), false), "2 copyright strikes left; malware is not copyright")

		// Hosting: violations where the operator took no meaningful step.
		// (Copyright strikes of the same account may be due as well at this
		// clock; these checks are about the hosting review only.)
		require.NotContains(t, strike("h1", models.CategoryMalware, now, true), activities.ReviewHosting)
		require.NotContains(t, strike("h2", models.CategoryPhishing, now, true), activities.ReviewHosting)
		require.NotContains(t, strike("h3", models.CategoryPhishing, now, false), activities.ReviewHosting, "the operator acted: not counted")
		require.Contains(t, strike("h4", models.CategoryFraud, now, true), activities.ReviewHosting)
		// Outside the 6-month window the first three no longer count.
		require.NotContains(t, strike("h5", models.CategoryFraud, now.AddDate(0, 7, 0), true), activities.ReviewHosting)
	})
}
