package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/models"
)

// MailLimit caps the mails one address gets from the desk's answers to
// whoever files a report: the notices to reporters (receipts, replies,
// questions) and the email intake's problem replies. Anyone can name any
// address as the reporter of a report, so without a cap the desk could be
// made to flood a stranger. Notices to operators, registrants, hosting
// providers and complainants are never limited: the process requires them.
//
// The counts are kept in the database (models.MailAdmission), so the cap
// holds over every worker and server process. A window is the last hour
// before the decision, not a clock hour.
type MailLimit struct {
	DB *gorm.DB
	// PerHour is the most mails one address gets in any hour; 0 is no
	// limit.
	PerHour int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// admissionKeep is how long decisions are kept: far longer than the hour
// they count for, so that an activity retried hours later still finds its
// first decision.
const admissionKeep = 7 * 24 * time.Hour

// mailsSuppressed counts the mails the limit held back.
var mailsSuppressed = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "abusedesk_mails_suppressed_total",
	Help: "Mails to reporters and email intake replies not sent because their address had reached reporter_mail_per_hour, by kind.",
}, []string{"kind"})

// RegisterMetrics registers the activities' metrics on reg (the
// composition root calls it once; again is no error).
func RegisterMetrics(reg prometheus.Registerer) error {
	var already prometheus.AlreadyRegisteredError
	if err := reg.Register(mailsSuppressed); err != nil && !errors.As(err, &already) {
		return err
	}
	return nil
}

// Admit decides, once per mailID, whether the mail to address may go out:
// false when address has had PerHour mails admitted in the last hour. The
// first decision is stored, so asking again for the same mailID (a retried
// activity) returns it without counting the mail twice.
func (l *MailLimit) Admit(ctx context.Context, mailID, address string) (bool, error) {
	addr := strings.ToLower(strings.TrimSpace(address))
	if l == nil || l.PerHour <= 0 || addr == "" {
		return true, nil
	}
	sum := sha256.Sum256([]byte(addr))
	rcpt := hex.EncodeToString(sum[:])
	now := time.Now().UTC()
	if l.Now != nil {
		now = l.Now().UTC()
	}
	send := true
	err := l.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var prior models.MailAdmission
		err := tx.Where("mail_id = ?", mailID).Take(&prior).Error
		if err == nil {
			send = !prior.Suppressed
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		// Lock the address's row: on PostgreSQL a second process deciding
		// for the same address waits here until this one commits (SQLite
		// transactions take the write lock at BEGIN).
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "recipient_hash"}},
			DoUpdates: clause.Assignments(map[string]any{"last_at": now})}).
			Create(&models.MailRecipient{RecipientHash: rcpt, LastAt: now}).Error; err != nil {
			return err
		}
		var sent int64
		if err := tx.Model(&models.MailAdmission{}).Where("recipient_hash = ? AND at > ? AND suppressed = ?", rcpt, now.Add(-time.Hour), false).
			Count(&sent).Error; err != nil {
			return err
		}
		send = sent < int64(l.PerHour)
		if err := tx.Where("recipient_hash = ? AND at < ?", rcpt, now.Add(-admissionKeep)).Delete(&models.MailAdmission{}).Error; err != nil {
			return err
		}
		return tx.Create(&models.MailAdmission{MailID: mailID, RecipientHash: rcpt, At: now, Suppressed: !send}).Error
	})
	if err != nil {
		return false, err
	}
	return send, nil
}

// AdmitReply decides whether one email intake reply to address may go
// out, counting it against the same cap as the notices to reporters.
// Replies are not retried as activities are, so each call is a new mail.
func (l *MailLimit) AdmitReply(ctx context.Context, address string) (bool, error) {
	id, err := randomID("reply_")
	if err != nil {
		return false, err
	}
	send, err := l.Admit(ctx, id, address)
	if err == nil && !send {
		mailsSuppressed.WithLabelValues("intake_reply").Inc()
	}
	return send, err
}

// admitMail decides whether a stored notice is delivered. A notice to a
// reporter over the address's cap is marked suppressed instead: it stays
// in the outbox (and on the reporter's status page) and the activity
// succeeds, so the workflow goes on exactly as if it had been sent.
func (a *Activities) admitMail(ctx context.Context, n models.Notice) (bool, error) {
	if n.Status == models.NoticeSuppressed {
		return false, nil
	}
	if n.RecipientRole != models.RoleReporter {
		return true, nil
	}
	send, err := a.MailLimit.Admit(ctx, n.ID, n.To)
	if err != nil || send {
		return send, err
	}
	res := a.DB.WithContext(ctx).Model(&models.Notice{}).Where("id = ? AND status = ?", n.ID, models.NoticeOutbox).
		Update("status", models.NoticeSuppressed)
	if res.Error != nil {
		return false, res.Error
	}
	if res.RowsAffected == 1 {
		mailsSuppressed.WithLabelValues("notice").Inc()
	}
	return false, nil
}
