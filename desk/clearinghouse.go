package desk

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// ClearinghouseView is a CSAM case's child-safety clearinghouse report
// (docs/DESIGN.md step 7), the `clearinghouse` of GET /v1/cases/{id}.
type ClearinghouseView struct {
	// ReportID is the clearinghouse's report id (empty until submitted).
	ReportID string                    `json:"report_id"`
	State    models.ClearinghouseState `json:"state"`
	FiledAt  *time.Time                `json:"filed_at"`
	// FiledBy is the analyst who recorded a report filed by hand.
	FiledBy string `json:"filed_by,omitempty"`
	// ByHand: no clearinghouse API is configured; an analyst files the
	// report and records its id (POST /v1/cases/{id}/clearinghouse/filed).
	ByHand bool `json:"by_hand"`
	// PreserveUntil is when the reported material is released to the
	// personal-data purge (one year after filing; absent: kept).
	PreserveUntil *time.Time `json:"preserve_until,omitempty"`
	// Error is the last failure of a submission through the API.
	Error string `json:"error,omitempty"`
	// Note says in a sentence where the report stands.
	Note string `json:"note"`
}

// clearinghouseView makes the view of a stored report.
func clearinghouseView(r models.ClearinghouseReport) *ClearinghouseView {
	v := &ClearinghouseView{ReportID: r.ReportID, State: r.State, FiledAt: r.FiledAt, FiledBy: r.FiledBy, ByHand: r.ByHand,
		PreserveUntil: r.PreserveUntil, Error: r.Error}
	switch {
	case r.State == models.ClearinghouseFinished && r.PreserveUntil != nil:
		v.Note = fmt.Sprintf("Filed with the clearinghouse; the reported material is preserved until %s (18 U.S.C. 2258A(h)).",
			r.PreserveUntil.UTC().Format("2006-01-02"))
	case r.ByHand:
		v.Note = "Prepared, not filed: no clearinghouse API is configured. File the report with the clearinghouse by hand, then record its report id here. The reported material is kept until then."
	case r.State == models.ClearinghouseRetracted || r.State == models.ClearinghouseFailed:
		v.Note = "Not filed yet: the last submission failed and is retried; the reported material is kept."
	default:
		v.Note = "Being submitted to the clearinghouse; the reported material is kept."
	}
	return v
}

// loadClearinghouse adds the case's clearinghouse report, if it has one.
func (d *Desk) loadClearinghouse(ctx context.Context, out *CaseView) error {
	r, ok, err := store.ClearinghouseReportOf(ctx, d.DB, out.CaseID)
	if err != nil || !ok {
		return err
	}
	out.Clearinghouse = clearinghouseView(r)
	return nil
}

// ClearinghouseFiledRequest is the body of POST
// /v1/cases/{id}/clearinghouse/filed: the clearinghouse's id of the report
// an analyst filed by hand.
type ClearinghouseFiledRequest struct {
	ReportID string `json:"report_id"`
}

// clearinghouseReportID is what a clearinghouse report id may look like.
var clearinghouseReportID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// FileClearinghouseByHand records that an analyst filed a case's prepared
// clearinghouse report by hand under the clearinghouse's report id: the
// report is finished and its material preserved for one year, with an
// audit entry. A case without a report is 404; a report filed already, or
// being submitted through the API, is 409.
func (d *Desk) FileClearinghouseByHand(ctx context.Context, caseID, analyst string, req ClearinghouseFiledRequest) (ClearinghouseView, error) {
	id := strings.TrimSpace(req.ReportID)
	if !clearinghouseReportID.MatchString(id) {
		return ClearinghouseView{}, Invalid("report_id", "required: the clearinghouse's report id, 1 to 64 letters, digits, '.', '_' or '-'")
	}
	r, err := store.MarkClearinghouseFiled(ctx, d.DB, caseID, id, analyst, time.Now(), func(tx *gorm.DB) error {
		return d.journal(tx, analyst, caseID, "clearinghouse_filed", "clearinghouse-filed:"+caseID,
			map[string]any{"report_id": id, "by_hand": true})
	})
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return ClearinghouseView{}, NotFound("case_id", "case %s has no clearinghouse report", caseID)
	case errors.Is(err, store.ErrClearinghouseFiled):
		return ClearinghouseView{}, Conflict("report_id", "%v", err)
	case err != nil:
		return ClearinghouseView{}, err
	}
	return *clearinghouseView(r), nil
}
