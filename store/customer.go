package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/abusedesk/abusedesk/models"
)

// The customer's reads (docs/DESIGN.md "Customer accounts"): the reports
// about an account's domains, their mitigations and the notices the desk
// sent the account. A case is an account's when its lead account is the
// account, when one of its URLs' hosts is one of the account's domains,
// when a notice of it was about one of them, or when a mitigation of it
// covers the account. Every list is bounded and paged.

// MaxAccountDomains bounds the domains of one account the reads consider.
const MaxAccountDomains = 1000

// AccountDomains lists the account's domains (at most MaxAccountDomains).
func AccountDomains(ctx context.Context, db *gorm.DB, account string) ([]string, error) {
	var ds []string
	err := db.WithContext(ctx).Model(&models.Domain{}).Where("account_id = ?", account).
		Order("name").Limit(MaxAccountDomains).Pluck("name", &ds).Error
	return ds, err
}

// AccountCaseFilter selects an account's cases. A nil slice does not
// filter; an empty non-nil one matches nothing.
type AccountCaseFilter struct {
	Account string
	Domains []string // the account's (AccountDomains)
	// Domain: only cases with a URL on this host or under it.
	Domain                      string
	Categories                  []models.Category
	Statuses                    []models.Status
	MitigationStatus            models.MitigationStatus
	CreatedAfter, CreatedBefore *time.Time
	// Order is a column of cases (id, created_at, domain, category,
	// status) and Desc its direction.
	Order         string
	Desc          bool
	Limit, Offset int
}

// accountCases is the condition that a case is the account's.
func accountCases(db *gorm.DB, account string, domains []string) *gorm.DB {
	q := db.Where("cases.account_id = ?", account).
		Or("cases.id IN (?)", db.Session(&gorm.Session{NewDB: true}).Model(&models.Mitigation{}).Select("case_id").Where("account_id = ?", account))
	if len(domains) > 0 {
		q = q.Or("cases.id IN (?)", db.Session(&gorm.Session{NewDB: true}).Model(&models.CaseURL{}).Select("case_id").Where("host IN ?", domains)).
			Or("cases.id IN (?)", db.Session(&gorm.Session{NewDB: true}).Model(&models.Notice{}).Select("case_id").Where("domain IN ?", domains))
	}
	return q
}

// AccountCases lists one page of an account's cases and counts them all.
func AccountCases(ctx context.Context, db *gorm.DB, f AccountCaseFilter) ([]models.Case, int64, error) {
	db = db.WithContext(ctx)
	if (f.Categories != nil && len(f.Categories) == 0) || (f.Statuses != nil && len(f.Statuses) == 0) {
		return nil, 0, nil
	}
	q := db.Model(&models.Case{}).Where(accountCases(db, f.Account, f.Domains))
	if f.Domain != "" {
		d, err := NormalizeHost(f.Domain)
		if err != nil {
			return nil, 0, err
		}
		q = q.Where("cases.domain = ? OR cases.id IN (?)", d, db.Session(&gorm.Session{NewDB: true}).Model(&models.CaseURL{}).
			Select("case_id").Where("host = ? OR host LIKE ?", d, "%."+d))
	}
	if f.Categories != nil {
		q = q.Where("cases.category IN ?", f.Categories)
	}
	if f.Statuses != nil {
		q = q.Where("cases.status IN ?", f.Statuses)
	}
	if f.MitigationStatus != "" {
		q = q.Where("cases.id IN (?)", db.Session(&gorm.Session{NewDB: true}).Model(&models.Mitigation{}).Select("case_id").
			Where("account_id = ? AND status = ?", f.Account, f.MitigationStatus))
	}
	if f.CreatedAfter != nil {
		q = q.Where("cases.created_at > ?", *f.CreatedAfter)
	}
	if f.CreatedBefore != nil {
		q = q.Where("cases.created_at < ?", *f.CreatedBefore)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	order := f.Order
	switch order {
	case "id", "created_at", "domain", "category", "status":
	default:
		order = "created_at"
	}
	var out []models.Case
	err := q.Order(clause.OrderByColumn{Column: clause.Column{Table: "cases", Name: order}, Desc: f.Desc}).
		Order(clause.OrderByColumn{Column: clause.Column{Table: "cases", Name: "id"}, Desc: f.Desc}).
		Offset(f.Offset).Limit(f.Limit).Find(&out).Error
	return out, total, err
}

// AccountCase reads one case if it is the account's; gorm.ErrRecordNotFound
// otherwise, as for a case that does not exist.
func AccountCase(ctx context.Context, db *gorm.DB, account string, domains []string, id string) (models.Case, error) {
	db = db.WithContext(ctx)
	var cs models.Case
	err := db.Where("cases.id = ?", id).Where(accountCases(db, account, domains)).Take(&cs).Error
	return cs, err
}

// AccountCaseURLs lists up to limit URLs of a case whose host is one of
// domains or under one, in report order.
func AccountCaseURLs(ctx context.Context, db *gorm.DB, caseID string, domains []string, limit int) ([]string, error) {
	if len(domains) == 0 {
		return nil, nil
	}
	var conds []string
	var args []any
	for _, d := range domains {
		conds = append(conds, "host = ? OR host LIKE ?")
		args = append(args, d, "%."+d)
	}
	var urls []string
	err := db.WithContext(ctx).Model(&models.CaseURL{}).Where("case_id = ?", caseID).
		Where(strings.Join(conds, " OR "), args...).Order("seq").Limit(limit).Pluck("url", &urls).Error
	return urls, err
}

// MitigationCounts are an account's mitigations of one case by status.
type MitigationCounts struct {
	ByStatus map[models.MitigationStatus]int64
	// URLs counts the URL-pattern mitigations that were not cancelled:
	// the URLs the desk confirmed abusive.
	URLs int64
	// HostNotified: a notice of the case went to a hosting provider.
	HostNotified bool
}

// AccountMitigationCounts counts the account's mitigations of each case
// of ids (at most one page of cases).
func AccountMitigationCounts(ctx context.Context, db *gorm.DB, account string, ids []string) (map[string]*MitigationCounts, error) {
	db = db.WithContext(ctx)
	out := map[string]*MitigationCounts{}
	for _, id := range ids {
		out[id] = &MitigationCounts{ByStatus: map[models.MitigationStatus]int64{}}
	}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		CaseID     string
		Status     models.MitigationStatus
		EntityType models.MitigationEntity
		N          int64
	}
	err := db.Model(&models.Mitigation{}).Select("case_id, status, entity_type, COUNT(*) AS n").
		Where("account_id = ? AND case_id IN ?", account, ids).Group("case_id, status, entity_type").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		c := out[r.CaseID]
		if c == nil {
			continue
		}
		c.ByStatus[r.Status] += r.N
		if r.EntityType == models.EntityURLPattern && r.Status != models.MitigationCancelled {
			c.URLs += r.N
		}
	}
	var notified []string
	err = db.Model(&models.Notice{}).Distinct("case_id").Where("case_id IN ? AND recipient_role = ?", ids, models.RoleHostingProvider).
		Pluck("case_id", &notified).Error
	for _, id := range notified {
		if c := out[id]; c != nil {
			c.HostNotified = true
		}
	}
	return out, err
}

