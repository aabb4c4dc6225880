package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
)

// The case reads of the analyst's queue and case view, the reporter's
// status and the operator's notice (desk's use cases call them).

// CaseFilter selects cases for the queue.
type CaseFilter struct {
	// Status is a models.Status, "open", or "" / "all" for every case.
	Status, Category, Service, Domain string
	DeadlineBefore                    *time.Time
	Limit, Offset                     int
	// Assignee is "" for any case, AssigneeNone for unclaimed ones, or
	// the analyst (key name) who claimed them (console.go).
	Assignee string
}

// QueryCases lists cases in queue order: CSAM first, then by next
// deadline (none last), then oldest first.
func QueryCases(ctx context.Context, db *gorm.DB, f CaseFilter) ([]models.Case, error) {
	q := db.WithContext(ctx).Model(&models.Case{})
	switch f.Status {
	case "", "all":
	case "open":
		q = q.Where(OpenCases)
	default:
		q = q.Where("status = ?", f.Status)
	}
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if f.Service != "" {
		q = q.Where("service = ?", f.Service)
	}
	if f.Domain != "" {
		d, err := NormalizeHost(f.Domain)
		if err != nil {
			// Dropping the filter would list every case.
			return nil, err
		}
		q = q.Where("domain = ?", d)
	}
	if f.DeadlineBefore != nil {
		q = q.Where("next_deadline IS NOT NULL AND next_deadline < ?", *f.DeadlineBefore)
	}
	q = whereAssignee(q, f.Assignee)
	var out []models.Case
	err := q.Order(OpenQueueOrder).Offset(f.Offset).Limit(f.Limit).Find(&out).Error
	return out, err
}

// NoticesOfCases lists the notices of the cases ids, without their bodies,
// oldest first.
func NoticesOfCases(ctx context.Context, db *gorm.DB, ids []string) ([]models.Notice, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var ns []models.Notice
	err := db.WithContext(ctx).Omit("body_text", "body_html").Where("case_id IN ?", ids).Order("created_at").Find(&ns).Error
	return ns, err
}

// Case reads one case; gorm.ErrRecordNotFound when there is none.
func Case(ctx context.Context, db *gorm.DB, id string) (models.Case, error) {
	var cs models.Case
	err := db.WithContext(ctx).First(&cs, "id = ?", id).Error
	return cs, err
}

// Notices lists a case's notices with their bodies, oldest first.
func Notices(ctx context.Context, db *gorm.DB, caseID string) ([]models.Notice, error) {
	var ns []models.Notice
	err := db.WithContext(ctx).Where("case_id = ?", caseID).Order("created_at").Find(&ns).Error
	return ns, err
}

// Notice reads one notice; gorm.ErrRecordNotFound when there is none.
func Notice(ctx context.Context, db *gorm.DB, id string) (models.Notice, error) {
	var n models.Notice
	err := db.WithContext(ctx).Take(&n, "id = ?", id).Error
	return n, err
}

// CaseDetail is what the analyst's case view adds to a case's row.
type CaseDetail struct {
	URLCount  int64
	URLs      []string // the first maxDetailURLs, in report order
	Decisions []models.Decision
	Blocks    []models.Block
}

// maxDetailURLs bounds the URLs one case view lists (url_count has all).
const maxDetailURLs = 200

// LoadCaseDetail reads a case's URLs, decisions and blocks.
func LoadCaseDetail(ctx context.Context, db *gorm.DB, caseID string) (CaseDetail, error) {
	db = db.WithContext(ctx)
	var d CaseDetail
	urls := db.Model(&models.CaseURL{}).Where("case_id = ?", caseID)
	if err := urls.Count(&d.URLCount).Error; err != nil {
		return d, err
	}
	if err := db.Model(&models.CaseURL{}).Where("case_id = ?", caseID).Order("seq").Limit(maxDetailURLs).Pluck("url", &d.URLs).Error; err != nil {
		return d, err
	}
	if err := db.Where("case_id = ?", caseID).Order("id").Find(&d.Decisions).Error; err != nil {
		return d, err
	}
	err := db.Where("case_id = ?", caseID).Find(&d.Blocks).Error
	return d, err
}

// CaseURLs lists up to limit URLs of a case in report order; with domain
// set, only those whose host is domain or under it.
func CaseURLs(ctx context.Context, db *gorm.DB, caseID, domain string, limit int) ([]string, error) {
	q := db.WithContext(ctx).Model(&models.CaseURL{}).Where("case_id = ?", caseID)
	if domain != "" {
		q = q.Where("host = ? OR host LIKE ?", domain, "%."+domain)
	}
	var urls []string
	err := q.Order("seq").Limit(limit).Pluck("url", &urls).Error
	return urls, err
}

