package pages

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// portalSummary is a report's mitigation summary.
type portalSummary struct {
	AcceptedURLs, Active, Pending, InReview int64
	HostNotified                            bool
}

// portalReport is one report as the portal shows it.
type portalReport struct {
	ID, Domain, Type, TypeLabel, Status, StatusLabel string
	CDate                                            time.Time
	URLs                                             []string
	Justification, OriginalWork                      string
	// Submitter is the reporter as they let the account see them; empty
	// when anonymous to it.
	Submitter string
	Summary   portalSummary
}

func portalReportOf(r desk.CustomerReport) portalReport {
	s := r.Summary
	v := portalReport{ID: r.ID, Domain: r.Domain, Type: r.Type, TypeLabel: labelOf(reportTypes, r.Type),
		Status: r.Status, StatusLabel: labelOf(reportStatuses, r.Status), CDate: r.CreatedAt, URLs: r.URLs,
		Justification: r.Justification, OriginalWork: r.OriginalWork, Summary: portalSummary{AcceptedURLs: s.AcceptedURLCount,
			Active: s.ActiveCount, Pending: s.PendingCount, InReview: s.InReviewCount, HostNotified: s.ExternalHostNotified}}
	if sub := r.Submitter; sub != nil {
		var parts []string
		if who := strings.TrimSpace(sub.Name + " " + angle(sub.Email)); who != "" {
			parts = append(parts, who)
		}
		if sub.Company != "" {
			parts = append(parts, sub.Company)
		}
		v.Submitter = strings.Join(parts, ", ")
	}
	return v
}

// angle is an address in angle brackets ("" for none).
func angle(email string) string {
	if email == "" {
		return ""
	}
	return "<" + email + ">"
}

type portalReportsData struct {
	Filter                       portalFilter
	Errors                       fieldErrors
	Reports                      []portalReport
	Total, Page, Pages           int
	PrevURL, NextURL             string
	Filtered                     bool
	Types, Statuses, MitStatuses []choice
}

