package activities_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/internal/smtpsink"
	"github.com/abusedesk/abusedesk/models"
)

// cdnNotices are a CDN case's notices (the receipt, both forwards, the
// reply to the reporter); with skipped, also a notice whose recipient is
// unknown (the CDN domain has no registrant address).
func cdnNotices(skipped bool) []activities.NoticeInput {
	out := []activities.NoticeInput{
		{Step: "reporter-receipt", Kind: activities.NoticeReporterReceipt, Role: models.RoleReporter},
		{Step: "operator-forward:shop.example", Kind: activities.NoticeForwardOperator, Role: models.RoleOperator,
			Domain: "shop.example"},
		{Step: "host-forward:shop.example", Kind: activities.NoticeForwardHost, Role: models.RoleHostingProvider,
			Domain: "shop.example", IncludeOriginIP: true,
			Facts: map[string]string{"provider": "Reseller", "origin_ip": "203.0.113.10"}},
		{Step: "reporter-forwarded", Kind: activities.NoticeReporterForwarded, Role: models.RoleReporter,
			Domain: "shop.example", Facts: map[string]string{"providers": "shop.example: Reseller", "forwarded_to_operator": "yes"}},
	}
	if skipped {
		out = append(out, activities.NoticeInput{Step: "registrant-whois:shop.example", Kind: activities.NoticeRegistrantWhois,
			Role: models.RoleRegistrant, Domain: "shop.example"})
	}
	return out
}

// newCDNCase is a CDN case with two URLs on the customer's domain.
func newCDNCase(t *testing.T, db *gorm.DB, id string) {
	newCase(t, db, id, models.CategoryPhishing, "https://www.shop.example/login", "https://shop.example/x")
}

// batchAudit journals into the audit log, one AppendMany per RecordAll, and
// keeps the size of each RecordAll.
type batchAudit struct {
	mu      sync.Mutex
	records int
	batches []int
}

func (j *batchAudit) Record(tx *gorm.DB, actor, caseID, kind, dedupKey string, details any) error {
	j.mu.Lock()
	j.records++
	j.mu.Unlock()
	_, err := audit.Append(tx, audit.NewEntry{Actor: actor, CaseID: caseID, Kind: kind, DedupKey: dedupKey, Details: details})
	return err
}

func (j *batchAudit) RecordAll(tx *gorm.DB, es []activities.JournalEntry) error {
	j.mu.Lock()
	j.batches = append(j.batches, len(es))
	j.mu.Unlock()
	entries := make([]audit.NewEntry, len(es))
	for i, e := range es {
		entries[i] = audit.NewEntry{Actor: e.Actor, CaseID: e.CaseID, Kind: e.Kind, DedupKey: e.DedupKey, Details: e.Details}
	}
	_, err := audit.AppendMany(tx, entries)
	return err
}

