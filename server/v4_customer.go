package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// The reference's Abuse Reports API for customers (docs/DESIGN.md
// "Customer accounts"; the reference's customer-api): the same use cases
// as the native routes, in the v4 envelope with the reference's field
// names, enumerations and paging, so that its official SDK works against
// abusedesk with only its base URL changed.

// Codes of the v4 errors: the reference's for authentication (10000) and
// an unknown object (7003); otherwise the HTTP status.
const (
	v4CodeAuth     = 10000
	v4CodeNotFound = 7003
)

// v4Errors answers every error of the v4 routes (authentication,
// parameters, the use cases) in the v4 envelope, every problem listed.
func (s *Server) v4Errors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err == nil || c.Response().Committed {
			return err
		}
		code, ps := statusOf(err)
		if code >= 500 {
			s.Log.Error("request failed", "path", c.Path(), "err", err)
		}
		ec := code
		switch code {
		case http.StatusUnauthorized, http.StatusForbidden:
			ec = v4CodeAuth
		case http.StatusNotFound:
			ec = v4CodeNotFound
		}
		if code == http.StatusUnauthorized {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="abusedesk"`)
		}
		errs := make([]V4Error, 0, len(ps))
		for _, p := range ps {
			msg := p.Message
			if p.Field != "" {
				msg = p.Field + ": " + msg
			}
			errs = append(errs, V4Error{Code: ec, Message: msg})
		}
		return v4Fail(c, code, errs)
	}
}

// v4Report is a report in the reference's fields.
type v4Report struct {
	ID                string                  `json:"id"`
	Cdate             string                  `json:"cdate"`
	Domain            string                  `json:"domain"`
	MitigationSummary desk.MitigationSummary  `json:"mitigation_summary"`
	Status            string                  `json:"status"`
	Type              string                  `json:"type"`
	Justification     string                  `json:"justification"`
	OriginalWork      string                  `json:"original_work"`
	Submitter         *desk.CustomerSubmitter `json:"submitter,omitempty"`
	URLs              []string                `json:"urls"`
}

func toV4Report(r desk.CustomerReport) v4Report {
	return v4Report{ID: r.ID, Cdate: r.CreatedAt.UTC().Format(time.RFC3339), Domain: r.Domain, MitigationSummary: r.Summary,
		Status: r.Status, Type: r.Type, Justification: r.Justification, OriginalWork: r.OriginalWork, Submitter: r.Submitter, URLs: r.URLs}
}

// v4Mitigation is a mitigation in the reference's fields.
type v4Mitigation struct {
	ID            string `json:"id"`
	EffectiveDate string `json:"effective_date"`
	EntityID      string `json:"entity_id"`
	EntityType    string `json:"entity_type"`
	Status        string `json:"status"`
	Type          string `json:"type"`
}

func toV4Mitigations(ms []models.Mitigation) []v4Mitigation {
	out := make([]v4Mitigation, 0, len(ms))
	for _, m := range ms {
		out = append(out, v4Mitigation{ID: m.ID, EffectiveDate: m.EffectiveDate.UTC().Format(time.RFC3339), EntityID: m.EntityID,
			EntityType: string(m.EntityType), Status: string(m.Status), Type: desk.WireMitigationType(m.Type)})
	}
	return out
}

// v4Page is a paged list's result: {"items": [PAGE]}, or {"items": []}
// past the last page, which ends the SDK's paging.
func v4Page(key string, list any, n int) map[string]any {
	items := []any{}
	if n > 0 {
		items = append(items, map[string]any{key: list})
	}
	return map[string]any{"items": items}
}

// v4Sort turns the reference's sort (a property, then the order) into
// the desk's: "cdate,desc" or "cdate:desc" or "cdate".
func v4Sort(c echo.Context) {
	q := c.Request().URL.Query()
	if v := q.Get("sort"); strings.Contains(v, ":") && !strings.Contains(v, ",") {
		q.Set("sort", strings.Replace(v, ":", ",", 1))
		c.Request().URL.RawQuery = q.Encode()
	}
}

func (s *Server) v4ListReports(c echo.Context) error {
	v4Sort(c)
	f, err := reportFilter(c.Request().URL.Query())
	if err != nil {
		return err
	}
	rs, _, err := s.cu().CustomerReports(c.Request().Context(), customerAccount(c), f)
	if err != nil {
		return err
	}
	out := make([]v4Report, 0, len(rs))
	for _, r := range rs {
		out = append(out, toV4Report(r))
	}
	page, per := pageOf(f.Page, f.PerPage)
	return v4OK(c, http.StatusOK, v4Page("reports", out, len(out)), &V4ResultInfo{Page: page, PerPage: per})
}

func (s *Server) v4GetReport(c echo.Context) error {
	r, err := s.cu().CustomerReport(c.Request().Context(), customerAccount(c), c.Param("report_param"))
	if err != nil {
		return err
	}
	return v4OK(c, http.StatusOK, toV4Report(r), nil)
}

func (s *Server) v4ListMitigations(c echo.Context) error {
	v4Sort(c)
	f, err := mitigationFilter(c.Request().URL.Query())
	if err != nil {
		return err
	}
	ms, _, err := s.cu().CustomerMitigations(c.Request().Context(), customerAccount(c), c.Param("report_param"), f)
	if err != nil {
		return err
	}
	page, per := pageOf(f.Page, f.PerPage)
	return v4OK(c, http.StatusOK, v4Page("mitigations", toV4Mitigations(ms), len(ms)), &V4ResultInfo{Page: page, PerPage: per})
}

func (s *Server) v4Appeal(c echo.Context) error {
	var b appealBody
	if err := bindStrict(c, &b); err != nil {
		return err
	}
	ms, err := s.cu().CustomerAppeal(c.Request().Context(), customerAccount(c), c.Param("report_param"), b.Appeals)
	if err != nil {
		return err
	}
	return v4OK(c, http.StatusOK, toV4Mitigations(ms), nil)
}
