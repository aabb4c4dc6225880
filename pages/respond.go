package pages

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

type respondData struct {
	View    desk.OperatorView
	Body    string
	Token   string
	Form    desk.ResponseRequest
	Errors  fieldErrors
	Replied *models.OperatorReply
	Sent    bool
	// After an answer: the answer in words, what happens next and, for a
	// dispute, the date by which an analyst decides.
	AnswerText, NextStep string
	DecideBy             *time.Time
}

// answeredTexts say, after an answer, what the operator answered and what
// happens next.
var answeredTexts = map[string][2]string{
	desk.AnswerRemoved: {"you removed the content",
		"Nothing more is needed from you. The restriction stays in place over the removed content; we will write to you if anything changes."},
	desk.AnswerDispute: {"you dispute the decision",
		"An analyst reviews your dispute. We will write to you with the outcome: access restored, or the restriction upheld with its reasons."},
	desk.AnswerCounterNotice: {"you sent a DMCA counter-notice",
		"We sent your counter-notice to the complainant. Unless they tell us they have filed a court action, we restore access not less than 10 and not more than 14 business days after we received it (17 U.S.C. 512(g)(2)(C)); we will write to you."},
	desk.AnswerCorrected: {"you corrected the registration data",
		"We will check the registration data and write to you; nothing more is needed for now."},
}

// answered fills what the page says after the operator's answer.
func (p *Pages) answered(ctx context.Context, d *respondData) error {
	t, ok := answeredTexts[d.Replied.Response]
	if !ok {
		t = [2]string{d.Replied.Response, "We will write to you if anything changes."}
	}
	d.AnswerText, d.NextStep = t[0], t[1]
	if d.Replied.Response != desk.AnswerDispute {
		return nil
	}
	by, err := p.desk.DisputeDecideBy(ctx, d.View, *d.Replied)
	d.DecideBy = by
	return err
}

// answerLabels say what each answer means to the operator.
var answerLabels = map[string]string{
	desk.AnswerRemoved:       "I removed the content.",
	desk.AnswerDispute:       "I dispute the decision (say why below).",
	desk.AnswerCounterNotice: "I send a DMCA counter-notice: the material was removed by mistake or misidentification (17 U.S.C. 512(g)(3)).",
	desk.AnswerCorrected:     "I corrected the registration data.",
}

// Label explains one answer.
func (d respondData) Label(answer string) string { return answerLabels[answer] }

// Allows reports whether the notice takes this answer now.
func (d respondData) Allows(answer string) bool {
	for _, a := range d.View.Answers {
		if a == answer {
			return true
		}
	}
	return false
}

func (p *Pages) respondPage(c echo.Context) error {
	token := c.QueryParam("token")
	return p.renderRespond(c, http.StatusOK, c.Param("id"), token, desk.ResponseRequest{}, fieldErrors{}, c.QueryParam("sent") != "")
}

func (p *Pages) renderRespond(c echo.Context, code int, id, token string, form desk.ResponseRequest, errs fieldErrors, sent bool) error {
	ctx := c.Request().Context()
	n, err := p.desk.OperatorNotice(ctx, id, token)
	if err != nil {
		return err
	}
	v, err := p.desk.OperatorView(ctx, n)
	if err != nil {
		return err
	}
	d := respondData{View: v, Token: token, Form: form, Errors: errs, Sent: sent,
		Body: strings.ReplaceAll(v.Body, desk.ResponseLinkPlaceholder, "(this page)")}
	r, err := p.desk.OperatorAnswer(ctx, n.ID)
	if err != nil {
		return err
	}
	if r != nil {
		d.Replied = r
		if err := p.answered(ctx, &d); err != nil {
			return err
		}
	}
	return p.render(c, code, "respond", "Respond to notice", d)
}

// postRespond records the operator's answer through desk.Respond, which
// checks the token, the answers the case takes now and the counter-notice
// elements.
func (p *Pages) postRespond(c echo.Context) error {
	id, token := c.Param("id"), c.FormValue("token")
	req := desk.ResponseRequest{Response: c.FormValue("response"), Statement: c.FormValue("statement"),
		MaterialIdentified: c.FormValue("material_identified"), UnderPenaltyOfPerjury: c.FormValue("under_penalty_of_perjury") != "",
		ConsentToJurisdiction: c.FormValue("consent_to_jurisdiction") != "", Name: c.FormValue("name"),
		Address: c.FormValue("address"), Phone: c.FormValue("phone"), Signature: c.FormValue("signature")}
	if req.Response == "" {
		return p.renderRespond(c, http.StatusUnprocessableEntity, id, token, req, fieldErrors{"response": {"Choose an answer."}}, false)
	}
	if _, err := p.desk.Respond(c.Request().Context(), id, token, req); err != nil {
		code, problems := statusOf(err)
		if code >= 500 || code == http.StatusNotFound || code == http.StatusGone || code == http.StatusUnauthorized {
			return err
		}
		return p.renderRespond(c, code, id, token, req, problemsOf(problems), false)
	}
	return c.Redirect(http.StatusSeeOther, "/respond/"+url.PathEscape(id)+"?token="+url.QueryEscape(token)+"&sent=1")
}
