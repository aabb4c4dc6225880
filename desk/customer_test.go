package desk

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// sigEngine records the signals the customer's use cases send.
type sigEngine struct {
	*fakeEngine
	signals []string
	appeals []workflows.MitigationAppeal
}

func (e *sigEngine) Signal(_ context.Context, id, name string, arg any) error {
	e.signals = append(e.signals, id+" "+name)
	if a, ok := arg.(workflows.MitigationAppeal); ok {
		e.appeals = append(e.appeals, a)
	}
	return nil
}

// customerDesk seeds two accounts: a1 (one.example) with case c1 (a
// phishing report forwarded with the reporter's contact, two mitigations,
// a notice to its operator that bounced) and a2 (two.example) with c2.
func customerDesk(t *testing.T) (*Desk, *sigEngine) {
	d, fe := testDesk(t)
	e := &sigEngine{fakeEngine: fe}
	d.Engine = e
	doc := &store.CustomerDoc{Accounts: []store.AccountDoc{
		{ID: "a1", OperatorEmail: "op@one.example", Domains: []store.DomainDoc{{Name: "one.example", Services: []string{"cdn"}}}},
		{ID: "a2", OperatorEmail: "op@two.example", Domains: []store.DomainDoc{{Name: "two.example", Services: []string{"cdn"}}}},
	}}
	require.Empty(t, store.ValidateCustomers(doc))
	_, err := store.LoadCustomers(d.DB, doc, nil)
	require.NoError(t, err)
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	db := d.DB
	require.NoError(t, db.Create(&[]models.Case{
		{ID: "c1", AccountID: "a1", Domain: "one.example", Category: models.CategoryPhishing, Status: models.StatusForwarding,
			Description: "a phishing page", ReporterName: "Rita", ReporterEmail: "rita@r.example", ForwardToOperator: true, CreatedAt: t0},
		{ID: "c2", AccountID: "a2", Domain: "two.example", Category: models.CategoryCSAM, Status: models.StatusAwaitingAnalyst,
			Description: "secret", ReporterEmail: "x@r.example", CreatedAt: t0.Add(time.Hour)},
	}).Error)
	require.NoError(t, db.Create(&[]models.CaseURL{
		{CaseID: "c1", URL: "https://one.example/p", Host: "one.example"},
		{CaseID: "c2", URL: "https://two.example/q", Host: "two.example"},
	}).Error)
	require.NoError(t, db.Create(&[]models.Mitigation{
		{ID: "m1", CaseID: "c1", Step: "s1", AccountID: "a1", Domain: "one.example", Type: models.MitigationPhishingInterstitial,
			EntityType: models.EntityURLPattern, EntityID: "https://one.example/p", Status: models.MitigationActive, EffectiveDate: t0},
		{ID: "m2", CaseID: "c1", Step: "s2", AccountID: "a1", Domain: "one.example", Type: models.MitigationContentRemoved,
			EntityType: models.EntityURLPattern, EntityID: "https://one.example/p2", Status: models.MitigationRemoved, EffectiveDate: t0},
		{ID: "m9", CaseID: "c2", Step: "s1", AccountID: "a2", Domain: "two.example", Type: models.MitigationLegalBlock,
			EntityType: models.EntityZone, EntityID: "two.example", Status: models.MitigationActive, EffectiveDate: t0},
	}).Error)
	bounced := t0.Add(time.Minute)
	require.NoError(t, db.Create(&[]models.Notice{
		{ID: "n1", CaseID: "c1", Step: "forward-operator:one.example", RecipientRole: models.RoleOperator, To: "op@one.example",
			Subject: "Abuse report", Domain: "one.example", Status: models.NoticeSent, CreatedAt: t0, SentAt: &t0},
		{ID: "n2", CaseID: "c1", Step: "forward-operator:one.example:redirect", RecipientRole: models.RoleOperator, To: "op2@one.example",
			Subject: "Abuse report", Domain: "one.example", Status: models.NoticeOutbox, CreatedAt: t0.Add(2 * time.Minute)},
		{ID: "n3", CaseID: "c1", Step: "reporter-receipt", RecipientRole: models.RoleReporter, To: "rita@r.example", Status: models.NoticeSent, CreatedAt: t0},
	}).Error)
	require.NoError(t, db.Create(&models.NoticeDelivery{NoticeID: "n1", CaseID: "c1", State: models.NoticeRedirected,
		BounceReason: "5.1.1 user unknown", BouncedAt: &bounced, RedirectedTo: "n2"}).Error)
	return d, e
}