// sinkActivities are activities delivering through a fresh SMTP sink.
func sinkActivities(t *testing.T, db *gorm.DB, fail int) (*activities.Activities, *smtpsink.Sink, *batchAudit) {
	sink, err := smtpsink.Start("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(sink.Stop)
	j := &batchAudit{}
	mail := &failingMailer{inner: &activities.SMTPMailer{Addr: sink.Addr(), From: "abuse@desk.example"}, n: fail}
	return &activities.Activities{DB: db, Mail: mail, MailLimit: &activities.MailLimit{DB: db, PerHour: 10},
		PublicURL: "http://desk", TokenSecret: []byte("s"), Journal: j}, sink, j
}

// caseNotices are a case's notice rows by id, and its notice audit entries.
func caseNotices(t *testing.T, db *gorm.DB, caseID string) (map[string]models.Notice, []audit.Entry) {
	var rows []models.Notice
	require.NoError(t, db.Where("case_id = ?", caseID).Find(&rows).Error)
	byID := map[string]models.Notice{}
	for _, n := range rows {
		byID[n.ID] = n
	}
	var entries []audit.Entry
	require.NoError(t, db.Where("case_id = ? AND kind = ?", caseID, "notice").Order("seq").Find(&entries).Error)
	return byID, entries
}

// sentTo counts the sink's messages per notice id.
func sentTo(sink *smtpsink.Sink) map[string]int {
	out := map[string]int{}
	for _, m := range sink.Messages() {
		out[m.NoticeID]++
	}
	return out
}

func TestSendNoticesAsSendNotice(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a, sink, j := sinkActivities(t, db, 0)
		newCDNCase(t, db, "cb-000001")
		newCDNCase(t, db, "cs-000001")
		res, err := a.SendNotices(ctx, activities.NoticeBatch{CaseID: "cb-000001", Notices: cdnNotices(true)})
		require.NoError(t, err)
		require.Len(t, res.Results, 5)
		require.Equal(t, []int{4}, j.batches, "the batch's entries in one RecordAll")
		for i, in := range cdnNotices(true) {
			in.CaseID = "cs-000001"
			one, err := a.SendNotice(ctx, in)
			require.NoError(t, err)
			got := res.Results[i]
			require.Equal(t, one.Skipped, got.Skipped, in.Step)
			if one.Skipped {
				require.Empty(t, got.NoticeID)
				continue
			}
			var b, s models.Notice
			require.NoError(t, db.First(&b, "id = ?", got.NoticeID).Error)
			require.NoError(t, db.First(&s, "id = ?", one.NoticeID).Error)
			require.Equal(t, in.Step, b.Step)
			require.Equal(t, models.NoticeSent, b.Status)
			require.Equal(t, comparableNotice(s, "cs-000001"), comparableNotice(b, "cb-000001"), in.Step)
		}
		rows, entries := caseNotices(t, db, "cb-000001")
		require.Len(t, rows, 4)
		require.Len(t, entries, 4, "one audit entry per notice")
		for _, e := range entries {
			require.Contains(t, rows, strings.TrimPrefix(e.DedupKey, "notice:"))
		}
		sent := sentTo(sink)
		for id := range rows {
			require.Equal(t, 1, sent[id], "delivered once")
		}
		require.Len(t, sink.Messages(), 8, "four notices of each case")

		skey, _, err := audit.LoadOrCreateKey(t.TempDir(), "test.abusedesk/audit")
		require.NoError(t, err)
		l, err := audit.NewLog(db, skey)
		require.NoError(t, err)
		rep, err := l.Verify(ctx, nil)
		require.NoError(t, err)
		require.True(t, rep.OK, rep.Problems)
	})
}

// comparableNotice is what a notice row says, without its id, times and
// case id.
func comparableNotice(n models.Notice, caseID string) models.Notice {
	clean := func(s string) string {
		return strings.ReplaceAll(strings.ReplaceAll(s, n.ID, "NOTICE"), caseID, "CASE")
	}
	return models.Notice{Step: n.Step, RecipientRole: n.RecipientRole, To: n.To, Subject: clean(n.Subject),
		BodyText: clean(n.BodyText), BodyHTML: clean(n.BodyHTML), IncludesOriginIP: n.IncludesOriginIP,
		Domain: n.Domain, Status: n.Status, TokenHash: n.TokenHash}
}

func TestSendNoticesRetriedSendsNothingTwice(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a, sink, _ := sinkActivities(t, db, 0)

		// The same batch twice (a retried activity).
		newCDNCase(t, db, "r1")
		batch := activities.NoticeBatch{CaseID: "r1", Notices: cdnNotices(false)}
		first, err := a.SendNotices(ctx, batch)
		require.NoError(t, err)
		again, err := a.SendNotices(ctx, batch)
		require.NoError(t, err)
		require.Equal(t, first, again)
		rows, entries := caseNotices(t, db, "r1")
		require.Len(t, rows, 4)
		require.Len(t, entries, 4)
		require.Len(t, sink.Messages(), 4)

		// A batch after one of its notices went out alone.
		newCDNCase(t, db, "r2")
		in := cdnNotices(false)[1]
		in.CaseID = "r2"
		one, err := a.SendNotice(ctx, in)
		require.NoError(t, err)
		res, err := a.SendNotices(ctx, activities.NoticeBatch{CaseID: "r2", Notices: cdnNotices(false)})
		require.NoError(t, err)
		require.Equal(t, one.NoticeID, res.Results[1].NoticeID)
		rows, entries = caseNotices(t, db, "r2")
		require.Len(t, rows, 4)
		require.Len(t, entries, 4)
		sent := sentTo(sink)
		for id := range rows {
			require.Equal(t, 1, sent[id], "delivered once")
		}
		require.Len(t, sink.Messages(), 8)
	})
}

