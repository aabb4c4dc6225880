package server

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/models"
)

// The customer's API (docs/DESIGN.md "Customer accounts"): an account's
// reports, their mitigations and notices, appeals and the abuse contact,
// natively under /v1/account/ and in the reference's shape under
// /client/v4/accounts/{account_id}/abuse-reports (v4_customer.go). The
// key's account scopes everything; another account's report is 404.

// CustomerUseCases is what the customer's handlers call (*desk.Desk).
type CustomerUseCases interface {
	CustomerReports(ctx context.Context, account string, f desk.CustomerReportFilter) ([]desk.CustomerReport, int, error)
	CustomerReport(ctx context.Context, account, reportID string) (desk.CustomerReport, error)
	CustomerMitigations(ctx context.Context, account, reportID string, f desk.MitigationFilter) ([]models.Mitigation, int, error)
	CustomerAppeal(ctx context.Context, account, reportID string, appeals []desk.Appeal) ([]models.Mitigation, error)
	CustomerEmails(ctx context.Context, account, reportID string) ([]desk.CustomerEmail, error)
	AbuseContact(ctx context.Context, account string) (string, error)
	SetAbuseContact(ctx context.Context, account, email string) error
	IssueKey(ctx context.Context, admin string, req desk.KeyRequest) (desk.IssuedKey, error)
	RevokeKey(ctx context.Context, admin, name string) (desk.RevokedKey, error)
}

var _ CustomerUseCases = (*desk.Desk)(nil)

// customerRoutes registers the customer's routes and the admin's key
// routes.
func (s *Server) customerRoutes(e *echo.Echo) {
	cu := e.Group("/v1/account", s.RequireCustomer)
	cu.GET("/reports", s.getAccountReports)
	cu.GET("/reports/:id", s.getAccountReport)
	cu.GET("/reports/:id/mitigations", s.getAccountMitigations)
	cu.POST("/reports/:id/appeal", s.postAccountAppeal)
	cu.GET("/reports/:id/emails", s.getAccountEmails)
	cu.GET("/abuse-contact", s.getAbuseContact)
	cu.PUT("/abuse-contact", s.putAbuseContact)

	v4 := e.Group("/client/v4/accounts/:account_id/abuse-reports", s.v4Errors, s.RequireCustomer)
	v4.GET("", s.v4ListReports)
	v4.GET("/:report_param", s.v4GetReport)
	v4.GET("/:report_param/mitigations", s.v4ListMitigations)
	v4.POST("/:report_param/mitigations/appeal", s.v4Appeal)

	ad := e.Group("/v1/admin", s.RequireRole("admin"))
	ad.POST("/api-keys", s.postAPIKey)
	ad.DELETE("/api-keys/:name", s.deleteAPIKey)
}

// cu is the desk's customer use cases (*desk.Desk has them all).
func (s *Server) cu() CustomerUseCases {
	u, _ := s.Desk.(CustomerUseCases)
	return u
}

// ReportList is the native answer of a list of reports.
type ReportList struct {
	Reports    []desk.CustomerReport `json:"reports"`
	Page       int                   `json:"page"`
	PerPage    int                   `json:"per_page"`
	TotalCount int                   `json:"total_count"`
}

func pageOf(page, perPage int) (int, int) {
	if page == 0 {
		page = 1
	}
	if perPage == 0 {
		perPage = desk.DefaultCustomerPerPage
	}
	return page, perPage
}

func (s *Server) getAccountReports(c echo.Context) error {
	f, err := reportFilter(c.QueryParams())
	if err != nil {
		return err
	}
	rs, total, err := s.cu().CustomerReports(c.Request().Context(), customerAccount(c), f)
	if err != nil {
		return err
	}
	page, per := pageOf(f.Page, f.PerPage)
	return c.JSON(http.StatusOK, ReportList{Reports: rs, Page: page, PerPage: per, TotalCount: total})
}

