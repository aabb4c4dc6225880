package pages

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// The analyst's side of a customer's appeal (docs/DESIGN.md
// "Mitigations"): the case page lists the case's mitigations, and beside
// each one in review the customer's reason and statement and the form
// that answers them (uphold or lift, desk.ReviewMitigation).

const ctxReviewRefusal = "pages.review"

// caseMitigation is one mitigation on the case page.
type caseMitigation struct {
	desk.MitigationView
	TypeLabel, Covers, StatusLabel, AppealReasonLabel string
	// Statement is the appeal's statement, bounded as the operator's is
	// (maxStatementShown runes); More counts the rest.
	Statement string
	More      int
	InReview  bool
	// Refusal is the workflow's refusal of the review just sent.
	Refusal string
}

// reviewRefusal is a refused review, shown beside its form.
type reviewRefusal struct{ ID, Msg string }

// caseMitigations reads the case's mitigations for the case page; an error
// is shown in the page instead of the mitigations.
func (p *Pages) caseMitigations(c echo.Context, caseID string) ([]caseMitigation, string) {
	vs, err := p.desk.CaseMitigations(c.Request().Context(), caseID)
	if err != nil {
		p.opt.Log.Error("case mitigations failed", "case", caseID, "err", err)
		return nil, "The mitigations could not be read."
	}
	ref, _ := c.Get(ctxReviewRefusal).(reviewRefusal)
	out := make([]caseMitigation, 0, len(vs))
	for _, v := range vs {
		out = append(out, mitigationShown(v, ref))
	}
	return out, ""
}

// mitigationShown is one mitigation in words, its appeal's statement
// bounded, with the refusal of a review of it just sent.
func mitigationShown(v desk.MitigationView, ref reviewRefusal) caseMitigation {
	m := models.Mitigation{Type: v.Type, EntityType: v.EntityType, EntityID: v.EntityID, Countries: strings.Join(v.Countries, ",")}
	cm := caseMitigation{MitigationView: v, TypeLabel: mitigationWord(v.Type), Covers: coverage(m),
		StatusLabel: statusWord(v.Status), InReview: v.Status == models.MitigationInReview}
	if a := v.Appeal; a != nil {
		cm.AppealReasonLabel = appealReasonWord(a.Reason)
		cm.Statement = a.Statement
		if r := []rune(a.Statement); len(r) > maxStatementShown {
			cm.Statement, cm.More = string(r[:maxStatementShown]), len(r)-maxStatementShown
		}
	}
	if ref.ID == v.ID {
		cm.Refusal = ref.Msg
	}
	return cm
}

// reviewDecisions are the answers to an appeal.
var reviewDecisions = []choice{
	{Value: "uphold", Label: "Uphold: the mitigation stays"},
	{Value: "lift", Label: "Lift: the mitigation ends now"},
}

// postReviewMitigation answers a customer's appeal. The mitigation must be
// one of the case's (another case's is 404); a refusal of the workflow's
// validator is shown beside the form.
func (p *Pages) postReviewMitigation(c echo.Context) error {
	ctx, id, mid := c.Request().Context(), c.Param("id"), c.Param("mid")
	m, err := p.desk.Mitigation(ctx, mid)
	if err != nil {
		return err
	}
	if m.CaseID != id {
		return desk.NotFound("mitigation", "not found")
	}
	decision, note := c.FormValue("decision"), strings.TrimSpace(c.FormValue("note"))
	refuse := func(code int, msg string) error {
		c.Set(ctxReviewRefusal, reviewRefusal{ID: mid, Msg: msg})
		return p.renderCase(c, code, desk.DecisionRequest{}, fieldErrors{}, "", "")
	}
	if !hasChoice(reviewDecisions, decision) {
		return refuse(http.StatusUnprocessableEntity, "Choose uphold or lift.")
	}
	k, _ := c.Get(ctxUser).(config.APIKey)
	if _, err := p.desk.ReviewMitigation(ctx, mid, desk.MitigationReviewRequest{Decision: decision, Note: note}, k.Name); err != nil {
		code, ps := statusOf(err)
		if code != http.StatusConflict && code != http.StatusUnprocessableEntity {
			return err
		}
		msg := "The mitigation refused this review"
		for i, pr := range ps {
			msg += map[bool]string{true: ": ", false: "; "}[i == 0] + pr.Message
		}
		return refuse(code, msg+".")
	}
	return c.Redirect(http.StatusSeeOther, "/console/cases/"+url.PathEscape(id)+"?reviewed="+url.QueryEscape(decision)+"#mitigation-"+url.PathEscape(mid))
}

// appealsData is the console's list of appeals awaiting an analyst.
type appealsData struct {
	Mitigations []caseMitigation
}

// appealsTmpl is the appeals page inside the console's layout.
var appealsTmpl = template.Must(template.Must(template.New("layout.html").Funcs(funcs).
	ParseFS(templateFS, "templates/layout.html")).ParseFS(templateFS, "templates/customer_appeals.html"))

// appealsPage lists the mitigations whose appeal awaits an analyst,
// overdue first, then by deadline (desk.MitigationsInReview): the case
// queue does not show them, since the case itself may wait for nobody.
func (p *Pages) appealsPage(c echo.Context) error {
	vs, err := p.desk.MitigationsInReview(c.Request().Context())
	if err != nil {
		return err
	}
	d := appealsData{}
	for _, v := range vs {
		d.Mitigations = append(d.Mitigations, mitigationShown(v, reviewRefusal{}))
	}
	v := view{Title: "Appeals to review", CSRF: csrfToken(c), Data: d}
	if k, ok := p.SessionKey(c); ok {
		v.User = &userInfo{Name: k.Name, Role: k.Role, Analyst: models.Role(k.Role).Allows(models.RoleAnalyst)}
	}
	var b bytes.Buffer
	if err := appealsTmpl.ExecuteTemplate(&b, "layout.html", v); err != nil {
		p.opt.Log.Error("page template failed", "page", "appeals", "err", err)
		return c.String(http.StatusInternalServerError, "internal error")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(http.StatusOK, b.Bytes())
}
