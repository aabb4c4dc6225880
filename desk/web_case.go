package desk

import (
	"context"

	"github.com/abusedesk/abusedesk/store"
)

// ReportExtras are the report's fields the analyst's case page shows
// beside the case (CaseJSON leaves them out): a copyright claim's work and
// signature, and whether the reporter let the report go to the operator.
type ReportExtras struct {
	Work, Signature string
	Forward         bool
}

// ReportExtras reads the report fields of case id for the case page.
func (d *Desk) ReportExtras(ctx context.Context, id string) (ReportExtras, error) {
	cs, err := store.Case(ctx, d.DB, id)
	if err != nil {
		return ReportExtras{}, err
	}
	return ReportExtras{Work: cs.CopyrightWork, Signature: cs.CopyrightSig, Forward: cs.ForwardToOperator}, nil
}