func TestSendNoticesDeliveryFailure(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a, sink, _ := sinkActivities(t, db, 1)
		newCDNCase(t, db, "f1")
		_, err := a.SendNotices(ctx, activities.NoticeBatch{CaseID: "f1", Notices: cdnNotices(false)})
		require.ErrorContains(t, err, "relay down")
		rows, entries := caseNotices(t, db, "f1")
		require.Len(t, rows, 4, "the rows stay")
		require.Len(t, entries, 4)
		require.Empty(t, sink.Messages())

		// The workflow's fallback: SendNotice per notice.
		for _, in := range cdnNotices(false) {
			in.CaseID = "f1"
			_, err := a.SendNotice(ctx, in)
			require.NoError(t, err)
		}
		res, err := a.SendNotices(ctx, activities.NoticeBatch{CaseID: "f1", Notices: cdnNotices(false)})
		require.NoError(t, err)
		again, entries := caseNotices(t, db, "f1")
		require.Equal(t, rows, mapKeys(again, rows), "no new row")
		require.Len(t, entries, 4)
		sent := sentTo(sink)
		require.Len(t, sent, 4)
		for _, r := range res.Results {
			require.Equal(t, 1, sent[r.NoticeID], "delivered once")
			require.Equal(t, models.NoticeSent, again[r.NoticeID].Status)
		}
	})
}

// mapKeys is got with want's keys only when both have the same keys, so
// that comparing it to want compares the key sets (status and sent time
// changed since).
func mapKeys(got, want map[string]models.Notice) map[string]models.Notice {
	if len(got) != len(want) {
		return got
	}
	out := map[string]models.Notice{}
	for id := range got {
		if _, ok := want[id]; !ok {
			return got
		}
		out[id] = want[id]
	}
	return out
}

func TestSendNoticesInvalidBatch(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a, sink, _ := sinkActivities(t, db, 0)
		newCDNCase(t, db, "i1")
		other := cdnNotices(false)
		other[2].CaseID = "someone-else"
		dup := append(cdnNotices(false), cdnNotices(false)[0])
		noStep := cdnNotices(false)
		noStep[1].Step = ""
		var many []activities.NoticeInput
		for i := 0; i < 51; i++ {
			many = append(many, activities.NoticeInput{Step: fmt.Sprintf("receipt-%d", i),
				Kind: activities.NoticeReporterReceipt, Role: models.RoleReporter})
		}
		for name, b := range map[string]activities.NoticeBatch{
			"another case": {CaseID: "i1", Notices: other},
			"dup step":     {CaseID: "i1", Notices: dup},
			"no step":      {CaseID: "i1", Notices: noStep},
			"51 notices":   {CaseID: "i1", Notices: many},
			"no case":      {Notices: cdnNotices(false)},
			"close of another case": {CaseID: "i1", Notices: cdnNotices(false),
				Close: &activities.StatusInput{CaseID: "someone-else", Status: models.StatusClosed}},
		} {
			_, err := a.SendNotices(ctx, b)
			var app *temporal.ApplicationError
			require.True(t, errors.As(err, &app), "%s: %v", name, err)
			require.Equal(t, activities.ErrTypeInvalidNotice, app.Type(), name)
			require.True(t, app.NonRetryable(), name)
		}
		var n int64
		require.NoError(t, db.Model(&models.Notice{}).Count(&n).Error)
		require.Zero(t, n)
		require.NoError(t, db.Model(&audit.Entry{}).Count(&n).Error)
		require.Zero(t, n)
		require.Empty(t, sink.Messages())
	})
}

// TestSendNoticesStatementCount counts the statements of a CDN case's four
// notices as one batch and as four SendNotice calls (no relay, as in
// workflows.BenchmarkCDNCaseCost).
func TestSendNoticesStatementCount(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		count := &sqlLog{}
		j := &batchAudit{}
		a := &activities.Activities{DB: db.Session(&gorm.Session{Logger: count}), PublicURL: "http://desk",
			TokenSecret: []byte("s"), Journal: j}
		newCDNCase(t, db, "k-batch")
		newCDNCase(t, db, "k-single")

		_, err := a.SendNotices(ctx, activities.NoticeBatch{CaseID: "k-batch", Notices: cdnNotices(false)})
		require.NoError(t, err)
		batch, batchLocks := count.take()
		for _, in := range cdnNotices(false) {
			in.CaseID = "k-single"
			_, err := a.SendNotice(ctx, in)
			require.NoError(t, err)
		}
		singles, singleLocks := count.take()
		t.Logf("4 notices: SendNotices %d statements (%d audit head locks), 4 x SendNotice %d (%d)",
			batch, batchLocks, singles, singleLocks)
		require.Equal(t, 1, batchLocks, "one AppendMany for the batch")
		require.Equal(t, 4, singleLocks)
		require.Equal(t, []int{4, 1, 1, 1, 1}, j.batches)
		require.Less(t, 2*batch, singles, "far fewer statements")
	})
}

