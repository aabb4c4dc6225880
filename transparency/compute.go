package transparency

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// counted is one figure counted by SQL: events in a table joined to their
// case ("c"), in the month of at.
type counted struct {
	get   func(*Counts) *int64
	from  string // FROM clause; the case is "c"
	at    string // the event's time column
	count string // COUNT argument
	where string // extra condition with one ? (empty: none)
	arg   any
}

// figures are the counted figures. Forwards count cases (one case
// forwarded to several domains counts once); restrictions count hosted
// objects, from the audit log, which keeps every disable, removal and
// restoration even after a block is lifted.
var figures = []counted{
	{func(c *Counts) *int64 { return &c.ReportsReceived }, "cases c", "c.created_at", "*", "", nil},
	{func(c *Counts) *int64 { return &c.ForwardedToOperators }, "notices n JOIN cases c ON c.id = n.case_id", "n.created_at", "DISTINCT n.case_id", "n.step LIKE ?", "operator-forward:%"},
	{func(c *Counts) *int64 { return &c.ForwardedToHosts }, "notices n JOIN cases c ON c.id = n.case_id", "n.created_at", "DISTINCT n.case_id", "n.step LIKE ?", "host-forward:%"},
	{func(c *Counts) *int64 { return &c.NotOurCustomer }, "cases c", "c.closed_at", "*", "c.outcome = ?", string(models.OutcomeNotOurCustomer)},
	{func(c *Counts) *int64 { return &c.DecisionsViolates }, "decisions d JOIN cases c ON c.id = d.case_id", "d.created_at", "*", "d.verdict = ?", "violates"},
	{func(c *Counts) *int64 { return &c.DecisionsNoViolation }, "decisions d JOIN cases c ON c.id = d.case_id", "d.created_at", "*", "d.verdict = ?", "no_violation"},
	{func(c *Counts) *int64 { return &c.ContentDisabled }, "audit_entries e JOIN cases c ON c.id = e.case_id", `e."time"`, "*", "e.kind = ?", "restriction"},
	{func(c *Counts) *int64 { return &c.ContentRemoved }, "audit_entries e JOIN cases c ON c.id = e.case_id", `e."time"`, "*", "e.kind = ?", "removal"},
	{func(c *Counts) *int64 { return &c.ContentRestored }, "audit_entries e JOIN cases c ON c.id = e.case_id", `e."time"`, "*", "e.kind = ?", "restoration"},
	{func(c *Counts) *int64 { return &c.RemovedByOperator }, "operator_replies o JOIN cases c ON c.id = o.case_id", "o.created_at", "*", "o.response = ?", "removed"},
	{func(c *Counts) *int64 { return &c.CounterNotices }, "operator_replies o JOIN cases c ON c.id = o.case_id", "o.created_at", "*", "o.response = ?", "counter_notice"},
	{func(c *Counts) *int64 { return &c.DomainsSuspended }, "cases c", "c.closed_at", "*", "c.outcome = ?", string(models.OutcomeDomainSuspended)},
}

// firstActionKinds are the audit kinds that are an action on a report
// besides notices and decisions.
var firstActionKinds = []string{"restriction", "removal", "domain_restriction", "clearinghouse_report"}

// Compute builds the report of [from, to) from db.
func Compute(ctx context.Context, db *gorm.DB, from, to time.Time) (*Report, error) {
	r, err := newReport(from, to)
	if err != nil {
		return nil, err
	}
	q := &query{db: db.WithContext(ctx), r: r}
	for _, f := range figures {
		if err := q.count(f); err != nil {
			return nil, err
		}
	}
	if err := q.terminations(); err != nil {
		return nil, err
	}
	if err := q.firstActions(); err != nil {
		return nil, err
	}
	if err := q.orders(); err != nil {
		return nil, err
	}
	r.finish()
	return r, nil
}

type query struct {
	db *gorm.DB
	r  *Report
}

// month is the SQL of the UTC calendar month (YYYY-MM) of a time column.
func (q *query) month(col string) string {
	if q.db.Dialector.Name() == "postgres" {
		return fmt.Sprintf("to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM')", col)
	}
	return fmt.Sprintf("strftime('%%Y-%%m', %s)", col)
}

// cellRow is one grouped row.
type cellRow struct {
	Month, Category, Service, Kind string
	N                              int64
}

func (q *query) count(f counted) error {
	args := []any{q.r.from, q.r.to}
	where := ""
	if f.where != "" {
		where = " AND " + f.where
		args = append(args, f.arg)
	}
	sql := fmt.Sprintf(`SELECT %s AS month, COALESCE(c.category, '') AS category, COALESCE(c.service, '') AS service, COUNT(%s) AS n
FROM %s WHERE %s >= ? AND %s < ?%s GROUP BY 1, 2, 3`, q.month(f.at), f.count, f.from, f.at, f.at, where)
	var rows []cellRow
	if err := q.db.Raw(sql, args...).Scan(&rows).Error; err != nil {
		return fmt.Errorf("transparency: %s: %w", f.from, err)
	}
	for _, row := range rows {
		q.r.add(f.get, row.Month, row.Category, row.Service, row.N)
	}
	return nil
}

