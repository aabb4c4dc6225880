package pages

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
)

// bulkVerdicts are the verdicts the queue's bulk decision offers:
// need_info asks each reporter its own question, so it is decided case by
// case (desk.BulkDecide refuses it too).
var bulkVerdicts = []string{"violates", "no_violation", "uphold", "reverse", "decline"}

// backTo is where a claim from the queue or the case page returns: the
// form's back field when it is a console path (never another site),
// otherwise the case page.
func backTo(c echo.Context, id string) string {
	b := c.FormValue("back")
	if strings.HasPrefix(b, "/console") && !strings.HasPrefix(b, "//") && !strings.ContainsAny(b, "\\\r\n") {
		return b
	}
	return "/console/cases/" + url.PathEscape(id)
}

// postClaim claims a case for the signed-in analyst (force: take it over
// from another); another analyst's claim is a 409 page naming them.
func (p *Pages) postClaim(c echo.Context) error {
	k, _ := c.Get(ctxUser).(config.APIKey)
	id := c.Param("id")
	if _, err := p.desk.Claim(c.Request().Context(), id, k.Name, c.FormValue("force") == "1"); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, backTo(c, id))
}

// postRelease gives up the signed-in analyst's claim.
func (p *Pages) postRelease(c echo.Context) error {
	k, _ := c.Get(ctxUser).(config.APIKey)
	id := c.Param("id")
	if _, err := p.desk.Release(c.Request().Context(), id, k.Name, c.FormValue("force") == "1"); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, backTo(c, id))
}

type bulkData struct {
	Form    desk.BulkDecision
	Errors  fieldErrors
	Results []desk.BulkResult
	Decided int
	Back    string
}

// postBulk applies one decision to the cases ticked in the queue and
// shows what became of each (desk.BulkDecide: each case its own
// validated Update).
func (p *Pages) postBulk(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	req := desk.BulkDecision{CaseIDs: form["case_id"], Verdict: form.Get("verdict"), Clause: form.Get("clause"), Reason: form.Get("reason")}
	d := bulkData{Form: req, Errors: fieldErrors{}, Back: "/console"}
	if b := form.Get("back"); strings.HasPrefix(b, "/console") && !strings.HasPrefix(b, "//") {
		d.Back = b
	}
	if len(req.CaseIDs) == 0 {
		d.Errors.add("case_id", "Tick at least one case.")
	}
	if req.Verdict == "" {
		d.Errors.add("verdict", "Choose a verdict.")
	}
	if req.Verdict == desk.VerdictViolates && req.Clause == "" {
		d.Errors.add("clause", "Choose the terms clause the content violates.")
	}
	if strings.TrimSpace(req.Reason) == "" {
		d.Errors.add("reason", "Give the reason; it goes into each case's statement of reasons.")
	}
	if d.Errors.Any() {
		return p.render(c, http.StatusUnprocessableEntity, "bulk", "Bulk decision", d)
	}
	k, _ := c.Get(ctxUser).(config.APIKey)
	res, err := p.desk.BulkDecide(c.Request().Context(), req, k.Name)
	if err != nil {
		code, problems := statusOf(err)
		if code != http.StatusUnprocessableEntity && code != http.StatusBadRequest {
			return err
		}
		for _, pr := range problems {
			d.Errors.add(pr.Field, pr.Message)
		}
		return p.render(c, code, "bulk", "Bulk decision", d)
	}
	d.Results = res
	for _, r := range res {
		if r.Decided {
			d.Decided++
		}
	}
	return p.render(c, http.StatusOK, "bulk", "Bulk decision", d)
}
