package statements

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// PageSize is the most statements one page of GET /v1/statements holds:
// the Transparency Database takes 1 to 100 statements per call, so a page
// can be submitted as it is.
const PageSize = 100

// Item is one statement as GET /v1/statements serves it: the statement in
// the Transparency Database's shape, then abusedesk's own fields (the
// database ignores fields it does not know).
type Item struct {
	SOR
	CaseID       string     `json:"case_id"`
	SubmitStatus string     `json:"submit_status"`
	RemoteID     string     `json:"remote_id,omitempty"`
	SubmitError  string     `json:"submit_error,omitempty"`
	SubmittedAt  *time.Time `json:"submitted_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

// List returns page (1-based) of the statements created in [from, to), in
// the order they were made, and whether a further page exists. A zero from
// or to leaves that side open.
func List(ctx context.Context, db *gorm.DB, from, to time.Time, page int) ([]Item, bool, error) {
	if page < 1 {
		page = 1
	}
	q := db.WithContext(ctx).Model(&Statement{})
	if !from.IsZero() {
		q = q.Where("created_at >= ?", from.UTC())
	}
	if !to.IsZero() {
		q = q.Where("created_at < ?", to.UTC())
	}
	var rows []Statement
	if err := q.Order("id").Offset((page - 1) * PageSize).Limit(PageSize + 1).Find(&rows).Error; err != nil {
		return nil, false, fmt.Errorf("statements: list: %w", err)
	}
	more := len(rows) > PageSize
	if more {
		rows = rows[:PageSize]
	}
	out := make([]Item, 0, len(rows))
	for _, r := range rows {
		it, err := r.Item()
		if err != nil {
			return nil, false, err
		}
		out = append(out, it)
	}
	return out, more, nil
}

// Item decodes a stored statement for serving.
func (st Statement) Item() (Item, error) {
	it := Item{CaseID: st.CaseID, SubmitStatus: st.SubmitStatus, RemoteID: st.RemoteID, SubmitError: st.SubmitError,
		SubmittedAt: st.SubmittedAt, CreatedAt: st.CreatedAt}
	if err := json.Unmarshal([]byte(st.Body), &it.SOR); err != nil {
		return it, fmt.Errorf("statements: stored body of %s: %w", st.PUID, err)
	}
	return it, nil
}
