package models

import "time"

// NoticeDeliveryState is what became of a notice after it left the desk (issue
// 20): queued (in the outbox, not yet handed to the relay), sent (the relay
// took it), bounced (a delivery status notification said it failed) or
// redirected (it bounced and the same notice went to another address).
type NoticeDeliveryState string

// Delivery states of a notice.
const (
	NoticeQueued     NoticeDeliveryState = "queued"
	NoticeDelivered  NoticeDeliveryState = "sent"
	NoticeBounced    NoticeDeliveryState = "bounced"
	NoticeRedirected NoticeDeliveryState = "redirected"
	// NoticeHeldBack: a mail to a reporter held back by
	// reporter_mail_per_hour; it is never sent.
	NoticeHeldBack NoticeDeliveryState = "suppressed"
)

// NoticeDelivery records a notice that bounced, and where it went instead.
// A notice without a row is queued or sent, as its Status says.
type NoticeDelivery struct {
	NoticeID     string `gorm:"primaryKey"`
	CaseID       string `gorm:"index"`
	State        NoticeDeliveryState
	BounceReason string     // the DSN's Status and Diagnostic-Code
	BouncedAt    *time.Time // when the DSN arrived
	RedirectedTo string     // the new notice's id, when redirected
	UpdatedAt    time.Time
}

// CaseFlag is something about a case the analyst must see: a notice that
// bounced with nowhere else to go, or a reporter whose receipt bounced.
type CaseFlag struct {
	CaseID    string       `gorm:"primaryKey"`
	Kind      CaseFlagKind `gorm:"primaryKey"`
	Reason    string
	NoticeID  string
	CreatedAt time.Time
}

// CaseFlagKind names a case flag.
type CaseFlagKind string

// Case flags.
const (
	FlagNeedsAttention      CaseFlagKind = "needs_attention"
	FlagReporterUnreachable CaseFlagKind = "reporter_unreachable"
)

// DeliveryStateOf is the delivery state of notice n, given its delivery
// row (nil when none).
func DeliveryStateOf(n Notice, d *NoticeDelivery) NoticeDeliveryState {
	switch {
	case d != nil && d.State != "":
		return d.State
	case n.Status == NoticeSent:
		return NoticeDelivered
	case n.Status == NoticeSuppressed:
		return NoticeHeldBack
	}
	return NoticeQueued
}