// TestCustomerReports (docs/DESIGN.md "Customer accounts"): the account
// sees its reports in the reference's types and statuses with their
// mitigation summary, the reporter only as the reporter allowed; another
// account's report is not found; bad filters are 400 by parameter.
func TestCustomerReports(t *testing.T) {
	d, _ := customerDesk(t)
	ctx := context.Background()
	rs, total, err := d.CustomerReports(ctx, "a1", CustomerReportFilter{})
	require.NoError(t, err)
	require.Equal(t, 1, total)
	r := rs[0]
	require.Equal(t, "c1", r.ID)
	require.Equal(t, "PHISH", r.Type)
	require.Equal(t, "accepted", r.Status)
	require.Equal(t, "one.example", r.Domain)
	require.Equal(t, []string{"https://one.example/p"}, r.URLs)
	require.Equal(t, MitigationSummary{AcceptedURLCount: 2, ActiveCount: 1}, r.Summary)
	require.NotNil(t, r.Submitter, "forwarded with the reporter's consent")
	require.Equal(t, "rita@r.example", r.Submitter.Email)

	_, err = d.CustomerReport(ctx, "a1", "c2")
	k, ps := Classify(err)
	require.Equal(t, KindNotFound, k, "another account's report is 404")
	require.Equal(t, "report_id", ps[0].Field)
	r2, err := d.CustomerReport(ctx, "a2", "c2")
	require.NoError(t, err)
	require.Equal(t, "EMER", r2.Type)
	require.Equal(t, "in_review", r2.Status)
	require.Nil(t, r2.Submitter, "CSAM: never the reporter")
	require.Empty(t, r2.Justification)

	rs, _, err = d.CustomerReports(ctx, "a1", CustomerReportFilter{Type: "DMCA"})
	require.NoError(t, err)
	require.Empty(t, rs)
	rs, _, err = d.CustomerReports(ctx, "a1", CustomerReportFilter{Type: "phishing", Status: "accepted", MitigationStatus: "active", Sort: "cdate", Desc: true})
	require.NoError(t, err)
	require.Len(t, rs, 1)

	_, _, err = d.CustomerReports(ctx, "a1", CustomerReportFilter{Type: "SPAM", Status: "open", MitigationStatus: "gone",
		Sort: "size", Page: -1, PerPage: 1000, Domain: "bad domain!"})
	k, ps = Classify(err)
	require.Equal(t, KindBadRequest, k)
	var fields []string
	for _, p := range ps {
		fields = append(fields, p.Field)
	}
	require.Equal(t, []string{"domain", "type", "status", "mitigation_status", "sort", "page", "per_page"}, fields)
}

