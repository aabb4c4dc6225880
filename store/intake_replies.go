package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// IntakeReply is one reply the email intake sends (or would send) to a
// mail's sender: a refusal, a partial acceptance, an answer about IP
// addresses or a duplicate's pointer to its earlier case. Every such reply
// is kept, whether or not a relay (smtp_addr) is configured, so that an
// analyst can see what a sender was told, or would have been told: a
// reply that was not sent carries the reason (Error) and no SentAt.
type IntakeReply struct {
	ID uint `gorm:"primaryKey" json:"id"`
	// To is the authenticated sender's envelope address: only replies that
	// may go out are kept (never an unauthenticated sender's address).
	To      string `gorm:"not null" json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	// CaseID is the case the reply names (partial acceptance, duplicate).
	CaseID string `gorm:"index" json:"case_id,omitempty"`
	// Kind is what the reply answers: IntakeReplyRefusal, ...Partial,
	// ...Duplicate or ...IPReport.
	Kind      string     `gorm:"not null" json:"kind"`
	CreatedAt time.Time  `gorm:"not null;index" json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	// Error says why the reply was not sent (no smtp_addr, the address's
	// hourly limit, the relay's refusal); empty once sent.
	Error string `json:"error,omitempty"`
}

// TableName keeps the table's name independent of the type's.
func (IntakeReply) TableName() string { return "intake_replies" }

// Kinds of intake replies.
const (
	IntakeReplyRefusal   = "refusal"
	IntakeReplyPartial   = "partial"
	IntakeReplyDuplicate = "duplicate"
	IntakeReplyIPReport  = "ip_report"
)

// Statuses a read of the intake replies may select.
const (
	IntakeReplySent    = "sent"
	IntakeReplyNotSent = "not_sent"
)

// MaxIntakeRepliesPage bounds one read of the intake replies.
const MaxIntakeRepliesPage = 1000

// SaveIntakeReply keeps a reply before it is sent (r.ID is set).
func SaveIntakeReply(ctx context.Context, db *gorm.DB, r *IntakeReply) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now().UTC()
	}
	return db.WithContext(ctx).Create(r).Error
}

// MarkIntakeReply records the outcome of sending a kept reply: sent at
// sentAt (nil: not sent) with errText as the reason it was not.
func MarkIntakeReply(ctx context.Context, db *gorm.DB, id uint, sentAt *time.Time, errText string) error {
	return db.WithContext(ctx).Model(&IntakeReply{}).Where("id = ?", id).
		Updates(map[string]any{"sent_at": sentAt, "error": errText}).Error
}

// IntakeReplies lists kept replies newest first, at most limit (bounded
// by MaxIntakeRepliesPage), optionally only sent or not sent ones and
// only of one case.
func IntakeReplies(ctx context.Context, db *gorm.DB, status, caseID string, limit int) ([]IntakeReply, error) {
	if limit < 1 || limit > MaxIntakeRepliesPage {
		limit = MaxIntakeRepliesPage
	}
	q := db.WithContext(ctx).Order("created_at DESC, id DESC").Limit(limit)
	switch status {
	case IntakeReplySent:
		q = q.Where("sent_at IS NOT NULL")
	case IntakeReplyNotSent:
		q = q.Where("sent_at IS NULL")
	}
	if caseID != "" {
		q = q.Where("case_id = ?", caseID)
	}
	var out []IntakeReply
	return out, q.Find(&out).Error
}
