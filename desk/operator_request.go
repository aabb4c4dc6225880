package desk

import (
	"strings"

	"github.com/abusedesk/abusedesk/models"
)

// ResponseRequest is the operator's answer. A counter-notice carries the
// 17 U.S.C. 512(g)(3) elements as named fields.
type ResponseRequest struct {
	Response              string `json:"response"`
	Statement             string `json:"statement"`
	MaterialIdentified    string `json:"material_identified"`
	UnderPenaltyOfPerjury bool   `json:"under_penalty_of_perjury"`
	ConsentToJurisdiction bool   `json:"consent_to_jurisdiction"`
	Name                  string `json:"name"`
	Address               string `json:"address"`
	Phone                 string `json:"phone"`
	Signature             string `json:"signature"`
}

// Validate lists every problem of an answer.
func (r ResponseRequest) Validate(allowed []string) []models.FieldError {
	var errs []models.FieldError
	add := func(f, m string) { errs = append(errs, models.FieldError{Field: f, Message: m}) }
	ok := false
	for _, a := range allowed {
		ok = ok || a == r.Response
	}
	if !ok {
		add("response", "must be one of "+strings.Join(allowed, ", "))
		return errs
	}
	if len(r.Statement) > 20000 {
		add("statement", "at most 20000 characters")
	}
	if r.Response == AnswerDispute && strings.TrimSpace(r.Statement) == "" {
		add("statement", "required: say why the decision is wrong")
	}
	if r.Response == AnswerCounterNotice {
		errs = append(errs, r.counterNoticeProblems()...)
	}
	return errs
}

// counterNoticeProblems lists the missing 512(g)(3) elements.
func (r ResponseRequest) counterNoticeProblems() []models.FieldError {
	var errs []models.FieldError
	add := func(f, m string) { errs = append(errs, models.FieldError{Field: f, Message: m}) }
	if strings.TrimSpace(r.MaterialIdentified) == "" {
		add("material_identified", "required: identify the removed material and where it appeared (512(g)(3)(B))")
	}
	if !r.UnderPenaltyOfPerjury {
		add("under_penalty_of_perjury", "must be true: a statement under penalty of perjury of a good-faith belief that the material was removed by mistake or misidentification (512(g)(3)(C))")
	}
	if !r.ConsentToJurisdiction {
		add("consent_to_jurisdiction", "must be true: consent to the jurisdiction of the federal district court and to accept service of process (512(g)(3)(D))")
	}
	if strings.TrimSpace(r.Name) == "" {
		add("name", "required (512(g)(3)(D))")
	}
	if strings.TrimSpace(r.Address) == "" {
		add("address", "required (512(g)(3)(D))")
	}
	if strings.TrimSpace(r.Phone) == "" {
		add("phone", "required (512(g)(3)(D))")
	}
	if strings.TrimSpace(r.Signature) == "" {
		add("signature", "required: a physical or electronic signature (512(g)(3)(A))")
	}
	return errs
}