// Customer is the customer record behind a domain.
type Customer struct {
	Account models.Account
	Domain  models.Domain
	Hosted  []models.HostedObject
}

// CustomerOf reads the customer record of a domain; ok is false when the
// domain is not a customer's.
func CustomerOf(ctx context.Context, db *gorm.DB, domain string) (Customer, bool, error) {
	db = db.WithContext(ctx)
	var cu Customer
	err := db.First(&cu.Domain, "name = ?", domain).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return cu, false, nil
	}
	if err != nil {
		return cu, false, err
	}
	if err := db.First(&cu.Account, "id = ?", cu.Domain.AccountID).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return cu, false, err
	}
	err = db.Where("domain = ?", domain).Find(&cu.Hosted).Error
	return cu, err == nil, err
}

// MessagesToReporter lists the notices a case sent its reporter (or
// complainant), oldest first.
func MessagesToReporter(ctx context.Context, db *gorm.DB, caseID string) ([]models.Notice, error) {
	var ns []models.Notice
	err := db.WithContext(ctx).Where("case_id = ? AND recipient_role IN ?", caseID,
		[]models.RecipientRole{models.RoleReporter, models.RoleComplainant}).Order("created_at").Find(&ns).Error
	return ns, err
}

// LatestReporterQuestion is the case's latest reporter-question notice;
// ok is false when it has none.
func LatestReporterQuestion(ctx context.Context, db *gorm.DB, caseID string) (models.Notice, bool, error) {
	var q models.Notice
	err := db.WithContext(ctx).Where("case_id = ? AND step LIKE ?", caseID, "reporter-question%").
		Order("created_at DESC, id DESC").Take(&q).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return q, false, nil
	}
	return q, err == nil, err
}

// DecisionsAfter counts a case's decisions recorded after t.
func DecisionsAfter(ctx context.Context, db *gorm.DB, caseID string, t time.Time) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&models.Decision{}).Where("case_id = ? AND created_at > ?", caseID, t).Count(&n).Error
	return n, err
}

// Outbox lists stored notices newest first, at most limit, optionally of
// one case and in one status.
func Outbox(ctx context.Context, db *gorm.DB, caseID, status string, limit int) ([]models.Notice, error) {
	q := db.WithContext(ctx).Order("created_at DESC").Limit(limit)
	if caseID != "" {
		q = q.Where("case_id = ?", caseID)
	}
	if status != "" {
		q = q.Where("status = ?", status)
	}
	var ns []models.Notice
	err := q.Find(&ns).Error
	return ns, err
}

// Reviews lists termination reviews oldest first (at most 500),
// optionally in one status.
func Reviews(ctx context.Context, db *gorm.DB, status string) ([]models.Review, error) {
	q := db.WithContext(ctx).Order("created_at")
	if status != "" {
		q = q.Where("status = ?", status)
	}
	var rs []models.Review
	err := q.Limit(500).Find(&rs).Error
	return rs, err
}

// Review reads one termination review by its workflow id.
func Review(ctx context.Context, db *gorm.DB, id string) (models.Review, error) {
	var rv models.Review
	err := db.WithContext(ctx).First(&rv, "id = ?", id).Error
	return rv, err
}

// OperatorReplies lists the answers to a case's notices (dispute,
// counter-notice, removal, correction), oldest first, for the analyst's
// view of the case.
func OperatorReplies(ctx context.Context, db *gorm.DB, caseID string) ([]models.OperatorReply, error) {
	var rs []models.OperatorReply
	err := db.WithContext(ctx).Where("case_id = ?", caseID).Order("created_at, id").Find(&rs).Error
	return rs, err
}

// CompleteCopyright records the 512(c)(3) signature that completes an
// incomplete copyright complaint; done is false when the case was not
// incomplete any more (another request completed it first). It runs in
// tx, the caller's transaction, so that the audit entry goes with it.
func CompleteCopyright(tx *gorm.DB, caseID, signature string, now time.Time) (done bool, err error) {
	res := tx.Model(&models.Case{}).Where("id = ? AND copyright_incomplete = ?", caseID, true).Updates(map[string]any{
		"copyright_incomplete": false, "copyright_missing": "", "copyright_sig": signature,
		"copyright_completed_at": now, "updated_at": now,
	})
	return res.RowsAffected > 0, res.Error
}