// portalReports is the list of the account's reports, filtered and paged.
func (p *Pages) portalReports(c echo.Context) error {
	f, errs := readPortalFilter(c.QueryParams())
	d := portalReportsData{Filter: f, Errors: errs, Page: f.Page, Filtered: f.filtered(),
		Types: reportTypes, Statuses: reportStatuses, MitStatuses: mitigationStatusChoices}
	code := http.StatusOK
	if errs.Any() {
		code = http.StatusUnprocessableEntity
	} else {
		df := desk.CustomerReportFilter{Domain: f.Domain, Type: f.Type, Status: f.Status, MitigationStatus: f.MitigationStatus,
			Page: f.Page, PerPage: portalPerPage, Sort: "cdate", Desc: true}
		if !f.After.IsZero() {
			df.CreatedAfter = &f.After
		}
		if !f.Before.IsZero() {
			df.CreatedBefore = &f.Before
		}
		rs, total, err := p.desk.CustomerReports(c.Request().Context(), account(c), df)
		if err != nil {
			st, ps := statusOf(err)
			if st != http.StatusUnprocessableEntity && st != http.StatusBadRequest {
				return err
			}
			code, d.Errors = st, problemsOf(ps)
		}
		for _, r := range rs {
			d.Reports = append(d.Reports, portalReportOf(r))
		}
		d.Total = total
	}
	d.Pages = int(math.Ceil(float64(d.Total) / portalPerPage))
	if d.Page > 1 {
		d.PrevURL = f.query(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.NextURL = f.query(d.Page + 1)
	}
	return p.renderPortal(c, code, "customer_reports", "Your abuse reports", "reports", d)
}

// portalMitigation is one mitigation as the portal shows it.
type portalMitigation struct {
	ID, Type, TypeLabel, Covers, Status, StatusLabel, Note string
	Effective                                              time.Time
	AppealReason, AppealReasonLabel, AppealStatement       string
	AppealedAt                                             *time.Time
	Appealable                                             bool
}

func portalMitigationOf(m models.Mitigation, now time.Time) portalMitigation {
	return portalMitigation{ID: m.ID, Type: string(m.Type), TypeLabel: mitigationWord(m.Type), Covers: coverage(m),
		Status: string(m.Status), StatusLabel: statusWord(m.Status), Note: statusNote(m, now), Effective: m.EffectiveDate,
		AppealReason: m.AppealReason, AppealReasonLabel: appealReasonWord(m.AppealReason), AppealStatement: m.AppealStatement,
		AppealedAt: m.AppealedAt, Appealable: appealable(m.Status)}
}

// portalEmail is one mail the desk sent about a report.
type portalEmail struct {
	To, Subject, StateLabel, Detail, Role string
	State                                 models.NoticeDeliveryState
	SentAt                                *time.Time
}

type portalReportData struct {
	Report        portalReport
	Mitigations   []portalMitigation
	Emails        []portalEmail
	AnyAppealable bool
	Errors        fieldErrors
	Picked        map[string]bool
	Reason        string
	Statement     string
	Reasons       []choice
	MaxStatement  int
	Appealed      int
	// MoreMitigations counts those past the first maxAppealPicks.
	MoreMitigations int
}

// portalReport is one report: its summary, mitigations, the appeal form
// and the mail sent about it. Another account's report is 404.
func (p *Pages) portalReport(c echo.Context) error {
	n, err := strconv.Atoi(c.QueryParam("appealed"))
	if err != nil || n < 0 || n > maxAppealPicks {
		n = 0
	}
	return p.renderReport(c, http.StatusOK, appealForm{}, fieldErrors{}, n)
}

func (p *Pages) renderReport(c echo.Context, code int, form appealForm, errs fieldErrors, appealed int) error {
	ctx, acct, id := c.Request().Context(), account(c), c.Param("id")
	r, err := p.desk.CustomerReport(ctx, acct, id)
	if err != nil {
		return err
	}
	ms, total, err := p.desk.CustomerMitigations(ctx, acct, id, desk.MitigationFilter{Page: 1, PerPage: maxAppealPicks, Sort: "effective_date"})
	if err != nil {
		return err
	}
	es, err := p.desk.CustomerEmails(ctx, acct, id)
	if err != nil {
		return err
	}
	d := portalReportData{Report: portalReportOf(r), Errors: errs, Picked: map[string]bool{}, Reason: form.Reason,
		Statement: form.Statement, Reasons: appealReasons, MaxStatement: maxAppealStatement, Appealed: appealed, MoreMitigations: total - len(ms)}
	for _, id := range form.IDs {
		d.Picked[id] = true
	}
	now := time.Now()
	for _, m := range ms {
		v := portalMitigationOf(m, now)
		d.AnyAppealable = d.AnyAppealable || v.Appealable
		d.Mitigations = append(d.Mitigations, v)
	}
	for _, e := range es {
		d.Emails = append(d.Emails, portalEmail{To: e.To, Subject: e.Subject, State: e.DeliveryState, Role: roleWords[e.RecipientRole],
			StateLabel: deliveryWord(e.DeliveryState), Detail: e.BounceReason, SentAt: e.SentAt})
	}
	return p.renderPortal(c, code, "customer_report", "Report "+r.ID, "reports", d)
}

// postPortalAppeal files an appeal of the ticked mitigations
// (desk.CustomerAppeal): each goes to in_review until an analyst upholds
// or lifts it.
func (p *Pages) postPortalAppeal(c echo.Context) error {
	form, errs := readAppeal(c.Request().PostForm)
	if errs.Any() {
		return p.renderReport(c, http.StatusUnprocessableEntity, form, errs, 0)
	}
	appeals := make([]desk.Appeal, 0, len(form.IDs))
	for _, id := range form.IDs {
		appeals = append(appeals, desk.Appeal{MitigationID: id, Reason: form.Reason, Statement: form.Statement})
	}
	id := c.Param("id")
	done, err := p.desk.CustomerAppeal(c.Request().Context(), account(c), id, appeals)
	if err != nil {
		code, ps := statusOf(err)
		if code != http.StatusUnprocessableEntity && code != http.StatusConflict && code != http.StatusBadRequest &&
			code != http.StatusNotFound {
			return err
		}
		return p.renderReport(c, code, form, appealProblems(ps), 0)
	}
	p.awaitAppeals(c, id, form.IDs)
	return c.Redirect(http.StatusSeeOther, "/portal/reports/"+url.PathEscape(id)+"?appealed="+strconv.Itoa(len(done)))
}

// appealProblems puts desk's problems with an appeal beside the form's
// fields (appeals[i].reason -> reason, appeals[i].id -> mitigation_id).
func appealProblems(ps []models.FieldError) fieldErrors {
	out := fieldErrors{}
	for _, pr := range ps {
		f := pr.Field
		if i := strings.LastIndexByte(f, '.'); i >= 0 {
			f = f[i+1:]
		}
		if f != "reason" && f != "statement" {
			f = "mitigation_id"
		}
		out.add(f, pr.Message)
	}
	return out
}

// appealSettle bounds the wait for the appealed mitigations' records.
const appealSettle = 5 * time.Second

// awaitAppeals waits (at most appealSettle) until the records of the
// appealed mitigations show the appeal, which their workflows write after
// the signal, so that the page the customer lands on shows them in review.
func (p *Pages) awaitAppeals(c echo.Context, reportID string, ids []string) {
	ctx, acct := c.Request().Context(), account(c)
	deadline := time.Now().Add(appealSettle)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		ms, _, err := p.desk.CustomerMitigations(ctx, acct, reportID, desk.MitigationFilter{Page: 1, PerPage: maxAppealPicks})
		if err != nil {
			return
		}
		left := map[string]bool{}
		for _, id := range ids {
			left[id] = true
		}
		for _, m := range ms {
			if m.AppealedAt != nil {
				delete(left, m.ID)
			}
		}
		if len(left) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