// sqlLog is a gorm logger that counts statements and audit head locks.
type sqlLog struct {
	mu           sync.Mutex
	n, headLocks int
}

func (c *sqlLog) LogMode(logger.LogLevel) logger.Interface { return c }
func (c *sqlLog) Info(context.Context, string, ...any)     {}
func (c *sqlLog) Warn(context.Context, string, ...any)     {}
func (c *sqlLog) Error(context.Context, string, ...any)    {}
func (c *sqlLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if strings.HasPrefix(sql, "UPDATE audit_head SET size = size") {
		c.headLocks++
	}
}

// take returns the counts so far and starts again.
func (c *sqlLog) take() (stmts, headLocks int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	stmts, headLocks = c.n, c.headLocks
	c.n, c.headLocks = 0, 0
	return stmts, headLocks
}

func TestSetStatusCloseKeepsFirstTime(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		a := &activities.Activities{DB: db, Journal: &batchAudit{}, Now: func() time.Time { return clock }}
		newCDNCase(t, db, "st1")
		require.NoError(t, a.SetStatus(ctx, activities.StatusInput{CaseID: "st1", Status: models.StatusForwarding}))
		var c models.Case
		require.NoError(t, db.First(&c, "id = ?", "st1").Error)
		require.Nil(t, c.ClosedAt)
		closeIt := activities.StatusInput{CaseID: "st1", Status: models.StatusClosed, Outcome: models.OutcomeForwarded}
		require.NoError(t, a.SetStatus(ctx, closeIt))
		first := clock
		clock = clock.Add(time.Hour)
		require.NoError(t, a.SetStatus(ctx, closeIt), "a retried close")
		require.NoError(t, db.First(&c, "id = ?", "st1").Error)
		require.NotNil(t, c.ClosedAt)
		require.True(t, first.Equal(*c.ClosedAt), "closed at %v, want the first close %v", c.ClosedAt, first)
		require.Equal(t, models.StatusClosed, c.Status)
		require.True(t, c.WorkflowStarted)
		var n int64
		require.NoError(t, db.Model(&audit.Entry{}).Where("dedup_key = ?", "closed:st1").Count(&n).Error)
		require.EqualValues(t, 1, n)
		require.ErrorIs(t, a.SetStatus(ctx, activities.StatusInput{CaseID: "missing", Status: models.StatusClosed}),
			gorm.ErrRecordNotFound)
	})
}

// A batch with a close writes the case's closing status once its notices
// are out, as SetStatus would after it; a batch whose delivery fails
// writes none (the workflow closes the case after the fallback), and a
// retried batch closes once.
func TestSendNoticesWritesTheClose(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		closing := func(id string) *activities.StatusInput {
			return &activities.StatusInput{CaseID: id, Status: models.StatusClosed, Outcome: models.OutcomeForwarded,
				Service: models.ServiceCDN, Domain: "shop.example"}
		}
		closedEntries := func(id string) int64 {
			var n int64
			require.NoError(t, db.Model(&audit.Entry{}).Where("case_id = ? AND kind = ?", id, "closed").Count(&n).Error)
			return n
		}

		a, sink, _ := sinkActivities(t, db, 0)
		newCDNCase(t, db, "c1")
		batch := activities.NoticeBatch{CaseID: "c1", Notices: cdnNotices(false), Close: closing("c1")}
		res, err := a.SendNotices(ctx, batch)
		require.NoError(t, err)
		require.True(t, res.Closed)
		require.Len(t, sink.Messages(), 4)
		var c models.Case
		require.NoError(t, db.First(&c, "id = ?", "c1").Error)
		require.Equal(t, models.StatusClosed, c.Status)
		require.Equal(t, models.OutcomeForwarded, c.Outcome)
		require.Equal(t, models.ServiceCDN, c.Service)
		require.NotNil(t, c.ClosedAt)
		require.True(t, c.WorkflowStarted)
		require.EqualValues(t, 1, closedEntries("c1"))
		again, err := a.SendNotices(ctx, batch)
		require.NoError(t, err)
		require.Equal(t, res, again)
		require.EqualValues(t, 1, closedEntries("c1"), "a retried batch closes once")
		require.Len(t, sink.Messages(), 4)

		failing, _, _ := sinkActivities(t, db, 1)
		newCDNCase(t, db, "c2")
		_, err = failing.SendNotices(ctx, activities.NoticeBatch{CaseID: "c2", Notices: cdnNotices(false), Close: closing("c2")})
		require.ErrorContains(t, err, "relay down")
		var c2 models.Case
		require.NoError(t, db.First(&c2, "id = ?", "c2").Error)
		require.NotEqual(t, models.StatusClosed, c2.Status, "no close before the notices are out")
		require.Nil(t, c2.ClosedAt)
		require.Zero(t, closedEntries("c2"))
	})
}