// MitigationQuery selects an account's mitigations of one case.
type MitigationQuery struct {
	Account, CaseID                 string
	Types                           []models.MitigationType
	Status                          models.MitigationStatus
	EntityType                      models.MitigationEntity
	EffectiveAfter, EffectiveBefore *time.Time
	IDs                             []string
	// Order is type, effective_date, status or entity_type.
	Order         string
	Desc          bool
	Limit, Offset int
}

// AccountMitigations lists one page of the account's mitigations of a
// case and counts them all.
func AccountMitigations(ctx context.Context, db *gorm.DB, f MitigationQuery) ([]models.Mitigation, int64, error) {
	q := db.WithContext(ctx).Model(&models.Mitigation{}).Where("account_id = ? AND case_id = ?", f.Account, f.CaseID)
	if len(f.Types) > 0 {
		q = q.Where("type IN ?", f.Types)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.EntityType != "" {
		q = q.Where("entity_type = ?", f.EntityType)
	}
	if f.EffectiveAfter != nil {
		q = q.Where("effective_date > ?", *f.EffectiveAfter)
	}
	if f.EffectiveBefore != nil {
		q = q.Where("effective_date < ?", *f.EffectiveBefore)
	}
	if f.IDs != nil {
		q = q.Where("id IN ?", f.IDs)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	order := f.Order
	switch order {
	case "type", "effective_date", "status", "entity_type":
	default:
		order = "effective_date"
	}
	var out []models.Mitigation
	err := q.Order(clause.OrderByColumn{Column: clause.Column{Name: order}, Desc: f.Desc}).
		Order(clause.OrderByColumn{Column: clause.Column{Name: "id"}}).Offset(f.Offset).Limit(f.Limit).Find(&out).Error
	return out, total, err
}

// MaxAccountNotices bounds the notices of one case a customer reads.
const MaxAccountNotices = 500

// AccountNotices lists, oldest first and without bodies, the notices of a
// case addressed to the account: to its operator or registrant about one
// of its domains, or about the case's lead account when the notice names
// no domain.
func AccountNotices(ctx context.Context, db *gorm.DB, cs models.Case, account string, domains []string) ([]models.Notice, error) {
	q := db.WithContext(ctx).Omit("body_text", "body_html").Where("case_id = ? AND recipient_role IN ?", cs.ID,
		[]models.RecipientRole{models.RoleOperator, models.RoleRegistrant})
	switch {
	case cs.AccountID == account && len(domains) > 0:
		q = q.Where("domain IN ? OR domain = ''", domains)
	case cs.AccountID == account:
		q = q.Where("domain = ''")
	case len(domains) > 0:
		q = q.Where("domain IN ?", domains)
	default:
		return nil, nil
	}
	var ns []models.Notice
	err := q.Order("created_at, id").Limit(MaxAccountNotices).Find(&ns).Error
	return ns, err
}

// AbuseContactOf reads an account's abuse contact; "" when it set none.
func AbuseContactOf(ctx context.Context, db *gorm.DB, account string) (string, error) {
	var c models.AbuseContact
	err := db.WithContext(ctx).Take(&c, "account_id = ?", account).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	return c.Email, err
}

// SetAbuseContact sets (email "" clears) an account's abuse contact;
// afterWrite, when not nil, runs in the same transaction (the audit log).
func SetAbuseContact(ctx context.Context, db *gorm.DB, account, email, by string, afterWrite func(tx *gorm.DB) error) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if email == "" {
			err = tx.Delete(&models.AbuseContact{}, "account_id = ?", account).Error
		} else {
			row := models.AbuseContact{AccountID: account, Email: email, UpdatedBy: by, UpdatedAt: time.Now().UTC()}
			err = tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "account_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"email", "updated_by", "updated_at"})}).Create(&row).Error
		}
		if err == nil && afterWrite != nil {
			err = afterWrite(tx)
		}
		return err
	})
}

// AccountExists reports whether the customer records hold the account.
func AccountExists(ctx context.Context, db *gorm.DB, account string) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Model(&models.Account{}).Where("id = ?", account).Limit(1).Count(&n).Error
	return n > 0, err
}
