package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/internal/jsondoc"
	"github.com/abusedesk/abusedesk/models"
)

// reportFields is the JSON shape of a report: every field and what its
// value must be, for naming unknown and wrongly typed fields.
var reportFields = map[string]map[string]string{
	"": {"category": "a string", "urls": "an array of strings", "description": "a string",
		"reporter": "an object", "forward_to_operator": "true or false", "copyright": "an object",
		"owner_notification": "a string", "host_notification": "a string", "ncmec_notification": "a string", "ncsei": "an object",
		"emergency": "true or false"},
	"ncsei":     {"signature": "a string", "good_faith_not_consensual": "true or false"},
	"reporter":  {"name": "a string", "email": "a string", "organization": "a string", "title": "a string"},
	"copyright": {"work": "a string", "good_faith": "true or false", "accurate_under_penalty": "true or false", "signature": "a string"},
}

// decodeReport reads a report body strictly: every unknown field and every
// wrongly typed field is a problem, all listed together. Each field is
// decoded on its own, because encoding/json reports only the first type
// error of a document.
func decodeReport(body []byte) (models.ReportRequest, []models.FieldError, error) {
	var r models.ReportRequest
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		if err == nil {
			err = errors.New("null")
		}
		return r, nil, fail(http.StatusBadRequest, "body", "not a JSON object: %v", err)
	}
	errs := duplicateKeys(body)
	add := func(field, format string, args ...any) {
		errs = append(errs, models.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	// object decodes the fields of a nested object into their targets.
	object := func(name string, raw json.RawMessage, targets map[string]any) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			add(name, "must be %s, not %s", reportFields[""][name], jsonKind(raw))
			return
		}
		for k, v := range m {
			want, ok := reportFields[name][k]
			if !ok {
				add(name+"."+k, "unknown field")
				continue
			}
			if err := json.Unmarshal(v, targets[k]); err != nil {
				add(name+"."+k, "must be %s, not %s", want, jsonKind(v))
			}
		}
	}
	for k, raw := range top {
		want, ok := reportFields[""][k]
		if !ok && k == "" {
			add(`""`, "unknown field: a field with an empty name")
			continue
		}
		if !ok {
			add(k, "unknown field")
			continue
		}
		switch k {
		case "reporter":
			object(k, raw, map[string]any{"name": &r.Reporter.Name, "email": &r.Reporter.Email,
				"organization": &r.Reporter.Organization, "title": &r.Reporter.Title})
		case "copyright":
			if string(bytes.TrimSpace(raw)) == "null" {
				continue
			}
			c := &models.CopyrightClaim{}
			object(k, raw, map[string]any{"work": &c.Work, "good_faith": &c.GoodFaith,
				"accurate_under_penalty": &c.AccurateUnderPenalty, "signature": &c.Signature})
			r.Copyright = c
		case "ncsei":
			if string(bytes.TrimSpace(raw)) == "null" {
				continue
			}
			x := &models.NCSEIClaim{}
			object(k, raw, map[string]any{"signature": &x.Signature, "good_faith_not_consensual": &x.GoodFaithNotConsensual})
			r.NCSEI = x
		default:
			target := map[string]any{"category": &r.Category, "urls": &r.URLs, "description": &r.Description,
				"forward_to_operator": &r.ForwardToOperator, "owner_notification": &r.OwnerNotification,
				"host_notification": &r.HostNotification, "ncmec_notification": &r.NcmecNotification,
				"emergency": &r.Emergency}[k]
			if err := json.Unmarshal(raw, target); err != nil {
				add(k, "must be %s, not %s", want, jsonKind(raw))
			}
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return r, errs, nil
}

// jsonKind names the kind of a JSON value for a type problem.
func jsonKind(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "valid JSON"
	}
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		for _, e := range x {
			if _, ok := e.(string); !ok {
				return "an array with a non-string element"
			}
		}
		return "an array"
	}
	return "an object"
}

func readBody(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return nil, he
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, echo.ErrStatusRequestEntityTooLarge
		}
		return nil, fail(http.StatusBadRequest, "body", "could not read the body: %v", err)
	}
	return b, nil
}

func (s *Server) postReport(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	r, problems, err := decodeReport(body)
	if err != nil {
		return err
	}
	r.Source = "api"
	return s.submit(c, r, problems, jsondoc.Digest(body))
}

// submit runs intake and answers 202 with the case, or every problem.
// digest is the SHA-256 of the canonical request, which an Idempotency-Key
// is bound to.
func (s *Server) submit(c echo.Context, r models.ReportRequest, problems []models.FieldError, digest string) error {
	if len(problems) > 0 {
		_, more := intake.Validate(&r)
		reportsRejected.WithLabelValues("422").Inc()
		// A field already named (wrong type) is not named again as missing.
		for _, m := range more {
			if !namedIn(problems, m.Field) {
				problems = append(problems, m)
			}
		}
		return &intake.Invalid{Problems: problems}
	}
	key := c.Request().Header.Get("Idempotency-Key")
	if len(key) > 200 {
		return fail(http.StatusBadRequest, "Idempotency-Key", "at most 200 characters")
	}
	created, err := s.Desk.SubmitOnce(c.Request().Context(), r, intake.Dedup{Scope: intake.ScopeIdempotency, Key: key, Digest: digest})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, created)
}

// namedIn reports whether field, or an object or list holding it, has a
// problem in ps already.
func namedIn(ps []models.FieldError, field string) bool {
	for _, p := range ps {
		if p.Message == "unknown field" {
			continue
		}
		if field == p.Field || strings.HasPrefix(field, p.Field+".") || strings.HasPrefix(field, p.Field+"[") {
			return true
		}
	}
	return false
}

func (s *Server) getReport(c echo.Context) error {
	ctx := c.Request().Context()
	cs, err := s.Desk.ReporterCase(ctx, c.Param("id"), c.QueryParam("token"))
	if err != nil {
		return err
	}
	v, err := s.Desk.ReporterView(ctx, cs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// AnswerRequest is the reporter's answer to a need_info question.
type AnswerRequest struct {
	Answer string `json:"answer"`
}

func (s *Server) postReporterAnswer(c echo.Context) error {
	ctx := c.Request().Context()
	cs, err := s.Desk.ReporterCase(ctx, c.Param("id"), c.QueryParam("token"))
	if err != nil {
		return err
	}
	var req AnswerRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	res, err := s.Desk.AnswerReporter(ctx, cs, req.Answer)
	if err != nil {
		return err
	}
	return c.JSON(answerStatus(res), map[string]any{"case_id": cs.ID, "status": "answer received",
		"delivered": res.Delivered, "replayed": res.Replayed})
}

// bindStrict reads and decodes a JSON body, refusing unknown fields.
func bindStrict(c echo.Context, v any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeStrict(body, v)
}
