package integration

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/internal/testenv"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/transparency"
)

// TestTransparencyReportSQLite computes the report over a generated set of
// cases with known counts in a fresh SQLite database.
func TestTransparencyReportSQLite(t *testing.T) {
	db, err := store.Open("", t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { closeGorm(db) })
	testTransparencyReport(t, db)
}

// TestTransparencyReportPostgres is the same on PostgreSQL (its month
// grouping is different SQL).
func TestTransparencyReportPostgres(t *testing.T) {
	db, err := store.Open(testenv.PostgresDB(t), "")
	require.NoError(t, err)
	t.Cleanup(func() { closeGorm(db) })
	testTransparencyReport(t, db)
}

func closeGorm(db *gorm.DB) {
	if s, err := db.DB(); err == nil {
		s.Close()
	}
}

func testTransparencyReport(t *testing.T, db *gorm.DB) {
	require.NoError(t, store.Migrate(db))
	require.NoError(t, audit.Migrate(db))
	g := &reportGen{t: t, db: db, want: map[string]map[string]int64{}, waits: map[string][]float64{}, first: map[string]time.Time{}}
	g.generate()

	from, to, err := transparency.Period("2026-01", "2026-02", time.Now())
	require.NoError(t, err)
	r, err := transparency.Compute(context.Background(), db, from, to)
	require.NoError(t, err)
	require.Equal(t, "2026-01-01", r.From)
	require.Equal(t, "2026-02-28", r.To)
	require.Len(t, r.Months, 2)
	require.Equal(t, "2026-01", r.Months[0].Month)
	require.Equal(t, "2026-02", r.Months[1].Month)

	// A few figures by hand, so the bookkeeping below is not the only check.
	jan, feb := r.Months[0], r.Months[1]
	require.EqualValues(t, 10, jan.Total.ReportsReceived)
	require.EqualValues(t, 4, jan.ByService["cdn"].ForwardedToOperators, "one case forwarded to two domains counts once; the December case counts in January")
	require.EqualValues(t, 5, jan.ByService["cdn"].ForwardedToHosts, "the CSAM report goes to the host only")
	require.EqualValues(t, 2, jan.Total.NotOurCustomer)
	require.EqualValues(t, 2, jan.ByService["hosting"].DecisionsViolates)
	require.EqualValues(t, 1, jan.ByCategory["fraud"].DecisionsNoViolation)
	require.EqualValues(t, 2, jan.Total.ContentDisabled)
	require.EqualValues(t, 2, jan.Total.ContentRemoved)
	require.EqualValues(t, 1, feb.Total.DomainsSuspended, "the WHOIS case received in January closed in February")
	require.EqualValues(t, 1, feb.ByCategory["copyright"].CounterNotices)
	require.EqualValues(t, 1, feb.Total.ContentRestored)
	require.EqualValues(t, 3, feb.Total.Terminations)
	require.Equal(t, []transparency.TerminationCount{
		{Service: "cdn", Reason: "repeat_infringer", Count: 1},
		{Service: "hosting", Reason: "csam", Count: 1},
		{Service: "hosting", Reason: "repeat_infringer", Count: 1},
	}, feb.Terminations)
	require.Empty(t, jan.Terminations)
	// Phishing in January: first actions after 10 s, 20 s and 30 s.
	require.NotNil(t, jan.ByCategory["phishing"].MedianFirstActionSeconds)
	require.Equal(t, 20.0, *jan.ByCategory["phishing"].MedianFirstActionSeconds)

	// Every cell.
	got := map[string]map[string]int64{}
	for _, m := range r.Months {
		collect(got, m.Month+"|total|", m.Total)
		for k, c := range m.ByCategory {
			collect(got, m.Month+"|category|"+k, c)
		}
		for k, c := range m.ByService {
			collect(got, m.Month+"|service|"+k, c)
		}
	}
	for key, ws := range g.waits {
		sort.Float64s(ws)
		med := ws[len(ws)/2]
		if len(ws)%2 == 0 {
			med = (ws[len(ws)/2-1] + ws[len(ws)/2]) / 2
		}
		g.cell(key)["median_first_action_seconds"] = int64(med + 0.5)
	}
	require.Equal(t, g.want, got)

	// CSV: one figure a row.
	var b bytes.Buffer
	require.NoError(t, transparency.WriteCSV(&b, r))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"month", "dimension", "key", "metric", "value"}, rows[0])
	require.Contains(t, rows, []string{"2026-01", "total", "", "reports_received", "10"})
	require.Contains(t, rows, []string{"2026-02", "termination", "hosting/csam", "terminations", "1"})
	require.Contains(t, rows, []string{"2026-01", "category", "phishing", "median_first_action_seconds", "20"})
	b.Reset()
	require.NoError(t, transparency.WriteHTML(&b, r))
	require.Contains(t, b.String(), "<h2>2026-02</h2>")
}

