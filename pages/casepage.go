package pages

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

type caseData struct {
	Case     desk.CaseView
	Timeline []desk.TimelineEntry
	// TimelineError says why the history could not be read (the rest of
	// the page still shows).
	TimelineError string
	Form          desk.DecisionRequest
	Errors        fieldErrors
	Refusal       string // the validator's refusal, in words
	Done          string // the verdict just accepted
	Suggested     []string
	Other         []string
	Clauses       []clauseOption
	// Report fields the analyst view of desk.CaseView leaves out.
	Work, Signature string
	Forward         bool
	// CanDownload shows the raw-history link to auditors only (the
	// download needs that role).
	CanDownload bool
	// Answers are the answers to the case's notices, shown beside the
	// decision form so that a dispute is read before it is decided.
	Answers []answerShown
	// Mitigations are the case's restrictions; those in review carry the
	// customer's appeal and the form that answers it (customer_review.go).
	Mitigations      []caseMitigation
	MitigationsError string
	Reviewed         string // the review just recorded: uphold or lift
	ReviewDecisions  []choice
	// Scope is exactly what a violates decision would cover (with the
	// form's scope prefix, when there is one), shown in the form.
	Scope *desk.DecisionScope
	// ThreatStates are the member states with an authority to refer the
	// case to (DSA Art. 18; referrals.go).
	ThreatStates []string
}

// answerShown is one operator's answer on the case page.
type answerShown struct {
	desk.OperatorAnswerView
	NoticeID string
	Role     models.RecipientRole
	Label    string // the kind in words
	// More counts the characters of the statement not shown (the page
	// shows at most maxStatementShown; the API has the rest).
	More int
}

// maxStatementShown bounds the statement shown on the case page (runes):
// the text is the operator's, so a huge one must not bury the form.
const maxStatementShown = 4000

// answerKinds name each kind of answer.
var answerKinds = map[string]string{
	desk.AnswerDispute:       "Dispute",
	desk.AnswerCounterNotice: "DMCA counter-notice",
	desk.AnswerRemoved:       "Content removed",
	desk.AnswerCorrected:     "Registration data corrected",
}

// answersShown lists the case's answers, each statement bounded.
func answersShown(cs desk.CaseView) []answerShown {
	var out []answerShown
	for _, n := range cs.Notices {
		if n.OperatorAnswer == nil {
			continue
		}
		a := answerShown{OperatorAnswerView: *n.OperatorAnswer, NoticeID: n.NoticeID, Role: n.RecipientRole,
			Label: answerKinds[n.OperatorAnswer.Kind]}
		if a.Label == "" {
			a.Label = a.Kind
		}
		if r := []rune(a.Statement); len(r) > maxStatementShown {
			a.Statement, a.More = string(r[:maxStatementShown]), len(r)-maxStatementShown
		}
		out = append(out, a)
	}
	return out
}

// verdicts the case page offers; the workflow's validator decides which
// the case takes now.
var verdicts = []string{"violates", "no_violation", "need_info", "uphold", "reverse", "decline"}

// suggested are the verdicts a case usually takes in a status.
var suggested = map[models.Status][]string{
	models.StatusAwaitingAnalyst: {"violates", "no_violation", "need_info"},
	models.StatusDisputed:        {"uphold", "reverse"},
	models.StatusRegistrarReview: {"uphold", "decline", "reverse"},
}

func (p *Pages) casePage(c echo.Context) error {
	form := desk.DecisionRequest{}
	if v := c.QueryParam("scope_prefix"); len(v) <= models.MaxScopePrefix {
		form.ScopePrefix, form.Verdict = v, c.QueryParam("verdict") // the scope preview
	}
	return p.renderCase(c, http.StatusOK, form, fieldErrors{}, "", c.QueryParam("done"))
}

