package pages

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// statusData is the reporter's status page: only what desk.ReporterView
// gives a reporter, never operator-only details.
type statusData struct {
	View     desk.ReporterView
	Token    string
	Contacts []string // whom to contact next, from the reply
	NextStep string
	Answer   string
	Answered bool
	Errors   fieldErrors
	Steps    []step
}

// step is one stage of the progress list.
type step struct {
	Label         string
	Done, Current bool
}

func (p *Pages) statusPage(c echo.Context) error {
	id, token := c.Param("id"), c.QueryParam("token")
	cs, err := p.desk.ReporterCase(c.Request().Context(), id, token)
	if err != nil {
		return err
	}
	return p.renderStatus(c, http.StatusOK, cs, token, "", fieldErrors{}, c.QueryParam("answered") != "")
}

func (p *Pages) renderStatus(c echo.Context, code int, cs models.Case, token, answer string, errs fieldErrors, answered bool) error {
	v, err := p.desk.ReporterView(c.Request().Context(), cs)
	if err != nil {
		return err
	}
	d := statusData{View: v, Token: token, Answer: answer, Errors: errs, Answered: answered, Steps: progress(v.Status, v.Outcome, cs.Service)}
	d.Contacts, d.NextStep = nextContact(v)
	return p.render(c, code, "status", "Your report "+v.CaseID, d)
}

// postAnswer takes the reporter's answer to a need_info question.
func (p *Pages) postAnswer(c echo.Context) error {
	id, token := c.Param("id"), c.FormValue("token")
	cs, err := p.desk.ReporterCase(c.Request().Context(), id, token)
	if err != nil {
		return err
	}
	answer := c.FormValue("answer")
	if _, err := p.desk.AnswerReporter(c.Request().Context(), cs, answer); err != nil {
		code, problems := statusOf(err)
		if code >= 500 {
			return err
		}
		return p.renderStatus(c, code, cs, token, answer, problemsOf(problems), false)
	}
	return c.Redirect(http.StatusSeeOther, "/status/"+url.PathEscape(id)+"?token="+url.QueryEscape(token)+"&answered=1")
}

// progress is the reporter's view of the stages of a case: only the
// stages the case's path has (a forwarded case is never "under review").
func progress(s models.Status, o models.Outcome, svc models.Service) []step {
	stage := map[models.Status]int{
		models.StatusReceived: 0, models.StatusClassifying: 0, models.StatusForwarding: 1,
		models.StatusAwaitingAnalyst: 1, models.StatusAwaitingReporter: 1, models.StatusRegistrarReview: 1,
		models.StatusAwaitingOperator: 2, models.StatusDisputed: 2, models.StatusCounterNotice: 2,
		models.StatusAwaitingRegistrant: 2,
	}[s]
	labels := pathLabels(s, o, svc)
	if s == models.StatusClosed {
		stage = len(labels) - 1
	}
	out := make([]step, len(labels))
	for i, l := range labels {
		out[i] = step{Label: l, Done: i < stage || s == models.StatusClosed, Current: i == stage}
	}
	return out
}

// pathLabels names the stages of the path a case takes.
func pathLabels(s models.Status, o models.Outcome, svc models.Service) []string {
	early := s == models.StatusReceived || s == models.StatusClassifying
	switch {
	case o == models.OutcomeForwarded || s == models.StatusForwarding || (o == models.OutcomeNone && early && svc == models.ServiceCDN):
		return []string{"Received", "Forwarded to the hosting provider", "Closed"}
	case o == models.OutcomeNotOurCustomer || o == models.OutcomeRegistrarAnswered:
		return []string{"Received", "Answered", "Closed"}
	case o == models.OutcomeNoViolation || o == models.OutcomeNoInfo:
		return []string{"Received", "Under review", "Closed"}
	}
	return []string{"Received", "Under review", "Action taken", "Closed"}
}

const followUpHead = "To follow up, contact the hosting provider:"

// nextContact finds whom the reporter should contact next: the hosting
// providers named in our reply, or a sentence saying what happens next.
func nextContact(v desk.ReporterView) ([]string, string) {
	for i := len(v.Messages) - 1; i >= 0; i-- {
		_, rest, ok := strings.Cut(v.Messages[i].Body, followUpHead)
		if !ok {
			continue
		}
		var out []string
		for _, l := range strings.Split(strings.TrimSpace(rest), "\n") {
			if l = strings.TrimSpace(l); l == "" {
				break
			}
			out = append(out, l)
		}
		return out, "We do not host this content. To follow up, contact its hosting provider:"
	}
	switch {
	case v.Outcome == models.OutcomeNotOurCustomer:
		return nil, "None of the addresses uses our services: contact the website's hosting provider."
	case v.Status == models.StatusAwaitingReporter:
		return nil, "Us: please answer the question below."
	case v.Status == models.StatusClosed:
		return nil, "Nothing more is needed from you. If you disagree with the outcome, reply to our last email to ask for a review; you may also use out-of-court dispute settlement or the courts."
	}
	return nil, "Nobody for now: we will write to you when something changes."
}
