package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// The edge's queries (docs/DESIGN.md "Mitigations", the edge): only
// mitigations that restrict now, active or in_review (a mitigation under
// review keeps restricting until an analyst lifts it).

// restricting are the statuses the edge and the blocklist serve.
var restricting = []models.MitigationStatus{models.MitigationActive, models.MitigationInReview}

// EdgeMitigations lists the restricting mitigations that may cover a host
// whose name and parent domains are domains: url_pattern mitigations
// recorded under one of them, zones that are one of them, and the accounts
// owning one of them. The caller matches each entity against the URL.
func EdgeMitigations(ctx context.Context, db *gorm.DB, domains []string) ([]models.Mitigation, error) {
	var ms []models.Mitigation
	if len(domains) == 0 {
		return ms, nil
	}
	accounts := db.Model(&models.Domain{}).Select("account_id").Where("name IN ?", domains)
	err := db.WithContext(ctx).Where("status IN ?", restricting).
		Where(db.Where("entity_type = ? AND domain IN ?", models.EntityURLPattern, domains).
			Or("entity_type = ? AND entity_id IN ?", models.EntityZone, domains).
			Or("entity_type = ? AND entity_id IN (?)", models.EntityAccount, accounts)).
		Order("id").Find(&ms).Error
	return ms, err
}

// RestrictingMitigations lists every active or in_review mitigation by ID
// (the blocklist edge nodes poll).
func RestrictingMitigations(ctx context.Context, db *gorm.DB) ([]models.Mitigation, error) {
	var ms []models.Mitigation
	err := db.WithContext(ctx).Where("status IN ?", restricting).Order("id").Find(&ms).Error
	return ms, err
}

// MitigationByID reads one mitigation (the public statement behind a 451).
func MitigationByID(ctx context.Context, db *gorm.DB, id string) (models.Mitigation, error) {
	var m models.Mitigation
	err := db.WithContext(ctx).First(&m, "id = ?", id).Error
	return m, err
}

// HostedObjectsOfDomains lists the hosted objects of domains, by object ID.
func HostedObjectsOfDomains(ctx context.Context, db *gorm.DB, domains []string) ([]models.HostedObject, error) {
	var os []models.HostedObject
	if len(domains) == 0 {
		return os, nil
	}
	err := db.WithContext(ctx).Where("domain IN ?", domains).Order("object_id").Find(&os).Error
	return os, err
}

// DomainsOfAccount lists the names of an account's domains.
func DomainsOfAccount(ctx context.Context, db *gorm.DB, accountID string) ([]string, error) {
	var names []string
	err := db.WithContext(ctx).Model(&models.Domain{}).Where("account_id = ?", accountID).Order("name").Pluck("name", &names).Error
	return names, err
}

// CaseScopeURLs lists up to limit URLs of a case in report order, with
// their hosts (the decision form's scope).
func CaseScopeURLs(ctx context.Context, db *gorm.DB, caseID string, limit int) ([]models.CaseURL, error) {
	var us []models.CaseURL
	err := db.WithContext(ctx).Where("case_id = ?", caseID).Order("seq").Limit(limit).Find(&us).Error
	return us, err
}

// CaseMitigationEntities lists the url_pattern entities of a case's
// hosted-content mitigations under domain that have not ended (what a
// notice about the case states as covered).
func CaseMitigationEntities(ctx context.Context, db *gorm.DB, caseID, domain string) ([]string, error) {
	var ids []string
	q := db.WithContext(ctx).Model(&models.Mitigation{}).Where("case_id = ? AND entity_type = ?", caseID, models.EntityURLPattern).
		Where("type IN ?", []models.MitigationType{models.MitigationContentDisabled, models.MitigationContentRemoved}).
		Where("status NOT IN ?", []models.MitigationStatus{models.MitigationCancelled, models.MitigationRemoved})
	if domain != "" {
		q = q.Where("domain = ?", domain)
	}
	err := q.Distinct("entity_id").Order("entity_id").Pluck("entity_id", &ids).Error
	return ids, err
}
