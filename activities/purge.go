package activities

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/models"
)

// ErasedText replaces erased free text (descriptions, notice bodies,
// reporter answers), so a reader sees why the text is gone.
const ErasedText = "[erased: the retention period for personal data ended]"

// DefaultPurgeBatch is how many cases one ErasePersonalData call erases when
// PurgeInput.Limit is zero: one transaction stays short on SQLite's single
// connection.
const DefaultPurgeBatch = 100

// EvidenceTable is the table of raw report messages (intake.Evidence). The
// purge nulls its raw column; it is named here because intake imports this
// package, not the other way round.
const EvidenceTable = "evidence"

// personalRoles are the notice recipients whose address is personal data;
// a hosting provider's or clearinghouse's abuse address is a role address
// and stays.
var personalRoles = []models.RecipientRole{models.RoleReporter, models.RoleComplainant, models.RoleOperator, models.RoleRegistrant}

// PurgeInput asks for one batch of erasures.
type PurgeInput struct {
	// ClosedBefore: cases closed before this instant lose their personal
	// data. The workflow computes it from its clock and purge_after; a test
	// moves the clock by passing a later instant.
	ClosedBefore time.Time
	// Limit is the most cases this call erases (0: DefaultPurgeBatch).
	Limit int
}

// PurgeResult counts what was erased: rows changed per table, so a repeated
// run that finds nothing reports zeros.
type PurgeResult struct {
	Cases           int
	Notices         int
	OperatorReplies int
	ReporterReplies int
	Evidence        int
	// MailReplies counts replies to notices by mail whose sender, subject
	// and text were erased.
	MailReplies int
	// IntakeReplies counts the email intake's replies (to a report's
	// sender) erased: those naming a purged case, and those naming no case
	// (refusals) created before the cutoff.
	IntakeReplies int
	// Held is the number of cases past the cutoff kept because of a legal
	// hold, when the batch ran (a gauge, not a sum).
	Held int
	// More says another batch may have cases to erase.
	More bool
}

// Add sums the erasure counts of r into p (Held and More are taken from r).
func (p *PurgeResult) Add(r PurgeResult) {
	p.Cases += r.Cases
	p.Notices += r.Notices
	p.OperatorReplies += r.OperatorReplies
	p.ReporterReplies += r.ReporterReplies
	p.Evidence += r.Evidence
	p.MailReplies += r.MailReplies
	p.IntakeReplies += r.IntakeReplies
	p.Held, p.More = r.Held, r.More
}

// PersonalDataErasure records that a case's personal data was erased, so
// the purge never visits a case twice and an auditor can see when it
// happened. The case row, its outcome, URLs, decisions, strikes and the
// audit log stay.
type PersonalDataErasure struct {
	CaseID       string    `gorm:"primaryKey"`
	ErasedAt     time.Time `gorm:"not null"`
	ClosedBefore time.Time `gorm:"not null"`
}

// TableName keeps the table name stable whatever GORM's naming strategy.
func (PersonalDataErasure) TableName() string { return "personal_data_erasures" }

// MigratePurge creates the erasure table (for store.Extra).
func MigratePurge(db *gorm.DB) error {
	if err := db.AutoMigrate(&PersonalDataErasure{}); err != nil {
		return fmt.Errorf("purge: migrate: %w", err)
	}
	return nil
}

// ErasePersonalData erases the personal data of up to Limit closed cases
// whose close is before ClosedBefore and which are not under a legal hold:
// the reporter's contact, the description and the copyright signature on
// the case; the bodies of its notices and the addresses of its personal
// recipients; operator replies' contact details, signature and statement;
// reporter answers; replies to notices by mail (sender, subject, text);
// raw evidence. Each erased case gets an erasure record
// and an audit entry in the same transaction, so a retried or repeated call
// erases nothing twice and reports zeros.
func (a *Activities) ErasePersonalData(ctx context.Context, in PurgeInput) (PurgeResult, error) {
	limit := in.Limit
	if limit <= 0 {
		limit = DefaultPurgeBatch
	}
	cutoff := in.ClosedBefore.UTC()
	var res PurgeResult
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&models.Case{}).
			Where("status = ? AND closed_at IS NOT NULL AND closed_at < ? AND legal_hold = ?", models.StatusClosed, cutoff, false).
			Where("id NOT IN (?)", tx.Model(&PersonalDataErasure{}).Select("case_id")).
			Where("id NOT IN (?)", preservedCases(tx, a.now())).
			Order("closed_at").Order("id").Limit(limit + 1)
		if tx.Dialector.Name() == "postgres" {
			// A legal hold set while the batch runs waits for it.
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var ids []string
		if err := q.Pluck("id", &ids).Error; err != nil {
			return err
		}
		var held int64
		if err := tx.Model(&models.Case{}).
			Where("status = ? AND closed_at < ? AND legal_hold = ?", models.StatusClosed, cutoff, true).
			Count(&held).Error; err != nil {
			return err
		}
		res.Held = int(held)
		if len(ids) > limit {
			ids, res.More = ids[:limit], true
		}
		// Replies to mails that made no case have no case to wait for:
		// they go at the same age as a closed case's data.
		if tx.Migrator().HasTable(intakeRepliesTable) {
			r := tx.Exec("DELETE FROM "+intakeRepliesTable+" WHERE (case_id = '' OR case_id IS NULL) AND created_at < ?", cutoff)
			if r.Error != nil {
				return r.Error
			}
			res.IntakeReplies = int(r.RowsAffected)
		}
		if len(ids) == 0 {
			return nil
		}
		return a.erase(tx, ids, cutoff, &res)
	})
	if err != nil {
		return PurgeResult{}, fmt.Errorf("erase personal data: %w", err)
	}
	return res, nil
}

