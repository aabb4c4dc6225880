package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/mailintake"
)

// PostXARF is POST /v1/reports/xarf: one X-ARF v4 JSON report, public like
// POST /v1/reports and answered the same way (202 with the case, 400 for a
// body that is not JSON, 422 with every problem, a key named twice
// included). The report's own id (mailintake.XARFDedupKey) recognises a
// report sent again, also across mail and HTTP, but only as the same
// document (mailintake.XARFDigest) or from the same authenticated sender
// (a Bearer API key): anyone can copy a report's ids, so any other
// document is a case of its own and never gets another case's token. An
// Idempotency-Key header is not used. The document is kept as the case's
// evidence.
func (s *Server) PostXARF(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	trimmed := bytes.TrimSpace(body)
	if !json.Valid(trimmed) || len(trimmed) == 0 || trimmed[0] != '{' {
		return fail(http.StatusBadRequest, "body", "not a JSON object: send one X-ARF v4 report (application/json)")
	}
	r, problems := mailintake.ParseXARF(body)
	if len(problems) > 0 {
		_, more := intake.Validate(&r)
		reportsRejected.WithLabelValues("422").Inc()
		return &intake.Invalid{Problems: mailintake.MergeProblems(problems, more)}
	}
	d := intake.Dedup{Scope: intake.ScopeReport, Key: mailintake.XARFDedupKey(body), Digest: mailintake.XARFDigest(body),
		Sender: s.xarfSender(c)}
	created, err := s.Desk.SubmitDocument(c.Request().Context(), r, d, mailintake.FormatXARF4, body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, created)
}

// xarfSender names the authenticated sender of an X-ARF report: the API
// key of a Bearer header, or "" for an anonymous sender. A console session
// does not count: a page could be made to post for it.
func (s *Server) xarfSender(c echo.Context) string {
	h := c.Request().Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return ""
	}
	k, found := s.keys[config.HashKey(strings.TrimSpace(tok))]
	if !found {
		return ""
	}
	return "apikey:" + k.Name
}
