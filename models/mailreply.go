package models

import "time"

// Suggested answers of a reply by mail (issue 20): what the reply's text
// reads like, offered to the analyst and never applied without one.
const (
	// SuggestRemoved: the reply says the content was removed.
	SuggestRemoved = "removed"
	// SuggestCounterNotice: the reply reads like a DMCA counter-notice.
	SuggestCounterNotice = "counter_notice"
)

// MailReply is a reply to a notice that arrived by mail and was attached to
// the notice's case (mailintake.ReplyHandler). Its sender, subject and text
// are personal data: the purge erases them with the case's.
type MailReply struct {
	ID       uint   `gorm:"primaryKey"`
	NoticeID string `gorm:"index;not null;size:64"`
	CaseID   string `gorm:"index;not null;size:64"`
	// DedupKey is the SHA-256 (hex) of the notice id and the mail's
	// deduplication key: a mail delivered twice is attached once.
	DedupKey string `gorm:"uniqueIndex;not null;size:64"`
	FromAddr string `gorm:"size:320"`
	// Authenticated: the sender's domain passed DMARC.
	Authenticated bool `gorm:"not null;default:false"`
	Subject       string
	Text          string
	// SuggestedAnswer is "", SuggestRemoved or SuggestCounterNotice.
	SuggestedAnswer string    `gorm:"size:32"`
	ReceivedAt      time.Time `gorm:"not null"`
	// AcceptedBy and AcceptedAt record the analyst who recorded the
	// suggested answer as the operator's.
	AcceptedBy string `gorm:"size:200"`
	AcceptedAt *time.Time
}

// TableName is the table of replies by mail.
func (MailReply) TableName() string { return "mail_replies" }