// TestSendNoticesClosesWithTheOutbox: with no relay the notices stay in the
// outbox, so the batch's close is written in their transaction: one audit
// append holds the notices' entries and then the close's, and a close that
// cannot be written leaves no notice stored either (the batch is retried
// whole).
func TestSendNoticesClosesWithTheOutbox(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		j := &batchAudit{}
		a := &activities.Activities{DB: db, PublicURL: "http://desk", TokenSecret: []byte("s"), Journal: j}
		newCDNCase(t, db, "o1")
		closing := &activities.StatusInput{CaseID: "o1", Status: models.StatusClosed, Outcome: models.OutcomeForwarded,
			Service: models.ServiceCDN, Domain: "shop.example", AccountID: "cdn"}
		batch := activities.NoticeBatch{CaseID: "o1", Notices: cdnNotices(false), Close: closing}
		res, err := a.SendNotices(ctx, batch)
		require.NoError(t, err)
		require.True(t, res.Closed)
		require.Equal(t, []int{5}, j.batches, "the four notices and the close in one append")
		require.Zero(t, j.records)
		var c models.Case
		require.NoError(t, db.First(&c, "id = ?", "o1").Error)
		require.Equal(t, models.StatusClosed, c.Status)
		require.Equal(t, models.OutcomeForwarded, c.Outcome)
		require.NotNil(t, c.ClosedAt)
		require.True(t, c.WorkflowStarted)
		var kinds []string
		require.NoError(t, db.Model(&audit.Entry{}).Where("case_id = ?", "o1").Order("seq").Pluck("kind", &kinds).Error)
		require.Equal(t, []string{"notice", "notice", "notice", "notice", "closed"}, kinds)

		again, err := a.SendNotices(ctx, batch)
		require.NoError(t, err)
		require.Equal(t, res, again)
		require.NoError(t, db.Model(&audit.Entry{}).Where("case_id = ?", "o1").Order("seq").Pluck("kind", &kinds).Error)
		require.Len(t, kinds, 5, "a retried batch stores and closes nothing again")

		// The close fails inside the transaction: nothing of the batch stays.
		newCDNCase(t, db, "o2")
		fail := errors.New("cases table unavailable")
		cb := db.Callback().Update()
		require.NoError(t, cb.Before("gorm:update").Register("test:fail-case-update", func(tx *gorm.DB) {
			if tx.Statement.Table == "cases" {
				_ = tx.AddError(fail)
			}
		}))
		_, err = a.SendNotices(ctx, activities.NoticeBatch{CaseID: "o2", Notices: cdnNotices(false),
			Close: &activities.StatusInput{CaseID: "o2", Status: models.StatusClosed, Outcome: models.OutcomeForwarded}})
		require.ErrorIs(t, err, fail)
		require.NoError(t, cb.Remove("test:fail-case-update"))
		var stored int64
		require.NoError(t, db.Model(&models.Notice{}).Where("case_id = ?", "o2").Count(&stored).Error)
		require.Zero(t, stored, "no notice without its close")
		var entries int64
		require.NoError(t, db.Model(&audit.Entry{}).Where("case_id = ?", "o2").Count(&entries).Error)
		require.Zero(t, entries)
		res, err = a.SendNotices(ctx, activities.NoticeBatch{CaseID: "o2", Notices: cdnNotices(false),
			Close: &activities.StatusInput{CaseID: "o2", Status: models.StatusClosed, Outcome: models.OutcomeForwarded}})
		require.NoError(t, err)
		require.True(t, res.Closed, "the retried batch stores and closes")
	})
}

