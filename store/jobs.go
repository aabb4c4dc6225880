package store

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/models"
)

// The queries of the background jobs the composition root runs: the
// history exporter and the email intake's bounce starter.

// UnexportedWorkflows lists, oldest first and at most limit of each, the
// closed cases that have no exported history and the closed termination
// reviews whose last change is newer than their last export (a review's
// workflow id is reused by the account's next review of the same kind).
func UnexportedWorkflows(ctx context.Context, db *gorm.DB, limit int) (cases, reviews []string, err error) {
	db = db.WithContext(ctx)
	if err := db.Model(&models.Case{}).
		Where("status = ? AND NOT EXISTS (SELECT 1 FROM history_exports h WHERE h.case_id = cases.id)", models.StatusClosed).
		Order("closed_at").Limit(limit).Pluck("id", &cases).Error; err != nil {
		return nil, nil, err
	}
	if err := db.Model(&models.Review{}).
		Where("status = ? AND NOT EXISTS (SELECT 1 FROM history_exports h WHERE h.workflow_id = reviews.id AND h.exported_at >= reviews.updated_at)", string(models.ReviewClosed)).
		Order("updated_at").Limit(limit).Pluck("id", &reviews).Error; err != nil {
		return nil, nil, err
	}
	return cases, reviews, nil
}

// SaveHistoryExports stores the exports of runs in one transaction, and
// journal (the audit entry of each) in the same one. A run exported before
// (a review whose row changed since) gets its exported_at renewed, so that
// it is not looked at every round.
func SaveHistoryExports(ctx context.Context, db *gorm.DB, rows []HistoryExport, journal func(tx *gorm.DB, e HistoryExport) error) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, e := range rows {
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "workflow_id"}, {Name: "run_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"exported_at"})}).Create(&e).Error; err != nil {
				return err
			}
		}
		for _, e := range rows {
			if err := journal(tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// NoticeExists reports whether a notice with the id is stored.
func NoticeExists(ctx context.Context, db *gorm.DB, id string) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Model(&models.Notice{}).Where("id = ?", id).Count(&n).Error
	return n > 0, err
}
