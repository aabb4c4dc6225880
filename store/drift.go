package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// IntakeSender is the rolling record of one sender's report mails in one
// format (issue 14, format drift): what its mails came to, the layouts
// seen, the last problem, and whether its format drifted. Sender is the
// authenticated domain (or "unauthenticated:<From domain>"), Format the
// format the mail was read as. Every text is bounded by its writer
// (mailintake's limits); the table by MaxIntakeSenders (PruneIntakeSenders).
type IntakeSender struct {
	ID     uint   `gorm:"primaryKey"`
	Sender string `gorm:"size:120;not null;uniqueIndex:idx_intake_sender_format"`
	Format string `gorm:"size:16;not null;uniqueIndex:idx_intake_sender_format"`
	// Counts since FirstAt: mails, cases made, IP reports, refusals and
	// mails parsed to nothing; URLs and IP rows taken.
	Mails     int64 `gorm:"not null;default:0"`
	Cases     int64 `gorm:"not null;default:0"`
	IPReports int64 `gorm:"not null;default:0"`
	Refusals  int64 `gorm:"not null;default:0"`
	Empty     int64 `gorm:"not null;default:0"`
	URLs      int64 `gorm:"not null;default:0"`
	IPRows    int64 `gorm:"not null;default:0"`
	// Recent is the outcome of the last mails, oldest first, one letter
	// each: c(ase), i(p report), r(efused), e(mpty).
	Recent string `gorm:"size:32;not null;default:''"`
	// Fingerprints are the known layouts, comma-separated, newest last;
	// Layout describes the last mail's.
	Fingerprints  string `gorm:"size:120;not null;default:''"`
	Layout        string `gorm:"size:300;not null;default:''"`
	LastProblem   string `gorm:"size:300;not null;default:''"`
	LastProblemAt *time.Time
	// Drifting is set by the mail that showed the drift (DriftReason says
	// how, DriftAt when) and cleared by working mail after it.
	Drifting    bool   `gorm:"not null;default:false;index"`
	DriftReason string `gorm:"size:300;not null;default:''"`
	DriftAt     *time.Time
	FirstAt     time.Time `gorm:"not null"`
	LastAt      time.Time `gorm:"not null;index"`
}

// TableName keeps the table's name fixed.
func (IntakeSender) TableName() string { return "intake_senders" }

// MaxIntakeSenders bounds the table: beyond it the records not drifting
// that saw mail longest ago are dropped (PruneIntakeSenders).
const MaxIntakeSenders = 5000

// UpdateIntakeSender runs fn on the record of sender in format (created
// empty at now when missing) with all the sender's records, in one
// transaction, and saves that record. created says whether the record is
// new. On PostgreSQL the sender's rows are locked, so that two mails of
// one sender at once count both.
func UpdateIntakeSender(ctx context.Context, db *gorm.DB, sender, format string, now time.Time,
	fn func(row *IntakeSender, all []IntakeSender)) (row IntakeSender, created bool, err error) {
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&IntakeSender{Sender: sender, Format: format, FirstAt: now, LastAt: now})
		if res.Error != nil {
			return res.Error
		}
		created = res.RowsAffected > 0
		q := tx.Where("sender = ?", sender).Order("format")
		if IsPostgres(tx) {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var all []IntakeSender
		if err := q.Find(&all).Error; err != nil {
			return err
		}
		for i := range all {
			if all[i].Format == format {
				fn(&all[i], all)
				row = all[i]
				return tx.Save(&row).Error
			}
		}
		return gorm.ErrRecordNotFound
	})
	return row, created, err
}

// IntakeSenders lists up to limit records: drifting ones first (latest
// mail first), then by the latest mail.
func IntakeSenders(ctx context.Context, db *gorm.DB, limit int) ([]IntakeSender, error) {
	var rows []IntakeSender
	err := db.WithContext(ctx).Order("drifting DESC").Order("last_at DESC").Order("id").
		Limit(limit).Find(&rows).Error
	return rows, err
}

// PruneIntakeSenders deletes the records beyond the newest keep (by last
// mail), except drifting ones, which wait for an analyst to see them
// unless they are beyond the newest 2*keep too (so that the table stays
// bounded even when many senders drift).
func PruneIntakeSenders(ctx context.Context, db *gorm.DB, keep int) (int64, error) {
	cutoff := func(n int) (*time.Time, error) {
		var cut []time.Time
		err := db.WithContext(ctx).Model(&IntakeSender{}).Order("last_at DESC").Order("id DESC").Offset(n).Limit(1).Pluck("last_at", &cut).Error
		if err != nil || len(cut) == 0 {
			return nil, err
		}
		return &cut[0], nil
	}
	cut, err := cutoff(keep)
	if err != nil || cut == nil {
		return 0, err
	}
	res := db.WithContext(ctx).Where("last_at <= ? AND drifting = ?", *cut, false).Delete(&IntakeSender{})
	if res.Error != nil {
		return 0, res.Error
	}
	n := res.RowsAffected
	hard, err := cutoff(2 * keep)
	if err != nil || hard == nil {
		return n, err
	}
	res = db.WithContext(ctx).Where("last_at <= ?", *hard).Delete(&IntakeSender{})
	return n + res.RowsAffected, res.Error
}