// TestBatchURLListsFromOneRead: a batch reads the case's URLs once and
// derives each notice's list from them: the operator's forward lists the
// URLs on its domain and its subdomains (not on a name that only ends the
// same way), the reporter's receipt all of them, the reply the hosting
// provider of each CDN website. A case with more URLs than a notice lists
// falls back to the per-list queries: the first maxURLsInNotice (200) in
// order and the count of the rest.
func TestBatchURLListsFromOneRead(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &activities.Activities{DB: db}
		ins := cdnNotices(false)
		body := func(caseID, step string) string {
			var n models.Notice
			require.NoError(t, db.Where("case_id = ? AND step = ?", caseID, step).First(&n).Error)
			return n.BodyText
		}

		newCase(t, db, "few", models.CategoryPhishing, "https://evilshop.example/a", "https://www.shop.example/login",
			"https://pages.example/p", "https://shop.example/x", "https://a.b.shop.example/y")
		_, err := a.SendNotices(context.Background(), activities.NoticeBatch{CaseID: "few", Notices: ins})
		require.NoError(t, err)
		op := body("few", "operator-forward:shop.example")
		require.Contains(t, op, "Reported URLs (3):\n  - https://www.shop.example/login\n  - https://shop.example/x\n  - https://a.b.shop.example/y\n")
		require.NotContains(t, op, "evilshop")
		require.Contains(t, body("few", "host-forward:shop.example"), "Reported URLs (3):")
		// The websites in the order of their hosts (a.b.shop.example first).
		require.Contains(t, body("few", "reporter-forwarded"), "How we found the hosting provider:\n"+
			"  shop.example: Reseller, abuse contact abuse@reseller.example, from our customer records\n"+
			"  pages.example: unknown: ")

		var many []string
		for i := range 250 {
			many = append(many, fmt.Sprintf("https://shop.example/p%03d", i))
		}
		many = append(many, "https://pages.example/last")
		newCase(t, db, "many", models.CategoryPhishing, many...)
		_, err = a.SendNotices(context.Background(), activities.NoticeBatch{CaseID: "many", Notices: ins})
		require.NoError(t, err)
		op = body("many", "operator-forward:shop.example")
		require.Contains(t, op, "Reported URLs (250):\n  - https://shop.example/p000\n")
		require.Contains(t, op, "  - https://shop.example/p199\n  ... and 50 more")
		require.NotContains(t, op, "p200")
		require.Contains(t, body("many", "reporter-forwarded"), "How we found the hosting provider:\n"+
			"  pages.example: unknown: no network we know of and no RDAP answer covers its origin\n"+
			"  shop.example: Reseller, abuse contact abuse@reseller.example, from our customer records\n")
	})
}

// TestOperatorRecipientInOneRead: the operator's forward goes to the
// account's abuse contact, else to its operator address, else to the
// hosting provider of the website; an unknown account fails the notice.
func TestOperatorRecipientInOneRead(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		a := &activities.Activities{DB: db}
		ctx := context.Background()
		forward := func(caseID string) models.Notice {
			newCDNCase(t, db, caseID)
			_, err := a.SendNotices(ctx, activities.NoticeBatch{CaseID: caseID, Notices: cdnNotices(false)[:2]})
			require.NoError(t, err)
			var n models.Notice
			require.NoError(t, db.Where("case_id = ? AND step = ?", caseID, "operator-forward:shop.example").First(&n).Error)
			return n
		}
		require.Equal(t, "op@shop.example", forward("on-record").To)
		require.NoError(t, db.Create(&models.AbuseContact{AccountID: "cdn", Email: "abuse@shop.example"}).Error)
		require.Equal(t, "abuse@shop.example", forward("contact").To)
		require.NoError(t, db.Where("account_id = ?", "cdn").Delete(&models.AbuseContact{}).Error)
		require.NoError(t, db.Model(&models.Account{}).Where("id = ?", "cdn").Update("operator_email", "").Error)
		require.Equal(t, "abuse@reseller.example", forward("to-host").To)

		newCDNCase(t, db, "no-account")
		_, err := a.SendNotices(ctx, activities.NoticeBatch{CaseID: "no-account", Notices: []activities.NoticeInput{
			{Step: "operator-forward:x", Kind: activities.NoticeForwardOperator, Role: models.RoleOperator, Domain: "shop.example", AccountID: "gone"},
			cdnNotices(false)[0]}})
		require.ErrorIs(t, err, gorm.ErrRecordNotFound)
	})
}

