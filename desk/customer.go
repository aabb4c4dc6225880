package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/store"
)

// The customer's use cases (docs/DESIGN.md "Customer accounts"): an
// account, through its customer key, reads the reports about its domains
// with their mitigations and the notices the desk sent it, asks for a
// review of a mitigation and sets its abuse contact. Another account's
// report or mitigation is not found, never forbidden.

// CustomerReportFilter selects an account's reports. Type is a report type
// of the reference (ReportTypes) or an abusedesk category; Status accepted
// or in_review; MitigationStatus a models.MitigationStatus; Sort one of id,
// cdate, domain, type, status (default cdate); Page from 1; PerPage 1 to
// MaxCustomerPerPage (0: DefaultCustomerPerPage).
type CustomerReportFilter struct {
	Domain, Type, Status, MitigationStatus string
	CreatedAfter, CreatedBefore            *time.Time
	Page, PerPage                          int
	Sort                                   string
	Desc                                   bool
}

// Paging bounds of the customer's lists.
const (
	DefaultCustomerPerPage = 20
	MaxCustomerPerPage     = 100
	MaxCustomerPage        = 10000
	// maxReportURLs bounds the URLs one report shows.
	maxReportURLs = 250
)

// CustomerSubmitter is the reporter as the reporter allowed the account to
// see them.
type CustomerSubmitter struct {
	Name      string `json:"name"`
	Email     string `json:"email"`
	Company   string `json:"company"`
	Telephone string `json:"telephone"`
}

// MitigationSummary counts a report's mitigations of the account.
type MitigationSummary struct {
	AcceptedURLCount     int64 `json:"accepted_url_count"`
	ActiveCount          int64 `json:"active_count"`
	PendingCount         int64 `json:"pending_count"`
	InReviewCount        int64 `json:"in_review_count"`
	ExternalHostNotified bool  `json:"external_host_notified"`
}

// CustomerReport is one report about an account's domains, as the account
// sees it: only its own URLs, the reporter only as the reporter allowed.
type CustomerReport struct {
	ID string `json:"id"`
	// Domain is the account's domain the report is about.
	Domain string `json:"domain"`
	// Type and Status are the reference's (ReportType, ReportStatus).
	Type     string          `json:"type"`
	Status   string          `json:"status"`
	Category models.Category `json:"category"`
	// CaseStatus and Outcome are the desk's own.
	CaseStatus    models.Status      `json:"case_status"`
	Outcome       models.Outcome     `json:"outcome,omitempty"`
	CreatedAt     time.Time          `json:"cdate"`
	URLs          []string           `json:"urls"`
	Justification string             `json:"justification"`
	OriginalWork  string             `json:"original_work,omitempty"`
	Submitter     *CustomerSubmitter `json:"submitter,omitempty"`
	Summary       MitigationSummary  `json:"mitigation_summary"`
}

// reportSorts maps the reference's sort properties to case columns.
var reportSorts = map[string]string{"id": "id", "cdate": "created_at", "domain": "domain", "type": "category", "status": "status"}

// CustomerReports lists one page of the account's reports and counts
// them all. Every bad filter value is one problem, by parameter.
func (d *Desk) CustomerReports(ctx context.Context, account string, f CustomerReportFilter) ([]CustomerReport, int, error) {
	q, err := d.reportQuery(ctx, account, f)
	if err != nil {
		return nil, 0, err
	}
	cases, total, err := store.AccountCases(ctx, d.DB, q)
	if err != nil {
		return nil, 0, err
	}
	out, err := d.customerReports(ctx, account, q.Domains, cases)
	return out, int(total), err
}

