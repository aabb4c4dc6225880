package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/internal/jsondoc"
)

// The reference's report form, POST /client/v4/accounts/{account_id}/
// abuse-reports/{report_param} (README "Reports in the reference's
// shape"; intake.V4Report): the same intake as POST /v1/reports, with the
// reference's report types, field names and limits, answered in the v4
// envelope with the case id as result.
//
// The account id names the reporter's account. A request with a Bearer
// key is a trusted reporter's: the key must be valid (401), and a
// customer key must speak for the account in the path (another account
// is 404); trusted requests are exempt from the public intake limits, as
// on /v1/reports. A request without a key is public intake under the
// public limits (intake_rate_per_client, intake_rate_per_reporter; their
// buckets for this endpoint are its own): the account id is taken as the
// reporter's own label and not checked, as the form is open to anyone.

// V4ReportPath is the route of the reference's report form.
const V4ReportPath = "/client/v4/accounts/:account_id/abuse-reports/:report_param"

// postV4Report files one form report and answers in the v4 envelope;
// every error is answered here, never by the HTML error pages.
func (s *Server) postV4Report(c echo.Context) error {
	id, err := s.v4Report(c)
	if err != nil {
		return s.v4Error(c, err)
	}
	return v4OK(c, http.StatusOK, id, nil)
}

func (s *Server) v4Report(c echo.Context) (string, error) {
	body, err := readBody(c)
	if err != nil {
		return "", err
	}
	r, problems := intake.ParseV4Report(body, c.Param("report_param"))
	problems = append(duplicateKeys(body), problems...)
	if len(problems) > 0 {
		reportsRejected.WithLabelValues("422").Inc()
		return "", desk.Problems(desk.KindInvalid, problems)
	}
	key := c.Request().Header.Get("Idempotency-Key")
	if len(key) > 200 {
		return "", fail(http.StatusBadRequest, "Idempotency-Key", "at most 200 characters")
	}
	created, err := s.Desk.SubmitOnce(c.Request().Context(), r,
		intake.Dedup{Scope: intake.ScopeIdempotency, Key: key, Digest: jsondoc.Digest(body)})
	if err != nil {
		return "", err
	}
	return created.CaseID, nil
}

// v4Error answers err in the v4 envelope: each problem one error, its
// message naming the field.
func (s *Server) v4Error(c echo.Context, err error) error {
	code, errs := statusOf(err)
	if code >= 500 {
		s.Log.Error("request failed", "path", c.Path(), "err", err)
	}
	if code == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="abusedesk"`)
	}
	out := make([]V4Error, 0, len(errs))
	for _, e := range errs {
		out = append(out, V4Error{Code: code, Message: fmt.Sprintf("%s: %s", e.Field, e.Message)})
	}
	return v4Fail(c, code, out)
}

// v4Intake is the form's gate: the reporter's key, if any (see above),
// then the public limits for requests without one.
func (s *Server) v4Intake() echo.MiddlewareFunc {
	l := s.Cfg.Limits
	perClient := newIntakeLimit("intake_rate_per_client", "this client", l.IntakePerClient)
	perReporter := newIntakeLimit("intake_rate_per_reporter", "this reporter address", l.IntakePerReporter)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			trusted, err := s.v4Reporter(c)
			if err != nil {
				return s.v4Error(c, err)
			}
			if trusted {
				return next(c)
			}
			if err := perClient.allow(c, clientID(c)); err != nil {
				return s.v4Error(c, err)
			}
			if perReporter != nil {
				email, err := v4ReporterOf(c)
				if err != nil {
					return s.v4Error(c, err)
				}
				if err := perReporter.allow(c, email); err != nil {
					return s.v4Error(c, err)
				}
			}
			return next(c)
		}
	}
}

// v4Reporter authenticates a form request: no key is public intake
// (false); a valid key is a trusted reporter (true), a customer key only
// for its own account.
func (s *Server) v4Reporter(c echo.Context) (bool, error) {
	acct := c.Param("account_id")
	if acct == "" || len(acct) > 100 || strings.Trim(acct, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		return false, desk.NotFound("account_id", "no such account")
	}
	tok, bearer := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	if !bearer || strings.TrimSpace(tok) == "" {
		return false, nil
	}
	if err := s.AuthBlocked(c); err != nil {
		return false, err
	}
	k, ok := s.authenticate(c)
	if !ok {
		k, ok = s.issuedKey(c, config.HashKey(strings.TrimSpace(tok)))
	}
	if !ok {
		s.NoteAuthFailure(c)
		return false, fail(http.StatusUnauthorized, "Authorization", "the API key is not valid; file without a key as a public reporter, or with a valid reporter key (Authorization: Bearer <key>)")
	}
	if k.Account != "" && k.Account != acct {
		return false, desk.NotFound("account_id", "no such account")
	}
	return true, nil
}

// v4ReporterOf reads the reporter's email of a form request and leaves
// the body for the handler.
func v4ReporterOf(c echo.Context) (string, error) {
	body, err := readBody(c)
	if err != nil {
		return "", err
	}
	c.Request().Body = io.NopCloser(bytes.NewReader(body))
	var doc struct {
		Email any `json:"email"`
	}
	_ = json.Unmarshal(body, &doc)
	return normalAddress(firstString(doc.Email)), nil
}
