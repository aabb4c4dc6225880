package pages

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// reportForm is the public form's fields, kept to fill the form again when
// the server refuses it.
type reportForm struct {
	Category                         models.Category
	URLs, Description                string
	Name, Email, Organization, Title string
	NoForward                        bool
	Work, Signature                  string
	GoodFaith, Accurate              bool
	NotConsensual                    bool   // ncsei: the good-faith statement that the depiction is not consensual
	Emergency                        bool   // someone's life or safety is in immediate danger
	Idem                             string // idempotency key: a resent form makes no second case
	lines                            []int  // form line number of each URL sent
}

type reportData struct {
	Form   reportForm
	Errors fieldErrors
	// Summary lists the problems in the order of the form's fields.
	Summary    []summaryItem
	Categories []models.Category
	// What the chosen category needs.
	MayOptOut, AlwaysForwarded, CSAM, Copyright, NCSEI bool
}

func readReportForm(c echo.Context) reportForm {
	f := reportForm{Category: models.Category(c.FormValue("category")), URLs: c.FormValue("urls"),
		Description: c.FormValue("description"), Name: strings.TrimSpace(c.FormValue("name")),
		Email: strings.TrimSpace(c.FormValue("email")), Organization: strings.TrimSpace(c.FormValue("organization")),
		Title: strings.TrimSpace(c.FormValue("title")), NoForward: c.FormValue("no_forward") != "",
		Work: c.FormValue("work"), Signature: strings.TrimSpace(c.FormValue("signature")),
		GoodFaith: c.FormValue("good_faith") != "", Accurate: c.FormValue("accurate_under_penalty") != "", NotConsensual: c.FormValue("good_faith_not_consensual") != "",
		Emergency: c.FormValue("emergency") != "", Idem: c.FormValue("idem")}
	if len(f.Idem) != 32 {
		f.Idem = newIdem()
	}
	return f
}

// request turns the form into the report every channel submits.
func (f *reportForm) request() models.ReportRequest {
	r := models.ReportRequest{Category: f.Category, Description: f.Description, Source: "form", Emergency: f.Emergency,
		Reporter: models.Reporter{Name: f.Name, Email: f.Email, Organization: f.Organization, Title: f.Title}}
	f.lines = nil
	for i, l := range strings.Split(f.URLs, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			r.URLs = append(r.URLs, l)
			f.lines = append(f.lines, i+1)
		}
	}
	if f.Category.ReporterMayOptOut() {
		fwd := !f.NoForward
		r.ForwardToOperator = &fwd
	}
	if f.Category == models.CategoryCopyright {
		r.Copyright = &models.CopyrightClaim{Work: f.Work, GoodFaith: f.GoodFaith, AccurateUnderPenalty: f.Accurate, Signature: f.Signature}
	}
	if f.Category == models.CategoryNCSEI {
		// A TAKE IT DOWN Act request: the URLs locate the depiction (B),
		// the email is the contact (D), these its signature (A) and
		// statement (C), as the JSON API's ncsei object.
		r.NCSEI = &models.NCSEIClaim{Signature: f.Signature, GoodFaithNotConsensual: f.NotConsensual}
	}
	return r
}

// formErrors maps intake's field names to the form's, so each message
// shows beside its field ("urls[2]" becomes a line of the URL box).
func (f reportForm) formErrors(problems []models.FieldError) fieldErrors {
	out := fieldErrors{}
	for _, p := range problems {
		field := p.Field
		if rest, ok := strings.CutPrefix(field, "urls["); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(rest, "]"))
			if err == nil && n >= 0 && n < len(f.lines) {
				out.add("urls", fmt.Sprintf("Line %d: %s", f.lines[n], p.Message))
				continue
			}
			field = "urls"
		}
		field = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(field, "reporter."), "copyright."), "ncsei.")
		if field == "forward_to_operator" {
			field = "no_forward"
		}
		out.add(field, p.Message)
	}
	return out
}

// formOrder is the order of the report form's fields (report.html).
var formOrder = []string{"category", "urls", "description", "emergency", "work", "good_faith",
	"accurate_under_penalty", "ncsei", "good_faith_not_consensual", "signature", "name", "email", "organization", "title", "no_forward"}

// summaryItem is one line of the error summary: a problem and its field.
type summaryItem struct{ Field, Msg string }

// orderedSummary lists the problems as the fields appear on the form (a
// map has no order); fields the form does not know come last, by name.
func orderedSummary(errs fieldErrors) []summaryItem {
	var out []summaryItem
	seen := map[string]bool{}
	for _, f := range formOrder {
		seen[f] = true
		for _, m := range errs[f] {
			out = append(out, summaryItem{f, m})
		}
	}
	var rest []string
	for f := range errs {
		if !seen[f] {
			rest = append(rest, f)
		}
	}
	sort.Strings(rest)
	for _, f := range rest {
		for _, m := range errs[f] {
			out = append(out, summaryItem{f, m})
		}
	}
	return out
}

func newIdem() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (p *Pages) reportData(f reportForm, errs fieldErrors) reportData {
	return reportData{Form: f, Errors: errs, Summary: orderedSummary(errs), Categories: formCategories(),
		MayOptOut: f.Category.ReporterMayOptOut(), AlwaysForwarded: f.Category.AlwaysForwarded(),
		CSAM: f.Category == models.CategoryCSAM, Copyright: f.Category == models.CategoryCopyright,
		NCSEI: f.Category == models.CategoryNCSEI}
}

// reportForm shows the category choice first, then (?category=) the
// fields that category needs.
func (p *Pages) reportForm(c echo.Context) error {
	f := reportForm{Category: models.Category(c.QueryParam("category")), Idem: newIdem()}
	errs := fieldErrors{}
	if c.QueryParams().Has("category") && !f.Category.Valid() {
		errs.add("category", "Choose one of the categories below.")
		f.Category = ""
	}
	return p.render(c, http.StatusOK, "report", "Report abuse", p.reportData(f, errs))
}

type receivedData struct {
	CaseID, StatusURL string
}

// submitReport files the form through desk, as the JSON API does.
func (p *Pages) submitReport(c echo.Context) error {
	f := readReportForm(c)
	if !f.Category.Valid() {
		errs := fieldErrors{}
		errs.add("category", "Choose one of the categories below.")
		f.Category = ""
		return p.render(c, http.StatusUnprocessableEntity, "report", "Report abuse", p.reportData(f, errs))
	}
	created, err := p.desk.Submit(c.Request().Context(), f.request(), "form:"+f.Idem)
	if k, problems := desk.Classify(err); err != nil && k == desk.KindInvalid {
		return p.render(c, http.StatusUnprocessableEntity, "report", "Check your report", p.reportData(f, f.formErrors(problems)))
	}
	if err != nil {
		return err
	}
	return p.render(c, http.StatusOK, "received", "Report received", receivedData{CaseID: created.CaseID, StatusURL: created.StatusURL})
}

// formCategories are the categories the form can file: all of them; an
// NCSEI request carries the TAKE IT DOWN statements in its own fieldset.
func formCategories() []models.Category {
	return append([]models.Category(nil), models.Categories...)
}
