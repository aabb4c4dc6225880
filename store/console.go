package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// The console's queries at volume (issue 15): who claimed which case, and
// the counts at the top of the queue.

// AssigneeNone in CaseFilter.Assignee selects the cases nobody claimed.
const AssigneeNone = "\x00none"

// whereAssignee adds CaseFilter.Assignee's condition to a case query.
func whereAssignee(q *gorm.DB, assignee string) *gorm.DB {
	switch assignee {
	case "":
		return q
	case AssigneeNone:
		return q.Where("(assignee IS NULL OR assignee = '')")
	default:
		return q.Where("assignee = ?", assignee)
	}
}

// Assignment is who claimed a case, and when; Assignee is "" when nobody
// did.
type Assignment struct {
	CaseID     string     `gorm:"column:id"`
	Assignee   string     `gorm:"column:assignee"`
	AssignedAt *time.Time `gorm:"column:assigned_at"`
}

// HeldError is a claim or release refused because another analyst holds
// the case.
type HeldError struct{ Holder string }

func (e *HeldError) Error() string { return fmt.Sprintf("case is claimed by %s", e.Holder) }

// Assignments reads who claimed each of the cases ids (a bounded page of
// the queue); cases nobody claimed are absent.
func Assignments(ctx context.Context, db *gorm.DB, ids []string) (map[string]Assignment, error) {
	out := map[string]Assignment{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Assignment
	err := db.WithContext(ctx).Table("cases").Select("id, COALESCE(assignee, '') AS assignee, assigned_at").
		Where("id IN ? AND assignee IS NOT NULL AND assignee <> ''", ids).Scan(&rows).Error
	for _, r := range rows {
		out[r.CaseID] = r
	}
	return out, err
}

// SetAssignee claims caseID for analyst (or, with analyst "", releases
// it) in one transaction with journal's audit entry, which gets the
// previous assignee. Another analyst's claim is a *HeldError unless force;
// a case that does not exist is gorm.ErrRecordNotFound. The update is
// conditional on the assignee read, so two claims racing cannot both win.
func SetAssignee(ctx context.Context, db *gorm.DB, caseID, analyst, actor string, force bool,
	journal func(tx *gorm.DB, previous string) error) (Assignment, error) {
	var out Assignment
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur Assignment
		res := tx.Table("cases").Select("id, COALESCE(assignee, '') AS assignee, assigned_at").Where("id = ?", caseID).Limit(1).Scan(&cur)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		if cur.Assignee != "" && cur.Assignee != actor && !force {
			return &HeldError{Holder: cur.Assignee}
		}
		out = Assignment{CaseID: caseID, Assignee: analyst}
		vals := map[string]any{"assignee": nil, "assigned_at": nil}
		if analyst != "" {
			now := time.Now().UTC()
			out.AssignedAt = &now
			vals = map[string]any{"assignee": analyst, "assigned_at": now}
		}
		q := tx.Table("cases").Where("id = ?", caseID)
		if cur.Assignee == "" {
			q = q.Where("(assignee IS NULL OR assignee = '')")
		} else {
			q = q.Where("assignee = ?", cur.Assignee)
		}
		upd := q.Updates(vals)
		if upd.Error != nil {
			return upd.Error
		}
		if upd.RowsAffected == 0 {
			return &HeldError{Holder: "another analyst (claimed meanwhile)"}
		}
		return journal(tx, cur.Assignee)
	})
	return out, err
}

// StatusCount is how many cases are in one status and the oldest one's
// creation time.
type StatusCount struct {
	Status models.Status
	Count  int64
	Oldest time.Time
}

// StatusCounts counts cases per status with each status's oldest case, in
// one query whose answer is bounded by the number of statuses.
func StatusCounts(ctx context.Context, db *gorm.DB) ([]StatusCount, error) {
	rows, err := db.WithContext(ctx).Raw("SELECT status, COUNT(*), MIN(created_at) FROM cases GROUP BY status ORDER BY status").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StatusCount
	for rows.Next() {
		var sc StatusCount
		var oldest any
		if err := rows.Scan(&sc.Status, &sc.Count, &oldest); err != nil {
			return nil, err
		}
		if sc.Oldest, err = aggregateTime(oldest); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// aggregateTime reads MIN(created_at): PostgreSQL answers a time, SQLite
// the stored text (an aggregate loses the column's declared type).
func aggregateTime(v any) (time.Time, error) {
	var s string
	switch t := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return t.UTC(), nil
	case string:
		s = t
	case []byte:
		s = string(t)
	default:
		return time.Time{}, fmt.Errorf("created_at: unexpected %T", v)
	}
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("created_at: unreadable time " + s)
}
