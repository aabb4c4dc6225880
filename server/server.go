// Package server is abusedesk's JSON front end: the API of docs/DESIGN.md
// and the edge endpoints. Handlers read and bound a request, call the use
// cases through one interface (UseCases, usecases.go; *desk.Desk
// implements it) and write the answer; errors are answered through desk's
// one table (errors.go). The web pages (package pages) are served by the
// same Echo instance but are not part of this package.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
)

// Server holds the HTTP dependencies, all set by the composition root
// before Handler or Start; nothing changes them afterwards.
type Server struct {
	Cfg *config.Config
	// Desk runs the use cases.
	Desk UseCases
	Log  *slog.Logger
	// PageError renders the errors of page routes (WantsHTML) as HTML:
	// the pages' error page. Nil: such errors get an empty answer.
	PageError func(c echo.Context, code int, errs []models.FieldError) error
	// Extra registers routes of other parts (the web pages).
	Extra []func(e *echo.Echo, s *Server)

	keys map[string]config.APIKey
	echo *echo.Echo
	srv  *http.Server
	ln   net.Listener
}

// Handler builds the Echo instance with every route.
func (s *Server) Handler() *echo.Echo {
	if s.echo != nil {
		return s.echo
	}
	s.keys = map[string]config.APIKey{}
	for _, k := range s.Cfg.APIKeys {
		s.keys[k.Hash] = k
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.JSONError
	if ex := proxyIPExtractor(s.Cfg.Limits.TrustedProxies); ex != nil {
		e.IPExtractor = ex
	}
	e.Use(middleware.Recover())
	e.Use(metricsMiddleware)
	e.Use(middleware.BodyLimit(bodyLimit(s.Cfg.MaxBodyBytes)))
	e.Use(securityHeaders)
	e.Use(s.intakeLimiter(s.Cfg.Limits))
	s.routes(e)
	for _, f := range s.Extra {
		f(e, s)
	}
	s.echo = e
	return e
}

func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.healthz)
	e.GET("/metrics", metricsHandler())
	e.GET("/openapi.json", s.openAPI)

	// Reporter (public; the token scopes the reads to one case).
	e.POST("/v1/reports", s.postReport)
	e.POST("/v1/reports/xarf", s.PostXARF)
	e.POST(V4ReportPath, s.postV4Report, s.v4Intake()) // the reference's report form (v4_submit.go)
	e.GET("/v1/reports/:id", s.getReport, s.GuardToken)
	e.POST("/v1/reports/:id/answer", s.postReporterAnswer, s.GuardToken)
	e.POST("/v1/reports/:id/complete", s.postCopyrightCompletion, s.GuardToken)

	// Operator (public; the token scopes to one notice).
	e.GET("/v1/notices/:id", s.getNotice, s.GuardToken)
	e.POST("/v1/notices/:id/response", s.postNoticeResponse, s.GuardToken)

	// Edge nodes (public: only what the 451 pages show anyway).
	e.GET("/v1/blocklist", s.getBlocklist)
	e.GET("/v1/blocked/:object", s.getBlocked)
	e.GET("/edge/:host/*", s.edge)

	an := e.Group("/v1", s.RequireRole("analyst"))
	an.GET("/cases", s.listCases)
	an.GET("/cases/summary", s.getCaseSummary)
	an.POST("/cases/:id/claim", s.postClaim)
	an.POST("/cases/:id/release", s.postRelease)
	an.POST("/decisions/bulk", s.postBulkDecision)
	an.GET("/cases/:id", s.getCase)
	an.POST("/cases/:id/decisions", s.postDecision)
	an.POST("/cases/:id/court-action", s.postCourtAction)
	an.GET("/cases/:id/mitigations", s.getCaseMitigations)
	an.POST("/cases/:id/mitigations", s.postCaseMitigation)
	an.GET("/mitigations/in-review", s.getMitigationsInReview)
	an.POST("/mitigations/:id/review", s.postMitigationReview)
	an.POST("/mitigations/:id/cancel", s.postMitigationCancel)
	an.POST("/cases/:id/mail-replies/:reply_id/accept", s.postAcceptMailReply)
	an.POST("/cases/:id/legal-hold", s.postLegalHold)
	an.POST("/cases/:id/clearinghouse/filed", s.postClearinghouseFiled)
	an.POST("/cases/:id/referrals", s.postReferral) // DSA Art. 18 (referrals.go)
	an.GET("/admin/senders", s.getSenders)
	an.GET("/admin/intake-replies", s.getIntakeReplies)
	an.GET("/reviews", s.listReviews)
	an.POST("/reviews/:account/:kind/decisions", s.postReviewDecision)

	au := e.Group("/v1", s.RequireRole("auditor"))
	au.GET("/cases/:id/history", s.getHistory)
	au.GET("/statements", s.getStatements)
	au.GET("/transparency", s.getTransparency)
	au.GET("/audit/checkpoint", s.getAuditCheckpoint)
	au.GET("/audit/entries", s.getAuditEntries)
	au.GET("/audit/proof/inclusion", s.getInclusionProof)
	au.GET("/audit/proof/consistency", s.getConsistencyProof)
	s.codecRoutes(e)
	e.GET("/v1/dashboard", s.getDashboard, s.requireAnalystOrAuditor)
	// Orders from authorities (orders.go).
	e.POST("/v1/orders", s.postOrder, s.RequireRole("authority"))
	e.GET("/v1/orders", s.listOrders, s.requireAnalystOrAuditor)
	e.GET("/v1/orders/:id", s.getOrder, s.requireOrderReader)

	// The transparency report is public: it holds nothing but counts.
	e.GET("/transparency", s.getPublicTransparency)

	ad := e.Group("/v1/admin", s.RequireRole("admin"))
	ad.POST("/customers", s.postCustomers)
	ad.GET("/outbox", s.getOutbox)
	ad.POST("/sessions/revoke", s.postRevokeSessions)
	// The customer's API and the admin's customer keys (customer.go).
	s.customerRoutes(e)
}

// Start listens on the configured address and serves until Shutdown.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.Cfg.HTTPAddr)
	if err != nil {
		return err
	}
	s.ln = ln
	// A slow client holds a connection and a goroutine: the whole request
	// must arrive within http_read_timeout (30s: a 4 MB body at 140 kB/s),
	// and its answer be written within http_write_timeout (5m: the longest
	// answers are a large case's history and the blocklist, and the time
	// counts from the end of the headers, handler included). Keep-alive
	// connections are closed after idleTimeout without a request.
	lim := s.Cfg.Limits
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: lim.HTTPReadTimeout, WriteTimeout: lim.HTTPWriteTimeout, IdleTimeout: idleTimeout}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Log.Error("http server stopped", "err", err)
		}
	}()
	return nil
}

// idleTimeout closes a keep-alive connection that sends no new request.
const idleTimeout = 2 * time.Minute

// Addr is the bound address (useful with port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops accepting requests and waits for running ones.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}

func (s *Server) healthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	out := map[string]string{"database": "ok", "temporal": "ok"}
	code := http.StatusOK
	dbErr, engineErr := s.Desk.Health(ctx)
	if dbErr != nil {
		out["database"], code = "unavailable", http.StatusServiceUnavailable
	}
	if engineErr != nil {
		out["temporal"], code = "unavailable", http.StatusServiceUnavailable
	}
	return c.JSON(code, out)
}

func bodyLimit(n int64) string {
	return formatBytes(n)
}