func (s *Server) getAccountReport(c echo.Context) error {
	r, err := s.cu().CustomerReport(c.Request().Context(), customerAccount(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// MitigationView is the native view of a mitigation.
type MitigationView struct {
	ID              string                  `json:"id"`
	ReportID        string                  `json:"report_id"`
	Domain          string                  `json:"domain"`
	Type            models.MitigationType   `json:"type"`
	WireType        string                  `json:"reference_type"`
	EntityType      models.MitigationEntity `json:"entity_type"`
	EntityID        string                  `json:"entity_id"`
	Countries       string                  `json:"countries,omitempty"`
	Status          models.MitigationStatus `json:"status"`
	EffectiveDate   time.Time               `json:"effective_date"`
	StatementID     string                  `json:"statement_id,omitempty"`
	AppealReason    string                  `json:"appeal_reason,omitempty"`
	AppealStatement string                  `json:"appeal_statement,omitempty"`
	AppealedAt      *time.Time              `json:"appealed_at,omitempty"`
	ReviewDeadline  *time.Time              `json:"review_deadline,omitempty"`
	EndedAt         *time.Time              `json:"ended_at,omitempty"`
}

func mitigationViews(ms []models.Mitigation) []MitigationView {
	out := make([]MitigationView, 0, len(ms))
	for _, m := range ms {
		out = append(out, MitigationView{ID: m.ID, ReportID: m.CaseID, Domain: m.Domain, Type: m.Type, WireType: desk.WireMitigationType(m.Type),
			EntityType: m.EntityType, EntityID: m.EntityID, Countries: m.Countries, Status: m.Status, EffectiveDate: m.EffectiveDate.UTC(),
			StatementID: m.StatementID, AppealReason: m.AppealReason, AppealStatement: m.AppealStatement, AppealedAt: m.AppealedAt,
			ReviewDeadline: m.ReviewDeadline, EndedAt: m.EndedAt})
	}
	return out
}

func (s *Server) getAccountMitigations(c echo.Context) error {
	f, err := mitigationFilter(c.QueryParams())
	if err != nil {
		return err
	}
	ms, total, err := s.cu().CustomerMitigations(c.Request().Context(), customerAccount(c), c.Param("id"), f)
	if err != nil {
		return err
	}
	page, per := pageOf(f.Page, f.PerPage)
	return c.JSON(http.StatusOK, map[string]any{"mitigations": mitigationViews(ms), "page": page, "per_page": per, "total_count": total})
}

// appealBody is the body of an appeal, native and v4 alike.
type appealBody struct {
	Appeals []desk.Appeal `json:"appeals"`
}

func (s *Server) postAccountAppeal(c echo.Context) error {
	var b appealBody
	if err := bindStrict(c, &b); err != nil {
		return err
	}
	ms, err := s.cu().CustomerAppeal(c.Request().Context(), customerAccount(c), c.Param("id"), b.Appeals)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"mitigations": mitigationViews(ms)})
}

func (s *Server) getAccountEmails(c echo.Context) error {
	es, err := s.cu().CustomerEmails(c.Request().Context(), customerAccount(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"emails": es})
}

// AbuseContactBody is the account's abuse contact ("" or absent: none).
type AbuseContactBody struct {
	Email string `json:"email"`
}

func (s *Server) getAbuseContact(c echo.Context) error {
	e, err := s.cu().AbuseContact(c.Request().Context(), customerAccount(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, AbuseContactBody{Email: e})
}

func (s *Server) putAbuseContact(c echo.Context) error {
	var b AbuseContactBody
	if err := bindStrict(c, &b); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.cu().SetAbuseContact(ctx, customerAccount(c), b.Email); err != nil {
		return err
	}
	return s.getAbuseContact(c)
}

func (s *Server) postAPIKey(c echo.Context) error {
	var req desk.KeyRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	k, err := s.cu().IssueKey(c.Request().Context(), actor(c), req)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, k)
}

func (s *Server) deleteAPIKey(c echo.Context) error {
	r, err := s.cu().RevokeKey(c.Request().Context(), actor(c), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