// preservedCases selects the cases whose material is preserved for the
// child-safety clearinghouse (docs/DESIGN.md step 7): a report not filed
// yet (no PreserveUntil), or filed less than
// models.ClearinghousePreservation ago. The purge erases them only after.
func preservedCases(tx *gorm.DB, now time.Time) *gorm.DB {
	return tx.Session(&gorm.Session{NewDB: true}).Model(&models.ClearinghouseReport{}).Select("case_id").
		Where("preserve_until IS NULL OR preserve_until > ?", now)
}

// intakeRepliesTable holds the email intake's replies (store.IntakeReply).
const intakeRepliesTable = "intake_replies"

// erase blanks the personal columns of the cases ids and their rows in the
// other tables, then records each erasure.
func (a *Activities) erase(tx *gorm.DB, ids []string, cutoff time.Time, res *PurgeResult) error {
	count := func(r *gorm.DB) (int, error) { return int(r.RowsAffected), r.Error }
	var err error
	if res.Cases, err = count(tx.Model(&models.Case{}).Where("id IN ?", ids).Updates(map[string]any{
		"reporter_name": "", "reporter_email": "", "reporter_org": "", "reporter_title": "",
		"description": ErasedText, "copyright_sig": "",
	})); err != nil {
		return err
	}
	if res.Notices, err = count(tx.Model(&models.Notice{}).Where("case_id IN ?", ids).
		Updates(map[string]any{"body_text": ErasedText, "body_html": ""})); err != nil {
		return err
	}
	if err := tx.Model(&models.Notice{}).Where("case_id IN ? AND recipient_role IN ?", ids, personalRoles).
		Update("to", "").Error; err != nil {
		return err
	}
	if res.OperatorReplies, err = count(tx.Model(&models.OperatorReply{}).Where("case_id IN ?", ids).Updates(map[string]any{
		"name": "", "address": "", "phone": "", "signature": "", "statement": "",
	})); err != nil {
		return err
	}
	if res.ReporterReplies, err = count(tx.Model(&models.ReporterReply{}).Where("case_id IN ?", ids).
		Update("answer", ErasedText)); err != nil {
		return err
	}
	if tx.Migrator().HasTable(&models.MailReply{}) {
		if res.MailReplies, err = count(tx.Model(&models.MailReply{}).Where("case_id IN ?", ids).
			Updates(map[string]any{"from_addr": "", "subject": "", "text": ErasedText})); err != nil {
			return err
		}
	}
	if tx.Migrator().HasTable(intakeRepliesTable) {
		n, err := count(tx.Table(intakeRepliesTable).Where("case_id IN ? AND \"to\" <> ''", ids).
			Updates(map[string]any{"to": "", "subject": "", "body": ErasedText}))
		if err != nil {
			return err
		}
		res.IntakeReplies += n
	}
	// A referral to an authority (DSA Art. 18) stays a record (who, where,
	// when); the analyst's statement, which may name people, goes.
	if tx.Migrator().HasTable(&models.Referral{}) {
		if err := tx.Model(&models.Referral{}).Where("case_id IN ?", ids).Update("suspicion", ErasedText).Error; err != nil {
			return err
		}
	}
	if tx.Migrator().HasTable(EvidenceTable) {
		if res.Evidence, err = count(tx.Table(EvidenceTable).Where("case_id IN ? AND raw IS NOT NULL", ids).
			Updates(map[string]any{"raw": nil, "erased_at": a.now()})); err != nil {
			return err
		}
	}
	now := a.now()
	for _, id := range ids {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&PersonalDataErasure{CaseID: id, ErasedAt: now, ClosedBefore: cutoff}).Error; err != nil {
			return err
		}
		if err := a.journal(tx, "system", id, "personal_data_erased", "erased:"+id,
			map[string]any{"closed_before": cutoff.Format(time.RFC3339)}); err != nil {
			return err
		}
	}
	return nil
}
