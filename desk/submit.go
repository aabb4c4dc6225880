package desk

import (
	"context"

	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
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

// Blocklist lists every disabled object.
func (d *Desk) Blocklist(ctx context.Context) ([]models.Block, error) {
	return store.Blocklist(ctx, d.DB)
}

// BlocksOfDomains lists the blocks recorded under any of domains.
func (d *Desk) BlocksOfDomains(ctx context.Context, domains []string) ([]models.Block, error) {
	return store.BlocksOfDomains(ctx, d.DB, domains)
}

// Block reads the block of one object (the public statement behind a 451).
func (d *Desk) Block(ctx context.Context, objectID string) (models.Block, error) {
	return store.Block(ctx, d.DB, objectID)
}