func (p *Pages) renderCase(c echo.Context, code int, form desk.DecisionRequest, errs fieldErrors, refusal, done string) error {
	ctx := c.Request().Context()
	cs, err := p.desk.LoadCase(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	k, _ := c.Get(ctxUser).(config.APIKey)
	d := caseData{Case: cs, Form: form, Errors: errs, Refusal: refusal, Done: done, Clauses: clauseOptions(),
		Suggested: suggested[cs.Status], CanDownload: models.Role(k.Role).Allows(models.RoleAuditor), Answers: answersShown(cs)}
	x, err := p.desk.ReportExtras(ctx, cs.CaseID)
	if err != nil {
		return err
	}
	d.Work, d.Signature, d.Forward = x.Work, x.Signature, x.Forward
	d.ThreatStates = p.threatStates()
	d.Mitigations, d.MitigationsError = p.caseMitigations(c, cs.CaseID)
	d.ReviewDecisions = reviewDecisions
	if r := c.QueryParam("reviewed"); hasChoice(reviewDecisions, r) {
		d.Reviewed = r
	}
	if contains(d.Suggested, desk.VerdictViolates) {
		sc, err := p.desk.DecisionScope(ctx, cs.CaseID, form.ScopePrefix)
		if err != nil {
			return err
		}
		d.Scope = &sc
	}
	for _, v := range verdicts {
		if !contains(d.Suggested, v) {
			d.Other = append(d.Other, v)
		}
	}
	if d.Timeline, err = p.desk.Timeline(ctx, cs.CaseID); err != nil {
		d.TimelineError = "The workflow history could not be read: " + err.Error()
	}
	return p.render(c, code, "case", "Case "+cs.CaseID, d)
}

// clauseOption is one terms clause in the decision form.
type clauseOption struct{ Value, Label string }

// clauseLabels say what each terms clause (desk.Clauses; docs/DESIGN.md
// step 4.1) covers, so that an analyst finds phishing or fraud
// without guessing.
var clauseLabels = map[string]string{
	"csam":                  "csam: child sexual abuse material, exploitation of minors",
	"ip":                    "ip: intellectual property infringement",
	"defamation":            "defamation established by legal process",
	"controlled_substances": "controlled_substances: sale of controlled substances",
	"trafficking":           "trafficking",
	"malware":               "malware: malware, command and control",
	"phishing_fraud":        "phishing_fraud: phishing, scams and fraud",
	"other_illegal":         "other_illegal: otherwise illegal or harmful (doxxing, incitement)",
}

func clauseOptions() []clauseOption {
	out := make([]clauseOption, 0, len(desk.Clauses))
	for _, c := range desk.Clauses {
		l := clauseLabels[c]
		if l == "" {
			l = c
		}
		out = append(out, clauseOption{Value: c, Label: l})
	}
	return out
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// postDecide sends the decision as the Temporal Update (desk.Decide); a
// refusal of its validator is shown in words beside the form.
func (p *Pages) postDecide(c echo.Context) error {
	id := c.Param("id")
	form := desk.DecisionRequest{Verdict: c.FormValue("verdict"), Reason: c.FormValue("reason"),
		Clause: c.FormValue("clause"), Question: c.FormValue("question"), LegalBasis: c.FormValue("legal_basis"),
		ScopePrefix: c.FormValue("scope_prefix")}
	if form.Verdict == "" {
		return p.renderCase(c, http.StatusUnprocessableEntity, form, fieldErrors{"verdict": {"Choose a verdict."}}, "", "")
	}
	if form.Verdict == desk.VerdictViolates && form.Clause == "" {
		return p.renderCase(c, http.StatusUnprocessableEntity, form,
			fieldErrors{"clause": {"Choose the terms clause the content violates."}}, "", "")
	}
	k, _ := c.Get(ctxUser).(config.APIKey)
	if _, err := p.desk.DecideAndWait(c.Request().Context(), id, form, k.Name); err != nil {
		code, problems := statusOf(err)
		if code != http.StatusConflict && code != http.StatusUnprocessableEntity {
			return err
		}
		refusal := "The case refused this decision"
		if code == http.StatusUnprocessableEntity {
			refusal = "This decision is incomplete"
		}
		for i, pr := range problems {
			sep := ": "
			if i > 0 {
				sep = "; "
			}
			refusal += sep + pr.Message
		}
		return p.renderCase(c, code, form, fieldErrors{}, refusal+".", "")
	}
	return c.Redirect(http.StatusSeeOther, "/console/cases/"+url.PathEscape(id)+"?done="+url.QueryEscape(form.Verdict))
}