// TestClassifyForward: a CDN case handled whole is classified, its receipt,
// forwards and reply stored and its close written by one call, the same
// notices as Classify and then SendNotices store; a second call stores
// nothing again; a hosted case is only classified.
func TestClassifyForward(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		j := &batchAudit{}
		a := &activities.Activities{DB: db, Journal: j}
		urls := []string{"https://www.shop.example/login", "https://shop.example/x"}
		newCase(t, db, "Caaa1", models.CategoryPhishing, urls...)
		newCase(t, db, "Cbbb2", models.CategoryPhishing, urls...)

		in := activities.ClassifyForwardInput{CaseID: "Caaa1", ToOperator: true, TokenTTL: time.Hour}
		r, err := a.ClassifyForward(ctx, in)
		require.NoError(t, err)
		require.True(t, r.Forwarded)
		require.True(t, r.Batch.Closed)
		require.Len(t, r.Batch.Results, 4)
		require.Equal(t, []int{5}, j.batches, "four notices and the close, one append")

		// The same case the two-step way.
		cls, err := a.Classify(ctx, activities.ClassifyInput{CaseID: "Cbbb2"})
		require.NoError(t, err)
		require.Equal(t, cls, r.Classify)
		ns := activities.CDNNotices(cls.Targets, true, activities.ReceiptNotice())
		for i := range ns {
			ns[i].CaseID, ns[i].TokenTTL = "Cbbb2", time.Hour
		}
		_, err = a.SendNotices(ctx, activities.NoticeBatch{CaseID: "Cbbb2", Notices: ns, Close: &activities.StatusInput{
			CaseID: "Cbbb2", Status: models.StatusClosed, Outcome: models.OutcomeForwarded, Service: models.ServiceCDN,
			Domain: cls.Targets[0].Domain, AccountID: cls.Targets[0].AccountID}})
		require.NoError(t, err)
		byStep := func(id string) map[string]models.Notice {
			var rows []models.Notice
			require.NoError(t, db.Where("case_id = ?", id).Find(&rows).Error)
			out := map[string]models.Notice{}
			for _, n := range rows {
				out[n.Step] = n
			}
			return out
		}
		one, two := byStep("Caaa1"), byStep("Cbbb2")
		require.Len(t, one, 4)
		require.Equal(t, len(two), len(one))
		for step, n := range one {
			m := two[step]
			require.Equal(t, m.To, n.To, step)
			require.Equal(t, strings.ReplaceAll(m.BodyText, "Cbbb2", "Caaa1"), n.BodyText, step)
			require.Equal(t, m.IncludesOriginIP, n.IncludesOriginIP, step)
		}
		var c1, c2 models.Case
		require.NoError(t, db.First(&c1, "id = ?", "Caaa1").Error)
		require.NoError(t, db.First(&c2, "id = ?", "Cbbb2").Error)
		require.Equal(t, models.StatusClosed, c1.Status)
		require.Equal(t, [4]string{string(c2.Status), string(c2.Outcome), string(c2.Service), c2.Domain},
			[4]string{string(c1.Status), string(c1.Outcome), string(c1.Service), c1.Domain})

		// Again: nothing stored twice, nothing journalled again.
		again, err := a.ClassifyForward(ctx, in)
		require.NoError(t, err)
		require.True(t, again.Forwarded)
		require.Len(t, byStep("Caaa1"), 4)
		require.Equal(t, []int{5, 5}, j.batches[:2])
		require.Len(t, j.batches, 2, "the retry appends nothing")

		// A hosted case: classified, nothing sent.
		newCase(t, db, "hosted", models.CategoryMalware, "https://pages.example/a/x")
		h, err := a.ClassifyForward(ctx, activities.ClassifyForwardInput{CaseID: "hosted", ToOperator: true, TokenTTL: time.Hour})
		require.NoError(t, err)
		require.False(t, h.Forwarded)
		require.Len(t, h.Classify.Targets, 1)
		require.Equal(t, models.ServiceHosting, h.Classify.Targets[0].Service)
		require.Empty(t, byStep("hosted"))
	})
}
