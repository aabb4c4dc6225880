package desk

import (
	"context"

	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
)

// Submit takes a report from the form or the API with an optional
// Idempotency-Key (intake.Service.Submit) and counts it accepted.
func (d *Desk) Submit(ctx context.Context, r models.ReportRequest, idemKey string) (intake.Created, error) {
	return d.SubmitOnce(ctx, r, intake.Dedup{Scope: intake.ScopeIdempotency, Key: idemKey})
}

// SubmitOnce takes a report that dedup recognises when it arrives again
// (intake.Service.SubmitOnce) and counts it accepted unless it was.
func (d *Desk) SubmitOnce(ctx context.Context, r models.ReportRequest, dedup intake.Dedup) (intake.Created, error) {
	created, err := d.Intake.SubmitOnce(ctx, r, dedup)
	if err != nil {
		return created, err
	}
	if !created.Replayed {
		ReportsAccepted.WithLabelValues(string(r.Category), r.Source).Inc()
	}
	return created, nil
}

// SubmitDocument takes a report parsed from a document (an X-ARF report)
// and keeps the document as the case's evidence.
func (d *Desk) SubmitDocument(ctx context.Context, r models.ReportRequest, dedup intake.Dedup, format string, doc []byte) (intake.Created, error) {
	created, err := d.Intake.SubmitOnce(ctx, r, dedup)
	if err != nil {
		return created, err
	}
	if err := d.Intake.KeepEvidence(ctx, created.CaseID, r.Source, format, dedup.EvidenceKey(), doc); err != nil {
		return created, err
	}
	if !created.Replayed {
		ReportsAccepted.WithLabelValues(string(r.Category), r.Source).Inc()
	}
	return created, nil
}
