package server

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/intake"
	"github.com/abusedesk/abusedesk/mailintake"
)

// PostXARF is POST /v1/reports/xarf: one X-ARF v4 JSON report, public like
// POST /v1/reports and answered the same way (202 with the case, 400 for a
// body that is not JSON, 422 with every problem). The report's own id,
// scoped by its reporter (mailintake.XARFDedupKey), is the idempotency key,
// so a report sent again, or sent both by mail and over HTTP, makes one
// case; an Idempotency-Key header is not needed and not used. The document
// is kept as the case's evidence.
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
	key := mailintake.XARFDedupKey(body)
	ctx := c.Request().Context()
	created, err := s.Intake.Submit(ctx, r, key)
	if err != nil {
		return err
	}
	if err := s.Intake.KeepEvidence(ctx, created.CaseID, r.Source, mailintake.FormatXARF4, key, body); err != nil {
		return err
	}
	if !created.Replayed {
		ReportsAccepted.WithLabelValues(string(r.Category), r.Source).Inc()
	}
	return c.JSON(http.StatusAccepted, created)
}
