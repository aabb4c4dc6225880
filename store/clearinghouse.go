package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// ErrClearinghouseFiled refuses to record by hand a report already filed,
// or one abusedesk is submitting through the clearinghouse's API.
var ErrClearinghouseFiled = errors.New("the clearinghouse report is already filed or being submitted")

// handFileable are the states from which an analyst may record a report
// filed by hand.
var handFileable = []models.ClearinghouseState{models.ClearinghousePrepared, models.ClearinghouseFailed, models.ClearinghouseRetracted}

// ClearinghouseReportOf reads a case's clearinghouse report; ok is false
// when the case has none.
func ClearinghouseReportOf(ctx context.Context, db *gorm.DB, caseID string) (r models.ClearinghouseReport, ok bool, err error) {
	res := db.WithContext(ctx).Where("case_id = ?", caseID).Limit(1).Find(&r)
	return r, res.RowsAffected > 0, res.Error
}

// MarkClearinghouseFiled records that an analyst filed a case's prepared
// report by hand under the clearinghouse's reportID at at: the report is
// finished and the material preserved until at plus
// models.ClearinghousePreservation. changed runs in the same transaction
// (the audit entry). gorm.ErrRecordNotFound: the case has no report;
// ErrClearinghouseFiled: it is filed already or being submitted.
func MarkClearinghouseFiled(ctx context.Context, db *gorm.DB, caseID, reportID, analyst string, at time.Time,
	changed func(tx *gorm.DB) error) (models.ClearinghouseReport, error) {
	var r models.ClearinghouseReport
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("case_id = ?", caseID).Take(&r).Error; err != nil {
			return err
		}
		at = at.UTC()
		until := at.Add(models.ClearinghousePreservation)
		upd := map[string]any{"report_id": reportID, "reference": reportID, "state": models.ClearinghouseFinished,
			"filed": true, "filed_at": at, "filed_by": analyst, "error": "", "preserve_until": until, "updated_at": at}
		res := tx.Model(&models.ClearinghouseReport{}).Where("case_id = ? AND state IN ?", caseID, handFileable).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrClearinghouseFiled
		}
		r.ReportID, r.Reference, r.State, r.Filed, r.FiledAt, r.FiledBy, r.Error, r.PreserveUntil =
			reportID, reportID, models.ClearinghouseFinished, true, &at, analyst, "", &until
		return changed(tx)
	})
	return r, err
}
