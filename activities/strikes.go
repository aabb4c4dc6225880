package activities

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/models"
)

// StrikePolicy is when upheld violations open a termination review.
type StrikePolicy struct {
	CopyrightStrikes int           // repeat-infringer review at this many copyright strikes
	CopyrightWindow  time.Duration // ... within this sliding window
	HostingStrikes   int           // hosting review at this many no-step violations
	HostingWindow    time.Duration
}

// DefaultStrikePolicy: 3 copyright strikes in 12 months; 3 hosting
// violations without a meaningful step by the operator in 6 months.
var DefaultStrikePolicy = StrikePolicy{
	CopyrightStrikes: 3, CopyrightWindow: 365 * 24 * time.Hour,
	HostingStrikes: 3, HostingWindow: 182 * 24 * time.Hour,
}

// RecordStrike records (or withdraws) the case's strike against an account
// and says which reviews the account's active strikes now call for.
func (a *Activities) RecordStrike(ctx context.Context, in StrikeInput) (StrikeResult, error) {
	var res StrikeResult
	now := a.now()
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if in.Withdraw {
			if err := tx.Model(&models.Strike{}).Where("case_id = ? AND account_id = ? AND withdrawn_at IS NULL", in.CaseID, in.AccountID).
				Update("withdrawn_at", now).Error; err != nil {
				return err
			}
			return a.journal(tx, "system", in.CaseID, "strike_withdrawn", "strike-withdrawn:"+in.CaseID+":"+in.AccountID, map[string]any{"account": in.AccountID})
		}
		s := models.Strike{CaseID: in.CaseID, AccountID: in.AccountID, Category: in.Category, Clause: in.Clause, NoMeaningfulStep: in.NoMeaningfulStep, CreatedAt: now}
		cols := []string{}
		if in.NoMeaningfulStep {
			cols = append(cols, "no_meaningful_step")
		}
		oc := clause.OnConflict{Columns: []clause.Column{{Name: "case_id"}, {Name: "account_id"}}, DoNothing: len(cols) == 0}
		if len(cols) > 0 {
			oc.DoUpdates = clause.AssignmentColumns(cols)
		}
		if err := tx.Clauses(oc).Create(&s).Error; err != nil {
			return err
		}
		dedup := "strike:" + in.CaseID + ":" + in.AccountID
		if in.NoMeaningfulStep {
			dedup += ":no-step"
		}
		if err := a.journal(tx, "system", in.CaseID, "strike", dedup, map[string]any{"account": in.AccountID, "category": in.Category, "no_step": in.NoMeaningfulStep}); err != nil {
			return err
		}
		var err error
		res.Reviews, err = a.Policy.due(tx, in.AccountID, now)
		return err
	})
	return res, err
}

// due lists the reviews the account's active strikes call for at now.
func (p StrikePolicy) due(tx *gorm.DB, account string, now time.Time) ([]string, error) {
	var out []string
	var n int64
	if p.CopyrightStrikes > 0 {
		// A copyright complaint that lacks 512(c)(3) elements is no notice,
		// so its case counts only once the complainant completed it.
		if err := tx.Model(&models.Strike{}).Where("account_id = ? AND category = ? AND withdrawn_at IS NULL AND created_at > ?",
			account, models.CategoryCopyright, now.Add(-p.CopyrightWindow)).
			Where("case_id NOT IN (?)", tx.Model(&models.Case{}).Select("id").Where("copyright_incomplete = ?", true)).
			Count(&n).Error; err != nil {
			return nil, err
		}
		if int(n) >= p.CopyrightStrikes {
			out = append(out, ReviewRepeatInfringer)
		}
	}
	if p.HostingStrikes > 0 {
		if err := tx.Model(&models.Strike{}).Where("account_id = ? AND no_meaningful_step = ? AND withdrawn_at IS NULL AND created_at > ?",
			account, true, now.Add(-p.HostingWindow)).Count(&n).Error; err != nil {
			return nil, err
		}
		if int(n) >= p.HostingStrikes {
			out = append(out, ReviewHosting)
		}
	}
	return out, nil
}
