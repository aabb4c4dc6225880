package desk

import (
	"context"
	"time"

	"github.com/abusedesk/abusedesk/store"
)

// MaxIntakeRepliesPage bounds one read of the email intake's replies.
const MaxIntakeRepliesPage = store.MaxIntakeRepliesPage

// IntakeReplyView is one reply of the email intake as analysts see it
// (issue 14, "No silence"): what a sender was told, or would have been
// told, and whether it went out. Error says why it was not sent.
type IntakeReplyView struct {
	ID        uint       `json:"id"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	CaseID    string     `json:"case_id,omitempty"`
	Kind      string     `json:"kind"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	Error     string     `json:"error,omitempty"`
}

// IntakeReplies lists the email intake's kept replies newest first:
// status "sent", "not_sent" or "" (all), optionally of one case.
func (d *Desk) IntakeReplies(ctx context.Context, status, caseID string, limit int) ([]IntakeReplyView, error) {
	if limit < 1 || limit > MaxIntakeRepliesPage {
		return nil, BadRequest("limit", "must be a number from 1 to %d", MaxIntakeRepliesPage)
	}
	switch status {
	case "", store.IntakeReplySent, store.IntakeReplyNotSent:
	default:
		return nil, BadRequest("status", "must be %s or %s", store.IntakeReplySent, store.IntakeReplyNotSent)
	}
	rows, err := store.IntakeReplies(ctx, d.DB, status, caseID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]IntakeReplyView, 0, len(rows))
	for _, r := range rows {
		out = append(out, IntakeReplyView{ID: r.ID, To: r.To, Subject: r.Subject, Body: r.Body, CaseID: r.CaseID,
			Kind: r.Kind, CreatedAt: r.CreatedAt, SentAt: r.SentAt, Error: r.Error})
	}
	return out, nil
}
