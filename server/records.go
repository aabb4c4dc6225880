package server

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/statements"
	"github.com/abusedesk/abusedesk/transparency"
)

// The records: legal hold (analysts), the audit log's reads, the
// statements of reasons (DSA Art. 17) and the transparency report (DSA
// Art. 15; also a public page, since it holds nothing but counts), and the
// payload codec for the Temporal Web UI (auditors).

// LegalHoldRequest is the body of POST /v1/cases/{id}/legal-hold.
type LegalHoldRequest struct {
	Hold *bool `json:"hold"`
}

// postLegalHold sets or lifts a case's legal hold, which keeps its
// personal data past purge_after; a change is audited with the analyst.
func (s *Server) postLegalHold(c echo.Context) error {
	var req LegalHoldRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	if req.Hold == nil {
		return desk.Problems(desk.KindInvalid, []models.FieldError{{Field: "hold",
			Message: "required: true to keep the case's personal data past purge_after, false to lift the hold"}})
	}
	out, err := s.Desk.SetLegalHold(c.Request().Context(), c.Param("id"), actor(c), *req.Hold)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getAuditCheckpoint(c echo.Context) error {
	note, err := s.Desk.AuditCheckpoint(c.Request().Context())
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", note)
}

func (s *Server) getAuditEntries(c echo.Context) error {
	es, err := s.Desk.AuditEntries(c.Request().Context(), c.QueryParam("case_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": es})
}

func (s *Server) getInclusionProof(c echo.Context) error {
	p, err := s.Desk.InclusionProof(c.Request().Context(), c.QueryParam("index"), c.QueryParam("size"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) getConsistencyProof(c echo.Context) error {
	p, err := s.Desk.ConsistencyProof(c.Request().Context(), c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// getStatements serves GET /v1/statements?from=&to=&page= to auditors:
// {"statements": [...]} in pages of at most 100 (what the Transparency
// Database takes in one call), with next_page while there are more.
func (s *Server) getStatements(c echo.Context) error {
	from, err := instant("from", c.QueryParam("from"), false)
	if err != nil {
		return err
	}
	to, err := instant("to", c.QueryParam("to"), true)
	if err != nil {
		return err
	}
	page, err := pageParam(c.QueryParam("page"))
	if err != nil {
		return err
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return fail(http.StatusBadRequest, "to", "%s is not after from (%s): the period is empty", c.QueryParam("to"), c.QueryParam("from"))
	}
	out, err := s.Desk.Statements(c.Request().Context(), from, to, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// instant parses a from/to bound: a date (YYYY-MM-DD; as to, the whole day
// is included) or an RFC 3339 time. Empty is an open bound.
func instant(field, s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, fail(http.StatusBadRequest, field, "%q is not a date YYYY-MM-DD or an RFC 3339 time", s)
	}
	return t, nil
}

// maxStatementPage bounds page: past it the offset (page-1)*PageSize
// would be absurd, and near MaxInt it overflows to page 1.
const maxStatementPage = 1_000_000

func pageParam(s string) (int, error) {
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fail(http.StatusBadRequest, "page", "%q is not a page number (1, 2, ...)", s)
	}
	if n > maxStatementPage || n > math.MaxInt/statements.PageSize {
		return 0, fail(http.StatusBadRequest, "page", "%s is beyond the last possible page (at most %d)", s, maxStatementPage)
	}
	return n, nil
}

// getTransparency serves the report to auditors: JSON, or CSV with
// format=csv.
func (s *Server) getTransparency(c echo.Context) error {
	from, to, err := desk.TransparencyPeriod(c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	r, err := s.Desk.Transparency(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	return writeReport(c, r, false)
}

// getPublicTransparency is the public page /transparency (HTML, or CSV),
// computed at most every five minutes per period. Its errors are a page's.
func (s *Server) getPublicTransparency(c echo.Context) error {
	from, to, err := desk.TransparencyPeriod(c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		_, ps := desk.Classify(err)
		return echo.NewHTTPError(http.StatusBadRequest, ps[0].Field+": "+ps[0].Message)
	}
	r, err := s.Desk.PublicTransparency(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	return writeReport(c, r, true)
}

// writeReport writes a transparency report as CSV (format=csv), HTML (the
// public page) or JSON.
func writeReport(c echo.Context, r *transparency.Report, html bool) error {
	switch {
	case c.QueryParam("format") == "csv":
		c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		c.Response().Header().Set("Content-Disposition", `attachment; filename="transparency-`+r.From+`-`+r.To+`.csv"`)
		c.Response().WriteHeader(http.StatusOK)
		return transparency.WriteCSV(c.Response(), r)
	case html:
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		c.Response().WriteHeader(http.StatusOK)
		return transparency.WriteHTML(c.Response(), r)
	}
	return c.JSON(http.StatusOK, r)
}

// codecRoutes serves the payload codec to auditors and the Web UI. The
// browser's CORS preflight carries no credentials, so it skips the role
// check; the POSTs need the auditor role.
func (s *Server) codecRoutes(e *echo.Echo) {
	var origins []string
	if s.Cfg.UIAddr != "" {
		origins = append(origins, "http://"+s.Cfg.UIAddr)
	}
	var ring *codec.KeyRing
	if s.Desk != nil {
		ring = s.Desk.PayloadKeys()
	}
	h := echo.WrapHandler(codec.Handler(ring, origins))
	auth := s.RequireRole("auditor")
	serve := func(c echo.Context) error {
		if codec.IsPreflight(c.Request()) {
			return h(c)
		}
		return auth(h)(c)
	}
	for _, p := range []string{codec.EncodePath, codec.DecodePath} {
		e.Match([]string{"POST", "OPTIONS"}, p, serve)
	}
}
