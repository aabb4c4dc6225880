package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/internal/cybertipline"
	"github.com/abusedesk/abusedesk/models"
)

// ClearinghouseAPI is the child-safety clearinghouse's reporting service
// (cybertipline.Client follows NCMEC's CyberTipline Reporting API).
type ClearinghouseAPI interface {
	Status(ctx context.Context) error
	Submit(ctx context.Context, r cybertipline.Report) (string, error)
	Upload(ctx context.Context, reportID, name string, data []byte) (string, error)
	FileInfo(ctx context.Context, d cybertipline.FileDetails) error
	Finish(ctx context.Context, reportID string) (cybertipline.Response, error)
	Retract(ctx context.Context, reportID string) error
}

// Clearinghouse is where CSAM reports go (docs/DESIGN.md step 7). With no
// API configured a report is prepared and waits for an analyst to file it
// by hand (desk.Desk.FileClearinghouseByHand).
type Clearinghouse struct {
	API ClearinghouseAPI // nil: none configured
	// Contact is the reporting person's address in the report (smtp_from).
	Contact string
}

// clearinghouseMaxURLs bounds the web-page incidents of one report.
const clearinghouseMaxURLs = 1000

// FileClearinghouseReport prepares the CSAM case's clearinghouse report
// and, when the clearinghouse's API is configured, files it: status check,
// the report document, each file (the report as received) uploaded and
// described, finish. Progress is saved after each step, so a retried
// attempt resumes; a file the service refuses retracts the report (it is
// never finished half-empty) and the retry submits a new one. A filed
// report keeps the case's material for models.ClearinghousePreservation.
// Errors are returned for Temporal to retry; the case page shows the state
// and the last error meanwhile.
func (a *Activities) FileClearinghouseReport(ctx context.Context, in ClearinghouseInput) (ClearinghouseResult, error) {
	r, err := a.prepareClearinghouse(ctx, in.CaseID)
	if err != nil {
		return ClearinghouseResult{}, fmt.Errorf("clearinghouse: %w", err)
	}
	if r.State == models.ClearinghouseFinished || r.ByHand || a.Clearinghouse.API == nil {
		return ClearinghouseResult{Reference: r.Reference, State: string(r.State)}, nil
	}
	doc, files, err := a.clearinghouseDocument(ctx, in.CaseID)
	if err != nil {
		return ClearinghouseResult{}, fmt.Errorf("clearinghouse: %w", err)
	}
	if err := a.submitClearinghouse(ctx, &r, doc, files); err != nil && !errors.Is(err, errFiledMeanwhile) {
		return ClearinghouseResult{State: string(r.State)}, err
	}
	return ClearinghouseResult{Reference: r.Reference, State: string(r.State)}, nil
}

// prepareClearinghouse records the report once per case (prepared) with
// its audit entry, and returns it as stored.
func (a *Activities) prepareClearinghouse(ctx context.Context, caseID string) (models.ClearinghouseReport, error) {
	var r models.ClearinghouseReport
	err := a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := a.now()
		row := models.ClearinghouseReport{CaseID: caseID, State: models.ClearinghousePrepared, ByHand: a.Clearinghouse.API == nil,
			CreatedAt: now, UpdatedAt: now}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return err
		}
		if err := tx.Where("case_id = ?", caseID).Take(&r).Error; err != nil {
			return err
		}
		filing := "by hand: no clearinghouse API is configured"
		if a.Clearinghouse.API != nil {
			filing = "through the clearinghouse API"
		}
		return a.journal(tx, "system", caseID, "clearinghouse_report", "clearinghouse:"+caseID,
			map[string]any{"state": models.ClearinghousePrepared, "filing": filing})
	})
	return r, err
}

// clearinghouseFile is one file of a report.
type clearinghouseFile struct {
	Name string
	Data []byte
	Info string
}