// collect flattens a cell into got[key].
func collect(got map[string]map[string]int64, key string, c *transparency.Counts) {
	m := map[string]int64{}
	for _, metric := range transparency.Metrics {
		if v := *metric.Get(c); v != 0 {
			m[metric.Name] = v
		}
	}
	if c.MedianFirstActionSeconds != nil {
		m["median_first_action_seconds"] = int64(*c.MedianFirstActionSeconds)
	}
	got[key] = m
}

// reportGen inserts cases and their events straight into the database and
// keeps the figures the report must show: want["2026-01|category|phishing"]
// ["reports_received"], and so on, for the total, category and service
// cells of every event inside January and February 2026.
type reportGen struct {
	t     *testing.T
	db    *gorm.DB
	want  map[string]map[string]int64
	waits map[string][]float64
	first map[string]time.Time
	cases []models.Case
	n     int
	seq   int64
}

func (g *reportGen) cell(key string) map[string]int64 {
	if g.want[key] == nil {
		g.want[key] = map[string]int64{}
	}
	return g.want[key]
}

// count adds one event of metric at time at for a case's cells.
func (g *reportGen) count(at time.Time, cat, svc, metric string) {
	if at.Before(day(1, 1)) || !at.Before(day(3, 1)) {
		return
	}
	m := at.Format("2006-01")
	for _, k := range []string{m + "|total|", m + "|category|" + cat, m + "|service|" + svc} {
		g.cell(k)[metric]++
	}
}

// day is a date in 2026 (month, day) at noon UTC.
func day(month, d int) time.Time { return time.Date(2026, time.Month(month), d, 12, 0, 0, 0, time.UTC) }

// newCase stores a case received at at.
func (g *reportGen) newCase(at time.Time, cat models.Category, svc models.Service, outcome models.Outcome, closedAt time.Time) models.Case {
	g.n++
	c := models.Case{ID: fmt.Sprintf("Cgen%03d", g.n), Category: cat, Service: svc, Outcome: outcome, CreatedAt: at, UpdatedAt: at,
		Status: models.StatusAwaitingAnalyst}
	if !closedAt.IsZero() {
		c.Status, c.ClosedAt = models.StatusClosed, &closedAt
	}
	require.NoError(g.t, g.db.Create(&c).Error)
	g.cases = append(g.cases, c)
	g.count(at, string(cat), string(svc), "reports_received")
	if !closedAt.IsZero() {
		switch outcome {
		case models.OutcomeNotOurCustomer:
			g.count(closedAt, string(cat), string(svc), "not_our_customer")
		case models.OutcomeDomainSuspended:
			g.count(closedAt, string(cat), string(svc), "domains_suspended")
		}
	}
	// Every case gets a receipt, which is not an action.
	g.notice(c, "reporter-receipt", at.Add(time.Second))
	return c
}

// acted records an action on c at at (first actions feed the median).
func (g *reportGen) acted(c models.Case, at time.Time) {
	if t, ok := g.first[c.ID]; !ok || at.Before(t) {
		g.first[c.ID] = at
	}
}

func (g *reportGen) notice(c models.Case, step string, at time.Time) {
	g.seq++
	n := models.Notice{ID: fmt.Sprintf("n%04d", g.seq), CaseID: c.ID, Step: step, CreatedAt: at, Status: models.NoticeSent}
	require.NoError(g.t, g.db.Create(&n).Error)
	if step != "reporter-receipt" {
		g.acted(c, at)
	}
}

