package models

import "time"

// NoticeSuppressed is the state of a mail to a reporter that was not sent
// because its address had already had reporter_mail_per_hour mails in the
// last hour (a flood of reports naming one address). It stays in the
// outbox, and on the reporter's status page.
const NoticeSuppressed NoticeStatus = "suppressed"

// MailAdmission records the decision to send or suppress one limited mail
// (a notice to a reporter, or an email intake reply), so that a retried
// activity keeps the first decision and is counted once. The address is
// kept only as a SHA-256 digest (no personal data in the limits).
type MailAdmission struct {
	// MailID is the notice id, or a reply's own id.
	MailID        string    `gorm:"primaryKey"`
	RecipientHash string    `gorm:"index:idx_mail_admission_rcpt,priority:1;not null"`
	At            time.Time `gorm:"index:idx_mail_admission_rcpt,priority:2;not null"`
	Suppressed    bool      `gorm:"not null"`
}

// MailRecipient is one row per limited address digest. Deciding takes
// this row's lock first, so that two processes admitting mails to one
// address count one after the other.
type MailRecipient struct {
	RecipientHash string    `gorm:"primaryKey"`
	LastAt        time.Time `gorm:"not null"`
}