// submitClearinghouse runs the protocol from where r stands.
func (a *Activities) submitClearinghouse(ctx context.Context, r *models.ClearinghouseReport, doc cybertipline.Report, files []clearinghouseFile) error {
	api := a.Clearinghouse.API
	if r.ReportID == "" || (r.State != models.ClearinghouseSubmitted && r.State != models.ClearinghouseFilesUploaded) {
		if err := api.Status(ctx); err != nil {
			return a.clearinghouseFailed(ctx, r, models.ClearinghouseFailed, err)
		}
		id, err := api.Submit(ctx, doc)
		if err != nil {
			return a.clearinghouseFailed(ctx, r, models.ClearinghouseFailed, err)
		}
		if err := a.saveClearinghouse(ctx, r, map[string]any{"report_id": id, "state": models.ClearinghouseSubmitted, "files_uploaded": 0, "error": ""}); err != nil {
			return err
		}
	}
	for i := r.FilesUploaded; i < len(files); i++ {
		f := files[i]
		fid, err := api.Upload(ctx, r.ReportID, f.Name, f.Data)
		if err == nil {
			err = api.FileInfo(ctx, cybertipline.FileDetails{ReportID: r.ReportID, FileID: fid, OriginalFileName: f.Name, AdditionalInfo: f.Info})
		}
		if err != nil {
			return a.clearinghouseUploadFailed(ctx, r, err)
		}
		if err := a.saveClearinghouse(ctx, r, map[string]any{"state": models.ClearinghouseFilesUploaded, "files_uploaded": i + 1}); err != nil {
			return err
		}
	}
	if _, err := api.Finish(ctx, r.ReportID); err != nil {
		if cybertipline.IsRejection(err) {
			return a.clearinghouseUploadFailed(ctx, r, err)
		}
		return a.clearinghouseFailed(ctx, r, r.State, err)
	}
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := a.now()
		until := now.Add(models.ClearinghousePreservation)
		upd := map[string]any{"state": models.ClearinghouseFinished, "reference": r.ReportID, "filed": true, "filed_at": now,
			"error": "", "preserve_until": until, "updated_at": now}
		if err := tx.Model(&models.ClearinghouseReport{}).Where("case_id = ?", r.CaseID).Updates(upd).Error; err != nil {
			return err
		}
		r.State, r.Reference, r.Filed, r.FiledAt, r.Error, r.PreserveUntil = models.ClearinghouseFinished, r.ReportID, true, &now, "", &until
		return a.journal(tx, "system", r.CaseID, "clearinghouse_filed", "clearinghouse-filed:"+r.CaseID,
			map[string]any{"report_id": r.ReportID, "files": len(files), "preserve_until": until.Format(time.RFC3339)})
	})
}

// clearinghouseUploadFailed handles a file or finish the service refused:
// the report is retracted (never left open half-empty) and the next
// attempt submits a new one. A network failure keeps the report, so the
// next attempt resumes with the same file.
func (a *Activities) clearinghouseUploadFailed(ctx context.Context, r *models.ClearinghouseReport, cause error) error {
	if !cybertipline.IsRejection(cause) {
		return a.clearinghouseFailed(ctx, r, r.State, cause)
	}
	if err := a.Clearinghouse.API.Retract(ctx, r.ReportID); err != nil {
		return a.clearinghouseFailed(ctx, r, r.State, fmt.Errorf("%w; retracting report %s: %v", cause, r.ReportID, err))
	}
	return a.clearinghouseFailed(ctx, r, models.ClearinghouseRetracted, fmt.Errorf("%w; report %s retracted", cause, r.ReportID))
}

// clearinghouseFailed records the failure (state and error) and returns it.
func (a *Activities) clearinghouseFailed(ctx context.Context, r *models.ClearinghouseReport, state models.ClearinghouseState, cause error) error {
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	if err := a.saveClearinghouse(ctx, r, map[string]any{"state": state, "error": msg}); err != nil {
		return errors.Join(cause, err)
	}
	return fmt.Errorf("clearinghouse: %w", cause)
}

// saveClearinghouse writes upd to the report row (not once finished: an
// analyst may have recorded it filed by hand meanwhile) and reads it back.
func (a *Activities) saveClearinghouse(ctx context.Context, r *models.ClearinghouseReport, upd map[string]any) error {
	upd["updated_at"] = a.now()
	db := a.DB.WithContext(ctx)
	if err := db.Model(&models.ClearinghouseReport{}).Where("case_id = ? AND state <> ?", r.CaseID, models.ClearinghouseFinished).
		Updates(upd).Error; err != nil {
		return err
	}
	if err := db.Where("case_id = ?", r.CaseID).Take(r).Error; err != nil {
		return err
	}
	if r.State == models.ClearinghouseFinished {
		return errFiledMeanwhile
	}
	return nil
}

// errFiledMeanwhile stops a submission whose report an analyst recorded
// as filed by hand while it ran.
var errFiledMeanwhile = errors.New("clearinghouse: the report was recorded as filed meanwhile")
