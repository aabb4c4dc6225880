package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// The reads of the console's dashboard (issue 15): aggregates over a fixed
// window of days, so each query is bounded by the window, not by the size
// of the tables.

// DayCount is how many cases were created on Day (UTC, "2006-01-02") with
// Key (a channel or a category).
type DayCount struct {
	Day string
	Key string
	N   int64
}

// dayExpr is the SQL of a timestamp column's UTC day as "YYYY-MM-DD".
func dayExpr(db *gorm.DB, col string) string {
	if IsPostgres(db) {
		return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	return "strftime('%Y-%m-%d', " + col + ")"
}

// CasesPerDay counts the cases created since since by UTC day and by the
// column by, which is "source" (the channel) or "category".
func CasesPerDay(ctx context.Context, db *gorm.DB, since time.Time, by string) ([]DayCount, error) {
	if by != "source" && by != "category" {
		panic("store.CasesPerDay: unknown column " + by) // a programming mistake, never input
	}
	var out []DayCount
	err := db.WithContext(ctx).Model(&models.Case{}).
		Select(dayExpr(db, "created_at")+" AS day, "+by+" AS key, COUNT(*) AS n").
		Where("created_at >= ?", since).
		Group("1, 2").Order("1, 2").Scan(&out).Error
	return out, err
}

// MaxActionSamples bounds the cases whose time to first action one
// dashboard read looks at (the newest ones of the window).
const MaxActionSamples = 20000

// FirstAction is a case of the window with when something was first done
// about it: its first notice sent to someone other than the reporter, or
// its first analyst decision (nil: nothing yet).
type FirstAction struct {
	CaseID    string
	CreatedAt time.Time
	FirstAt   *time.Time
}

// FirstActions lists the cases created since since (newest first, at most
// MaxActionSamples) with the time of their first action. The reporter's
// receipt is no action: it goes out at intake, whatever happens next.
func FirstActions(ctx context.Context, db *gorm.DB, since time.Time) ([]FirstAction, error) {
	var cases []models.Case
	if err := db.WithContext(ctx).Select("id", "created_at").Where("created_at >= ?", since).
		Order("created_at DESC").Limit(MaxActionSamples).Find(&cases).Error; err != nil {
		return nil, err
	}
	if len(cases) == 0 {
		return nil, nil
	}
	first := map[string]time.Time{}
	note := func(id string, at time.Time) {
		if v, ok := first[id]; !ok || at.Before(v) {
			first[id] = at
		}
	}
	oldest := cases[len(cases)-1].CreatedAt
	var notices []models.Notice
	if err := db.WithContext(ctx).Model(&models.Notice{}).Select("notices.case_id", "notices.sent_at").
		Joins("JOIN cases ON cases.id = notices.case_id").
		Where("cases.created_at >= ? AND notices.sent_at IS NOT NULL AND notices.recipient_role <> ?", oldest, models.RoleReporter).
		Find(&notices).Error; err != nil {
		return nil, err
	}
	for _, n := range notices {
		note(n.CaseID, *n.SentAt)
	}
	var decisions []models.Decision
	if err := db.WithContext(ctx).Model(&models.Decision{}).Select("decisions.case_id", "decisions.created_at").
		Joins("JOIN cases ON cases.id = decisions.case_id").
		Where("cases.created_at >= ?", oldest).Find(&decisions).Error; err != nil {
		return nil, err
	}
	for _, d := range decisions {
		note(d.CaseID, d.CreatedAt)
	}
	out := make([]FirstAction, len(cases))
	for i, c := range cases {
		out[i] = FirstAction{CaseID: c.ID, CreatedAt: c.CreatedAt}
		if at, ok := first[c.ID]; ok {
			out[i].FirstAt = &at
		}
	}
	return out, nil
}

// DeadlineCases lists the open cases whose next deadline is before until
// (overdue ones included), soonest first, at most limit.
func DeadlineCases(ctx context.Context, db *gorm.DB, until time.Time, limit int) ([]models.Case, error) {
	var out []models.Case
	err := db.WithContext(ctx).Select("id", "category", "status", "domain", "priority", "next_deadline", "created_at").
		Where(OpenCases).Where("next_deadline IS NOT NULL AND next_deadline < ?", until).
		Order("next_deadline, id").Limit(limit).Find(&out).Error
	return out, err
}

// CountDeadlinesBefore counts the open cases whose next deadline is before
// each of the times in until (overdue ones included).
func CountDeadlinesBefore(ctx context.Context, db *gorm.DB, until []time.Time) ([]int64, error) {
	out := make([]int64, len(until))
	for i, u := range until {
		if err := db.WithContext(ctx).Model(&models.Case{}).Where(OpenCases).
			Where("next_deadline IS NOT NULL AND next_deadline < ?", u).Count(&out[i]).Error; err != nil {
			return nil, err
		}
	}
	return out, nil
}