// forward sends the CDN forwards of a case to each of domains.
func (g *reportGen) forward(c models.Case, at time.Time, operator bool, domains ...string) {
	for _, d := range domains {
		if operator {
			g.notice(c, "operator-forward:"+d, at)
		}
		g.notice(c, "host-forward:"+d, at)
	}
	if operator {
		g.count(at, string(c.Category), string(c.Service), "forwarded_to_operators")
	}
	g.count(at, string(c.Category), string(c.Service), "forwarded_to_hosts")
}

func (g *reportGen) decision(c models.Case, verdict string, at time.Time) {
	g.seq++
	d := models.Decision{CaseID: c.ID, Step: fmt.Sprintf("decision-%d", g.seq), Verdict: verdict, Reason: "r", Analyst: "a", CreatedAt: at}
	require.NoError(g.t, g.db.Create(&d).Error)
	g.acted(c, at)
	switch verdict {
	case "violates":
		g.count(at, string(c.Category), string(c.Service), "hosted_decisions_violates")
	case "no_violation":
		g.count(at, string(c.Category), string(c.Service), "hosted_decisions_no_violation")
	}
}

// entry inserts an audit entry directly (the report reads kinds and times;
// the tree is not what is tested here).
func (g *reportGen) entry(c models.Case, kind string, at time.Time) {
	g.seq++
	e := audit.Entry{Seq: g.seq, Time: at, Actor: "system", CaseID: c.ID, Kind: kind, DedupKey: fmt.Sprintf("%s:%d", kind, g.seq),
		DetailsDigest: "00", LeafHash: "00"}
	require.NoError(g.t, g.db.Create(&e).Error)
	metric := map[string]string{"restriction": "content_disabled", "removal": "content_removed", "restoration": "content_restored"}[kind]
	if metric != "" {
		g.count(at, string(c.Category), string(c.Service), metric)
	}
	if kind != "restoration" {
		g.acted(c, at)
	}
}

func (g *reportGen) counterNotice(c models.Case, at time.Time) {
	g.seq++
	r := models.OperatorReply{NoticeID: fmt.Sprintf("n-cn-%d", g.seq), CaseID: c.ID, Response: "counter_notice", CreatedAt: at}
	require.NoError(g.t, g.db.Create(&r).Error)
	g.count(at, string(c.Category), string(c.Service), "counter_notices")
}

// terminate terminates an account's service after a review that trigger
// opened.
func (g *reportGen) terminate(trigger models.Case, kind, service string, at time.Time) {
	g.seq++
	id := fmt.Sprintf("TerminationReview:acct-%d:%s", g.seq, kind)
	require.NoError(g.t, g.db.Create(&models.Review{ID: id, AccountID: "acct", Kind: kind, Status: "closed", TriggerCaseID: trigger.ID,
		CreatedAt: at, UpdatedAt: at}).Error)
	require.NoError(g.t, g.db.Create(&models.Termination{ReviewID: id, AccountID: "acct", Kind: kind, Service: service,
		Reason: "r", CreatedAt: at}).Error)
	g.count(at, string(trigger.Category), service, "terminations")
}