// reportQuery checks a filter and turns it into the store's.
func (d *Desk) reportQuery(ctx context.Context, account string, f CustomerReportFilter) (store.AccountCaseFilter, error) {
	q := store.AccountCaseFilter{Account: account, CreatedAfter: f.CreatedAfter, CreatedBefore: f.CreatedBefore, Desc: f.Desc}
	var ps []models.FieldError
	bad := func(field, format string, args ...any) {
		ps = append(ps, models.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if f.Domain != "" {
		h, err := store.NormalizeHost(f.Domain)
		if err != nil || len(f.Domain) > 253 {
			bad("domain", "%q is not a domain name", trim(f.Domain))
		}
		q.Domain = h
	}
	if f.Type != "" {
		cs, ok := categoriesOf(f.Type)
		if !ok {
			bad("type", "%q is not one of %s (or an abusedesk category)", trim(f.Type), strings.Join(ReportTypes, ", "))
		}
		q.Categories = cs
	}
	if f.Status != "" {
		ss, ok := statusesOf(f.Status)
		if !ok {
			bad("status", "%q is not one of accepted, in_review", trim(f.Status))
		}
		q.Statuses = ss
	}
	if f.MitigationStatus != "" {
		if !validMitigationStatus(f.MitigationStatus) {
			bad("mitigation_status", "%q is not one of pending, active, in_review, cancelled, removed", trim(f.MitigationStatus))
		}
		q.MitigationStatus = models.MitigationStatus(f.MitigationStatus)
	}
	if f.CreatedAfter != nil && f.CreatedBefore != nil && !f.CreatedAfter.Before(*f.CreatedBefore) {
		bad("created_before", "must be after created_after")
	}
	q.Order = "created_at"
	if f.Sort != "" {
		col, ok := reportSorts[f.Sort]
		if !ok {
			bad("sort", "%q is not one of id, cdate, domain, type, status", trim(f.Sort))
		}
		q.Order = col
	}
	var pageErr []models.FieldError
	q.Limit, q.Offset, pageErr = paging(f.Page, f.PerPage)
	ps = append(ps, pageErr...)
	if len(ps) > 0 {
		return q, Problems(KindBadRequest, ps)
	}
	ds, err := store.AccountDomains(ctx, d.DB, account)
	q.Domains = ds
	return q, err
}

// paging checks a page and its size and answers limit and offset.
func paging(page, perPage int) (int, int, []models.FieldError) {
	var ps []models.FieldError
	if page == 0 {
		page = 1
	}
	if perPage == 0 {
		perPage = DefaultCustomerPerPage
	}
	if page < 1 || page > MaxCustomerPage {
		ps = append(ps, models.FieldError{Field: "page", Message: fmt.Sprintf("must be 1 to %d", MaxCustomerPage)})
	}
	if perPage < 1 || perPage > MaxCustomerPerPage {
		ps = append(ps, models.FieldError{Field: "per_page", Message: fmt.Sprintf("must be 1 to %d", MaxCustomerPerPage)})
	}
	return perPage, (page - 1) * perPage, ps
}

func validMitigationStatus(s string) bool {
	switch models.MitigationStatus(s) {
	case models.MitigationPending, models.MitigationActive, models.MitigationInReview, models.MitigationCancelled, models.MitigationRemoved:
		return true
	}
	return false
}

// trim bounds a value echoed in a problem.
func trim(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// CustomerReport reads one report of the account; a report that is not
// the account's is not found.
func (d *Desk) CustomerReport(ctx context.Context, account, reportID string) (CustomerReport, error) {
	cs, domains, err := d.accountCase(ctx, account, reportID)
	if err != nil {
		return CustomerReport{}, err
	}
	out, err := d.customerReports(ctx, account, domains, []models.Case{cs})
	if err != nil {
		return CustomerReport{}, err
	}
	return out[0], nil
}

// accountCase reads a case of the account and the account's domains.
func (d *Desk) accountCase(ctx context.Context, account, reportID string) (models.Case, []string, error) {
	if reportID == "" || len(reportID) > 64 || account == "" {
		return models.Case{}, nil, NotFound("report_id", "no such report")
	}
	domains, err := store.AccountDomains(ctx, d.DB, account)
	if err != nil {
		return models.Case{}, nil, err
	}
	cs, err := store.AccountCase(ctx, d.DB, account, domains, reportID)
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return cs, nil, NotFound("report_id", "no such report")
		}
		return cs, nil, err
	}
	return cs, domains, nil
}

// customerReports builds the account's view of cases.
func (d *Desk) customerReports(ctx context.Context, account string, domains []string, cases []models.Case) ([]CustomerReport, error) {
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	counts, err := store.AccountMitigationCounts(ctx, d.DB, account, ids)
	if err != nil {
		return nil, err
	}
	out := make([]CustomerReport, 0, len(cases))
	for _, cs := range cases {
		urls, err := store.AccountCaseURLs(ctx, d.DB, cs.ID, domains, maxReportURLs)
		if err != nil {
			return nil, err
		}
		if urls == nil {
			urls = []string{}
		}
		r := CustomerReport{ID: cs.ID, Domain: reportDomain(cs, account, domains, urls), Type: ReportType(cs.Category),
			Status: ReportStatus(cs.Status), Category: cs.Category, CaseStatus: cs.Status, Outcome: cs.Outcome,
			CreatedAt: cs.CreatedAt.UTC(), URLs: urls, Submitter: customerSubmitter(cs)}
		if !cs.Category.NeverForwarded() {
			r.Justification, r.OriginalWork = cs.DescriptionSeenBy(models.RoleOperator), cs.CopyrightWork
		}
		if c := counts[cs.ID]; c != nil {
			r.Summary = MitigationSummary{AcceptedURLCount: c.URLs, ActiveCount: c.ByStatus[models.MitigationActive],
				PendingCount: c.ByStatus[models.MitigationPending], InReviewCount: c.ByStatus[models.MitigationInReview],
				ExternalHostNotified: c.HostNotified}
		}
		out = append(out, r)
	}
	return out, nil
}

// reportDomain is the account's domain a case is about: the case's lead
// domain when it is the account's, else the domain of its first URL of
// the account.
func reportDomain(cs models.Case, account string, domains, urls []string) string {
	if cs.AccountID == account {
		return cs.Domain
	}
	for _, u := range urls {
		h := strings.SplitN(strings.SplitN(strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://"), "/", 2)[0], ":", 2)[0]
		for _, d := range domains {
			if h == d || strings.HasSuffix(h, "."+d) {
				return d
			}
		}
	}
	return cs.Domain
}

// customerSubmitter is the reporter as the account may see them: only
// when the report is forwarded to the operator (the reporter allowed it,
// or the category is always forwarded; never CSAM) and the reporter did
// not choose send-anon or none for the operator (models.Case.ReporterSeenBy).
func customerSubmitter(cs models.Case) *CustomerSubmitter {
	if cs.Category.NeverForwarded() || !(cs.ForwardToOperator || cs.Category.AlwaysForwarded()) {
		return nil
	}
	rep, anon := cs.ReporterSeenBy(models.RoleOperator)
	if anon || (rep.Name == "" && rep.Email == "" && rep.Organization == "") {
		return nil
	}
	return &CustomerSubmitter{Name: rep.Name, Email: rep.Email, Company: rep.Organization}
}
