package activities

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/models"
)

// SetStatus writes the case's read model (status, outcome, service, next
// deadline). Writing the same values again changes nothing. A close sets
// closed_at only when it is empty (nothing clears it), so a retried close
// keeps its first time without reading the row first.
func (a *Activities) SetStatus(ctx context.Context, in StatusInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		closed, err := a.writeStatus(tx, in)
		if err != nil || closed == nil {
			return err
		}
		return a.journal(tx, closed.Actor, closed.CaseID, closed.Kind, closed.DedupKey, closed.Details)
	})
}

// writeStatus writes SetStatus's row in tx and returns the audit entry of
// a close (nil for any other status), which the caller journals.
func (a *Activities) writeStatus(tx *gorm.DB, in StatusInput) (*JournalEntry, error) {
	now := a.now()
	upd := map[string]any{
		"status": in.Status, "outcome": in.Outcome, "service": in.Service,
		"domain": in.Domain, "account_id": in.AccountID, "next_deadline": in.NextDeadline,
		"updated_at": now,
		// The workflow runs: the intake leaves this mark to the first
		// status write (intake.Service.start).
		"workflow_started": true,
	}
	if in.Status == models.StatusClosed {
		upd["closed_at"] = gorm.Expr("COALESCE(closed_at, ?)", now)
	}
	res := tx.Model(&models.Case{}).Where("id = ?", in.CaseID).Updates(upd)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("status of case %s: %w", in.CaseID, gorm.ErrRecordNotFound)
	}
	if in.Status != models.StatusClosed {
		return nil, nil
	}
	return &JournalEntry{Actor: "system", CaseID: in.CaseID, Kind: "closed", DedupKey: "closed:" + in.CaseID,
		Details: map[string]any{"outcome": in.Outcome}}, nil
}

// RecordDecision stores an analyst's decision with the analyst's identity.
func (a *Activities) RecordDecision(ctx context.Context, in DecisionRecord) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		d := models.Decision{CaseID: in.CaseID, Step: in.Step, Verdict: in.Verdict, Clause: in.Clause, Reason: in.Reason, Analyst: in.Analyst, CreatedAt: a.now()}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&d)
		if res.Error != nil {
			return res.Error
		}
		return a.journal(tx, in.Analyst, in.CaseID, "decision", "decision:"+in.CaseID+":"+in.Step,
			map[string]any{"verdict": in.Verdict, "clause": in.Clause, "reason": in.Reason})
	})
}

// SetReviewStatus writes a termination review's read model.
func (a *Activities) SetReviewStatus(ctx context.Context, in ReviewStatusInput) error {
	r := models.Review{ID: in.ReviewID, AccountID: in.AccountID, Kind: in.Kind, Status: string(in.Status),
		TriggerCaseID: in.TriggerCaseID, Verdict: in.Verdict, Reason: in.Reason, Analyst: in.Analyst,
		CreatedAt: a.now(), UpdatedAt: a.now()}
	return a.DB.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"status", "verdict", "reason", "analyst", "updated_at"})}).Create(&r).Error
}

// AccountHistory gathers an account's strikes and cases for a review.
func (a *Activities) AccountHistory(ctx context.Context, in AccountHistoryInput) (AccountHistory, error) {
	db := a.DB.WithContext(ctx)
	h := AccountHistory{AccountID: in.AccountID}
	var n int64
	if err := db.Model(&models.Strike{}).Where("account_id = ? AND withdrawn_at IS NULL", in.AccountID).Count(&n).Error; err != nil {
		return h, err
	}
	h.ActiveStrikes = int(n)
	if err := db.Model(&models.Case{}).Where("account_id = ?", in.AccountID).Order("created_at").Limit(500).Pluck("id", &h.CaseIDs).Error; err != nil {
		return h, err
	}
	var ds []models.Domain
	if err := db.Where("account_id = ?", in.AccountID).Find(&ds).Error; err != nil {
		return h, err
	}
	for _, d := range ds {
		h.Services = append(h.Services, d.Name+": "+d.Services)
	}
	return h, nil
}

// TerminateAccount terminates an account's service: for hosting, every
// hosted object of the account is disabled and the account is marked
// terminated. The termination is counted once per review.
func (a *Activities) TerminateAccount(ctx context.Context, in TerminateInput) error {
	now := a.now()
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t := models.Termination{ReviewID: in.ReviewID, AccountID: in.AccountID, Kind: in.Kind, Service: in.Service,
			Reason: in.Reason, LegalBasis: in.LegalBasis, Analyst: in.Analyst, CreatedAt: now}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&t)
		if res.Error != nil {
			return res.Error
		}
		if in.Service == "hosting" {
			var objs []models.HostedObject
			if err := tx.Where("account_id = ?", in.AccountID).Order("object_id").Find(&objs).Error; err != nil {
				return err
			}
			for _, o := range objs {
				if err := a.Hosting.Disable(tx, o, in.ReviewID, "", "account terminated"); err != nil {
					return err
				}
			}
			if err := a.terminationMitigations(tx, in, objs); err != nil {
				return err
			}
		} else if err := a.terminationMitigations(tx, in, nil); err != nil {
			return err
		}
		if err := tx.Model(&models.Account{}).Where("id = ?", in.AccountID).
			Updates(map[string]any{"terminated": true, "terminated_at": now}).Error; err != nil {
			return err
		}
		return a.journal(tx, in.Analyst, in.ReviewID, "termination", "termination:"+in.ReviewID,
			map[string]any{"account": in.AccountID, "service": in.Service, "kind": in.Kind, "legal_basis": in.LegalBasis})
	})
}

// RegistrarControl sets and clears EPP statuses on a domain.
type RegistrarControl interface {
	SetStatus(tx *gorm.DB, domain, status string, clear bool) error
}

// DBRegistrar is the built-in RegistrarControl: it records the status.
type DBRegistrar struct{}

// SetStatus records (or clears) an EPP status on the domain row.
func (DBRegistrar) SetStatus(tx *gorm.DB, domain, status string, clear bool) error {
	v := status
	if clear {
		v = ""
	}
	return tx.Model(&models.Domain{}).Where("name = ?", domain).Update("registrar_status", v).Error
}

// SetDomainStatus applies a registrar action to a domain.
func (a *Activities) SetDomainStatus(ctx context.Context, in DomainInput) error {
	return a.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := a.Registrar.SetStatus(tx, in.Domain, in.Status, in.Clear); err != nil {
			return err
		}
		if err := a.domainMitigation(tx, in); err != nil {
			return err
		}
		kind := "domain_restriction"
		if in.Clear {
			kind = "domain_restoration"
		}
		return a.journal(tx, "system", in.CaseID, kind, kind+":"+in.CaseID+":"+in.Step, map[string]any{"domain": in.Domain, "status": in.Status})
	})
}