// generate lays out December 2025 to March 2026; the report covers
// January and February.
func (g *reportGen) generate() {
	sec := func(n int) time.Duration { return time.Duration(n) * time.Second }
	// December: forwarded in January (counts there), received outside.
	dec := g.newCase(time.Date(2025, 12, 31, 23, 59, 0, 0, time.UTC), models.CategoryPhishing, models.ServiceCDN, models.OutcomeForwarded, day(1, 1))
	g.forward(dec, day(1, 1), true, "shop.example")

	// January: three phishing CDN cases (first actions after 10, 20, 30 s),
	// one of them on two domains.
	for i, d := range []int{10, 20, 30} {
		c := g.newCase(day(1, 5+i), models.CategoryPhishing, models.ServiceCDN, models.OutcomeForwarded, day(1, 5+i).Add(time.Minute))
		domains := []string{"shop.example"}
		if i == 0 {
			domains = append(domains, "blog.example")
		}
		g.forward(c, day(1, 5+i).Add(sec(d)), true, domains...)
	}
	// A CSAM report on a CDN domain: to the host only.
	cs := g.newCase(day(1, 9), models.CategoryCSAM, models.ServiceCDN, models.OutcomeForwarded, day(1, 9).Add(time.Hour))
	g.entry(cs, "clearinghouse_report", day(1, 9).Add(sec(5)))
	g.forward(cs, day(1, 9).Add(sec(40)), false, "shop.example")
	// Not our customer, twice.
	for i := 0; i < 2; i++ {
		c := g.newCase(day(1, 10+i), models.CategoryMalware, models.ServiceNone, models.OutcomeNotOurCustomer, day(1, 10+i).Add(sec(90)))
		g.notice(c, "reporter-not-ours", day(1, 10+i).Add(sec(60)))
	}
	// Hosted: fraud violates, no answer, removed; fraud no violation.
	h1 := g.newCase(day(1, 12), models.CategoryFraud, models.ServiceHosting, models.OutcomeContentRemovedNoResponse, day(1, 20))
	g.decision(h1, "violates", day(1, 12).Add(time.Hour))
	g.entry(h1, "restriction", day(1, 12).Add(time.Hour+sec(1)))
	g.notice(h1, "operator-violation:pages.example", day(1, 12).Add(time.Hour+sec(2)))
	g.entry(h1, "removal", day(1, 19))
	h2 := g.newCase(day(1, 13), models.CategoryFraud, models.ServiceHosting, models.OutcomeNoViolation, day(1, 14))
	g.decision(h2, "no_violation", day(1, 13).Add(2*time.Hour))
	// Hosted CSAM: disabled at once, then violates, removed.
	h3 := g.newCase(day(1, 14), models.CategoryCSAM, models.ServiceHosting, models.OutcomeContentRemoved, day(1, 15))
	g.entry(h3, "restriction", day(1, 14).Add(sec(3)))
	g.entry(h3, "clearinghouse_report", day(1, 14).Add(sec(4)))
	g.decision(h3, "violates", day(1, 14).Add(time.Hour))
	g.entry(h3, "removal", day(1, 14).Add(time.Hour+sec(1)))
	// Registrar WHOIS received in January, suspended in February.
	w := g.newCase(day(1, 28), models.CategoryRegistrarWhois, models.ServiceRegistrar, models.OutcomeDomainSuspended, day(2, 3))
	g.notice(w, "registrant-whois", day(1, 28).Add(sec(7)))
	g.entry(w, "domain_restriction", day(2, 3))

	// February: copyright hosted, violates; one counter-noticed and restored.
	var cps []models.Case
	for i := 0; i < 2; i++ {
		c := g.newCase(day(2, 2+i), models.CategoryCopyright, models.ServiceHosting, models.OutcomeNone, time.Time{})
		g.decision(c, "violates", day(2, 2+i).Add(time.Duration(i+1)*time.Hour))
		g.entry(c, "restriction", day(2, 2+i).Add(time.Duration(i+1)*time.Hour+sec(1)))
		cps = append(cps, c)
	}
	g.counterNotice(cps[0], day(2, 10))
	g.entry(cps[0], "restoration", day(2, 24))
	// A report nobody acted on yet: received, no median entry.
	g.newCase(day(2, 27), models.CategoryOther, models.ServiceHosting, models.OutcomeNone, time.Time{})
	// Terminations: after the CSAM case (counted as csam), a repeat
	// infringer's hosting and its CDN (legal basis).
	g.terminate(h3, "hosting", "hosting", day(2, 15))
	g.terminate(cps[1], "repeat_infringer", "hosting", day(2, 16))
	g.terminate(cps[1], "repeat_infringer", "cdn", day(2, 17))

	// March: outside the report.
	m := g.newCase(day(3, 2), models.CategoryPhishing, models.ServiceCDN, models.OutcomeForwarded, day(3, 2))
	g.forward(m, day(3, 2), true, "shop.example")
	g.terminate(m, "hosting", "hosting", day(3, 3))

	// Time to first action, in the month and cells of receipt.
	for _, c := range g.cases {
		at, ok := g.first[c.ID]
		if !ok || c.CreatedAt.Before(day(1, 1)) || !c.CreatedAt.Before(day(3, 1)) {
			continue
		}
		mo := c.CreatedAt.Format("2006-01")
		for _, k := range []string{mo + "|total|", mo + "|category|" + string(c.Category), mo + "|service|" + string(c.Service)} {
			g.cell(k)["first_action_cases"]++
			g.waits[k] = append(g.waits[k], at.Sub(c.CreatedAt).Seconds())
		}
	}
}