// TestCustomerMitigationsAppealEmails: the account lists its mitigations,
// appeals an active one (the Mitigation workflow gets the signal; the
// answer shows in_review), cannot appeal an ended one (409) or another
// account's (404), and reads the notices sent to it with their delivery
// state.
func TestCustomerMitigationsAppealEmails(t *testing.T) {
	d, e := customerDesk(t)
	ctx := context.Background()
	ms, total, err := d.CustomerMitigations(ctx, "a1", "c1", MitigationFilter{Types: []string{"legal_block"}})
	require.NoError(t, err)
	require.Equal(t, 1, total, "legal_block also selects the desk's content_removed")
	require.Equal(t, "m2", ms[0].ID)
	_, _, err = d.CustomerMitigations(ctx, "a1", "c2", MitigationFilter{})
	require.Equal(t, KindNotFound, kindOf(err))
	_, _, err = d.CustomerMitigations(ctx, "a1", "c1", MitigationFilter{Types: []string{"nope"}, EntityType: "host", Status: "x", Sort: "id"})
	require.Equal(t, KindBadRequest, kindOf(err))

	out, err := d.CustomerAppeal(ctx, "a1", "c1", []Appeal{{MitigationID: "m1", Reason: "misclassified", Statement: "it is our login page"}})
	require.NoError(t, err)
	require.Equal(t, models.MitigationInReview, out[0].Status)
	require.Equal(t, []string{"Mitigation:m1 mitigation-appeal"}, e.signals)
	require.Equal(t, "misclassified", e.appeals[0].Reason)
	require.Equal(t, "account:a1", e.appeals[0].By)

	_, err = d.CustomerAppeal(ctx, "a1", "c1", []Appeal{{MitigationID: "m2", Reason: "removed"}})
	require.Equal(t, KindConflict, kindOf(err), "a removed mitigation cannot be appealed")
	_, err = d.CustomerAppeal(ctx, "a1", "c1", []Appeal{{MitigationID: "m9", Reason: "removed"}})
	require.Equal(t, KindNotFound, kindOf(err), "another account's mitigation is 404")
	_, err = d.CustomerAppeal(ctx, "a1", "c1", []Appeal{{MitigationID: "m1", Reason: "because"}, {MitigationID: "m1", Reason: "removed"}})
	_, ps := Classify(err)
	require.Equal(t, KindInvalid, kindOf(err))
	require.Len(t, ps, 2)
	require.Len(t, e.signals, 1, "no refused appeal reaches a workflow")

	es, err := d.CustomerEmails(ctx, "a1", "c1")
	require.NoError(t, err)
	require.Len(t, es, 2, "the reporter's receipt is not the account's")
	require.Equal(t, models.NoticeRedirected, es[0].DeliveryState)
	require.Equal(t, "n2", es[0].RedirectedTo)
	require.Equal(t, "5.1.1 user unknown", es[0].BounceReason)
	require.Equal(t, models.NoticeQueued, es[1].DeliveryState)
	_, err = d.CustomerEmails(ctx, "a2", "c1")
	require.Equal(t, KindNotFound, kindOf(err))
}

func kindOf(err error) Kind {
	k, _ := Classify(err)
	return k
}

// TestCustomerKeysAndContact: an issued key is answered once, found by
// CustomerKey until revoked; a configured customer key is found too; the
// abuse contact is checked, set and cleared.
func TestCustomerKeysAndContact(t *testing.T) {
	d, _ := customerDesk(t)
	d.Cfg = &config.Config{APIKeys: []config.APIKey{{Name: "cfg-cust", Hash: config.HashKey("configured-customer-key"), Role: "customer", Account: "a2"}}}
	ctx := context.Background()
	_, err := d.IssueKey(ctx, "admin", KeyRequest{Name: "bad name", Role: "analyst", Account: "nope"})
	_, ps := Classify(err)
	require.Len(t, ps, 3)
	k, err := d.IssueKey(ctx, "admin", KeyRequest{Name: "one-key", Role: "customer", Account: "a1"})
	require.NoError(t, err)
	require.Len(t, k.Key, 64)
	acct, ok := d.CustomerKey(ctx, k.Key)
	require.True(t, ok)
	require.Equal(t, "a1", acct)
	acct, ok = d.CustomerKey(ctx, "configured-customer-key")
	require.True(t, ok)
	require.Equal(t, "a2", acct)
	_, err = d.IssueKey(ctx, "admin", KeyRequest{Name: "one-key", Role: "customer", Account: "a1"})
	require.Equal(t, KindConflict, kindOf(err))
	_, err = d.RevokeKey(ctx, "admin", "one-key")
	require.NoError(t, err)
	_, ok = d.CustomerKey(ctx, k.Key)
	require.False(t, ok, "a revoked key")
	_, err = d.RevokeKey(ctx, "admin", "cfg-cust")
	require.Equal(t, KindConflict, kindOf(err))

	require.Equal(t, KindInvalid, kindOf(d.SetAbuseContact(ctx, "a1", "not an address")))
	require.NoError(t, d.SetAbuseContact(ctx, "a1", "abuse@one.example"))
	c, err := d.AbuseContact(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, "abuse@one.example", c)
	require.NoError(t, d.SetAbuseContact(ctx, "a1", ""))
	c, _ = d.AbuseContact(ctx, "a1")
	require.Empty(t, c)
}