// terminations counts terminations by the terminated service and reason;
// the category is that of the case whose strike opened the review.
func (q *query) terminations() error {
	sql := fmt.Sprintf(`SELECT %s AS month, COALESCE(c.category, '') AS category, COALESCE(t.service, '') AS service,
COALESCE(t.kind, '') AS kind, COUNT(*) AS n
FROM terminations t LEFT JOIN reviews r ON r.id = t.review_id LEFT JOIN cases c ON c.id = r.trigger_case_id
WHERE t.created_at >= ? AND t.created_at < ? GROUP BY 1, 2, 3, 4`, q.month("t.created_at"))
	var rows []cellRow
	if err := q.db.Raw(sql, q.r.from, q.r.to).Scan(&rows).Error; err != nil {
		return fmt.Errorf("transparency: terminations: %w", err)
	}
	for _, row := range rows {
		reason := row.Kind
		switch {
		case row.Category == string(models.CategoryCSAM):
			reason = ReasonCSAM
		case reason == "":
			reason = ReasonHosting
		}
		q.r.add(func(c *Counts) *int64 { return &c.Terminations }, row.Month, row.Category, row.Service, row.N)
		q.r.addTermination(row.Month, row.Service, reason, row.N)
	}
	return nil
}

// received is a case received in the period.
type received struct {
	ID        string
	Category  string
	Service   string
	CreatedAt time.Time
}

// event is one action's time on a case.
type event struct {
	CaseID string
	At     time.Time
}

// firstActions measures, for every report received in the period, the
// time to its first action: the first notice other than the receipt, the
// first decision, or the first restriction or clearinghouse report,
// whichever came first. Reports not acted on yet are left out.
func (q *query) firstActions() error {
	var cases []received
	if err := q.db.Raw(`SELECT id, COALESCE(category, '') AS category, COALESCE(service, '') AS service, created_at
FROM cases WHERE created_at >= ? AND created_at < ?`, q.r.from, q.r.to).Scan(&cases).Error; err != nil {
		return fmt.Errorf("transparency: cases: %w", err)
	}
	if len(cases) == 0 {
		return nil
	}
	inPeriod := "c.created_at >= ? AND c.created_at < ?"
	first := map[string]time.Time{}
	for _, src := range []struct {
		sql  string
		args []any
	}{
		{`SELECT n.case_id AS case_id, n.created_at AS at FROM notices n JOIN cases c ON c.id = n.case_id WHERE ` + inPeriod + ` AND n.step <> ?`,
			[]any{"reporter-receipt"}},
		{`SELECT d.case_id AS case_id, d.created_at AS at FROM decisions d JOIN cases c ON c.id = d.case_id WHERE ` + inPeriod, nil},
		{`SELECT e.case_id AS case_id, e."time" AS at FROM audit_entries e JOIN cases c ON c.id = e.case_id WHERE ` + inPeriod + ` AND e.kind IN ?`,
			[]any{firstActionKinds}},
	} {
		var evs []event
		if err := q.db.Raw(src.sql, append([]any{q.r.from, q.r.to}, src.args...)...).Scan(&evs).Error; err != nil {
			return fmt.Errorf("transparency: first actions: %w", err)
		}
		for _, e := range evs {
			if t, ok := first[e.CaseID]; !ok || e.At.Before(t) {
				first[e.CaseID] = e.At
			}
		}
	}
	for _, c := range cases {
		t, ok := first[c.ID]
		if !ok {
			continue
		}
		q.r.wait(c.CreatedAt.UTC().Format("2006-01"), c.Category, c.Service, max(0, t.Sub(c.CreatedAt)))
	}
	return nil
}

// Period parses a report's from and to: dates (YYYY-MM-DD) or months
// (YYYY-MM), both inclusive, as [from, to). Empty from is twelve months
// before to; empty to is the end of the current month.
func Period(fromS, toS string, now time.Time) (from, to time.Time, err error) {
	now = now.UTC()
	to = monthStart(now).AddDate(0, 1, 0)
	if s := strings.TrimSpace(toS); s != "" {
		if to, err = parseEnd(s); err != nil {
			return from, to, fmt.Errorf("to: %w", err)
		}
	}
	from = monthStart(to.Add(-time.Nanosecond)).AddDate(0, -11, 0)
	if s := strings.TrimSpace(fromS); s != "" {
		if from, err = parseStart(s); err != nil {
			return from, to, fmt.Errorf("from: %w", err)
		}
	}
	if !to.After(from) {
		return from, to, fmt.Errorf("to: %s is before from", toS)
	}
	if n := months(from, to); n > MaxMonths {
		return from, to, fmt.Errorf("to: the period spans %d months; a report covers at most %d (MaxMonths)", n, MaxMonths)
	}
	return from, to, nil
}

// months is how many calendar months [from, to) overlaps (to after from).
func months(from, to time.Time) int {
	last := to.Add(-time.Nanosecond)
	return (last.Year()-from.Year())*12 + int(last.Month()) - int(from.Month()) + 1
}

func parseStart(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01", s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, fmt.Errorf("%q is not a date YYYY-MM-DD or a month YYYY-MM", s)
	}
	return t, nil
}

func parseEnd(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01", s); err == nil {
		return t.AddDate(0, 1, 0), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, fmt.Errorf("%q is not a date YYYY-MM-DD or a month YYYY-MM", s)
	}
	return t.AddDate(0, 0, 1), nil
}
