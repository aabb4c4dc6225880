package desk

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/workflows"
)

// CopyrightCompletion is what a complainant sends to complete a copyright
// complaint that lacked 512(c)(3) elements (17 U.S.C. 512(c)(3)(B)(ii)).
type CopyrightCompletion struct {
	GoodFaith            bool   `json:"good_faith"`
	AccurateUnderPenalty bool   `json:"accurate_under_penalty"`
	Signature            string `json:"signature"`
}

// CopyrightAnswer says what became of a completion.
type CopyrightAnswer struct {
	CaseID string `json:"case_id"`
	Status string `json:"status"`
	// DMCANotice says what the operators get: "pending" (the case runs and
	// its next operator notices are DMCA notices, the operators that got
	// the complaint included), or "not_sent" (the case had ended: the
	// completion is recorded, nothing more is sent).
	DMCANotice string `json:"dmca_notice"`
	Message    string `json:"message"`
	Replayed   bool   `json:"-"`
}

// Completion states (CopyrightAnswer.DMCANotice).
const (
	DMCAPending = "pending"
	DMCANotSent = "not_sent"
)

// CompleteCopyright records the missing 512(c)(3) statements and signature
// of cs (already authorised by the reporter's token, ReporterCase), clears
// its incomplete flag and tells the case's workflow, so that the notices it
// sends from now on are DMCA notices. The same completion sent again is
// delivered again (a lost signal is retried by the complainant's retry).
func (d *Desk) CompleteCopyright(ctx context.Context, cs models.Case, req CopyrightCompletion) (CopyrightAnswer, error) {
	if cs.Category != models.CategoryCopyright {
		return CopyrightAnswer{}, Conflict("category", "case %s is a %s report, not a copyright notice", cs.ID, cs.Category)
	}
	req.Signature = strings.TrimSpace(req.Signature)
	if err := validateCompletion(req); err != nil {
		return CopyrightAnswer{}, err
	}
	replayed := !cs.CopyrightIncomplete
	if replayed && cs.CopyrightSig != req.Signature {
		return CopyrightAnswer{}, Conflict("signature", "case %s is already a complete notice", cs.ID)
	}
	if !replayed {
		if err := d.recordCompletion(ctx, cs, req); err != nil {
			return CopyrightAnswer{}, err
		}
	}
	ans := CopyrightAnswer{CaseID: cs.ID, Status: "complete", Replayed: replayed, DMCANotice: DMCAPending,
		Message: "your notice is complete: the case's notices to the website operator are DMCA notices from now on"}
	err := d.Engine.Signal(ctx, workflows.CaseWorkflowID(cs.ID), workflows.SignalCopyrightCompleted,
		workflows.CopyrightCompleted{CompletedAt: time.Now().UTC()})
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf) && !cs.WorkflowStarted:
		// Stored but not started yet (intake.Reconcile starts it): its
		// notices will be rendered from the completed case.
	case errors.As(err, &nf):
		// The case's workflow has ended (a CDN case ends a while after
		// its forwards): the completion stands, but nothing sends the
		// operator a DMCA notice any more.
		ans.DMCANotice = DMCANotSent
		ans.Message = "your notice is complete and recorded, but the case has ended: the website operator received " +
			"your report as a complaint and is not sent it again; send a new report to have a DMCA notice forwarded"
	case err != nil:
		return CopyrightAnswer{}, Fail(KindUnavailable, "", "the completion is recorded but the case could not be told now; send it again")
	}
	return ans, nil
}

// validateCompletion lists every element still missing.
func validateCompletion(req CopyrightCompletion) error {
	var ps []models.FieldError
	r := models.ReportRequest{Category: models.CategoryCopyright, Copyright: &models.CopyrightClaim{
		GoodFaith: req.GoodFaith, AccurateUnderPenalty: req.AccurateUnderPenalty, Signature: req.Signature}}
	for _, m := range intake.CopyrightMissing(&r) {
		ps = append(ps, models.FieldError{Field: m, Message: intake.CopyrightElements[m]})
	}
	if len(req.Signature) > intake.MaxShortField {
		ps = append(ps, models.FieldError{Field: "signature", Message: "at most 500 characters"})
	}
	if len(ps) > 0 {
		return Problems(KindInvalid, ps)
	}
	return nil
}

// recordCompletion writes the completion and its audit entry in one
// transaction; only a case still incomplete is changed.
func (d *Desk) recordCompletion(ctx context.Context, cs models.Case, req CopyrightCompletion) error {
	now := time.Now().UTC()
	return d.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		done, err := store.CompleteCopyright(tx, cs.ID, req.Signature, now)
		if err != nil {
			return err
		}
		if !done {
			return Conflict("signature", "case %s was completed by another request", cs.ID)
		}
		return d.journal(tx, "reporter", cs.ID, "copyright_completed", "copyright-completed:"+cs.ID,
			map[string]any{"missing": cs.CopyrightMissing})
	})
}
