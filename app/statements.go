package app

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	sdkworker "go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/activities"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/models"
	"github.com/abusedesk/abusedesk/server"
	"github.com/abusedesk/abusedesk/statements"
	"github.com/abusedesk/abusedesk/store"
	"github.com/abusedesk/abusedesk/transparency"
)

// Statements of reasons (DSA Art. 17) and the transparency report.
//
// Every restriction an activity journals (disabled or removed hosted
// content, a suspended domain, a terminated service) gets its statement of
// reasons in the same transaction: the worker's journal is wrapped before
// the worker starts (OnWorker runs between worker.New and Start).
// Auditors read the statements at GET /v1/statements and the report at
// GET /v1/transparency; the report is also a public page at /transparency,
// because a transparency report is meant to be published (DSA Art. 15) and
// it holds nothing but counts.
func init() {
	store.Extra = append(store.Extra, statements.Migrate)
	OnWorker(func(_ sdkworker.Worker, a *App) { a.Acts.Journal = statementJournal{next: a.Acts.Journal} })
	OnRoutes((*App).statementRoutes)
	OnRoutes((*App).transparencyRoutes)
	OnStart(func(ctx context.Context, a *App) error { return a.startStatementSubmitter() })
}

// statementJournal stores the statement of reasons of each restriction,
// then journals the change in the audit log (last, as audit.Append asks,
// to hold the log's head lock briefly).
type statementJournal struct{ next activities.Journal }

// Record implements activities.Journal.
func (j statementJournal) Record(tx *gorm.DB, actor, caseID, kind, dedupKey string, details any) error {
	if err := statements.Record(tx, time.Now().UTC(), caseID, kind, dedupKey, details); err != nil {
		return err
	}
	if j.next == nil {
		return nil
	}
	return j.next.Record(tx, actor, caseID, kind, dedupKey, details)
}

// startStatementSubmitter submits statements to the DSA Transparency
// Database when dsa_submit_url is set, from processes that serve HTTP (on
// PostgreSQL an advisory lock keeps two of them from submitting at once).
func (a *App) startStatementSubmitter() error {
	if a.Role == RoleWorker {
		return nil
	}
	cfg, err := config.LoadAudit(a.Cfg.File)
	if err != nil || cfg.DSASubmitURL == "" {
		return err
	}
	sub := &statements.Submitter{DB: a.DB, URL: cfg.DSASubmitURL, Token: cfg.DSASubmitToken,
		Log: a.Log.With("component", "dsa-submitter")}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	a.AddStop(func() { cancel(); <-done })
	go func() {
		defer close(done)
		sub.Run(ctx, cfg.DSASubmitInterval)
	}()
	return nil
}

// statementRoutes serves GET /v1/statements?from=&to=&page= to auditors:
// {"statements": [...]} in pages of at most 100 (what the Transparency
// Database takes in one call), with next_page while there are more.
func (a *App) statementRoutes(e *echo.Echo, s *server.Server) {
	e.GET("/v1/statements", func(c echo.Context) error {
		from, err1 := instant(c.QueryParam("from"), false)
		to, err2 := instant(c.QueryParam("to"), true)
		page, err3 := pageParam(c.QueryParam("page"))
		for _, p := range []struct {
			field string
			err   error
		}{{"from", err1}, {"to", err2}, {"page", err3}} {
			if p.err != nil {
				return badRequest(c, p.field, p.err.Error())
			}
		}
		if !from.IsZero() && !to.IsZero() && !to.After(from) {
			return badRequest(c, "to", fmt.Sprintf("%s is not after from (%s): the period is empty", c.QueryParam("to"), c.QueryParam("from")))
		}
		items, more, err := statements.List(c.Request().Context(), a.DB, from, to, page)
		if err != nil {
			return err
		}
		out := map[string]any{"statements": items, "page": page}
		if more {
			out["next_page"] = page + 1
		}
		return c.JSON(http.StatusOK, out)
	}, s.RequireRole("auditor"))
}

// transparencyRoutes serves the report: JSON (or CSV with format=csv) to
// auditors at GET /v1/transparency, and the public page /transparency
// (HTML, or CSV), computed at most every five minutes per period.
func (a *App) transparencyRoutes(e *echo.Echo, s *server.Server) {
	// period reads from and to; err names the parameter ("to: ...").
	period := func(c echo.Context) (time.Time, time.Time, error) {
		return transparency.Period(c.QueryParam("from"), c.QueryParam("to"), time.Now())
	}
	write := func(c echo.Context, r *transparency.Report, html bool) error {
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
	e.GET("/v1/transparency", func(c echo.Context) error {
		from, to, err := period(c)
		if err != nil {
			field, msg, _ := strings.Cut(err.Error(), ": ")
			return badRequest(c, field, msg)
		}
		r, err := transparency.Compute(c.Request().Context(), a.DB, from, to)
		if err != nil {
			return err
		}
		return write(c, r, false)
	}, s.RequireRole("auditor"))
	cache := &transparency.Cache{DB: a.DB, TTL: 5 * time.Minute}
	e.GET("/transparency", func(c echo.Context) error {
		from, to, err := period(c)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, err.Error())
		}
		r, err := cache.Get(c.Request().Context(), from, to)
		if err != nil {
			return err
		}
		return write(c, r, true)
	})
}

// instant parses a from/to bound: a date (YYYY-MM-DD; as to, the whole day
// is included) or an RFC 3339 time. Empty is an open bound.
func instant(s string, end bool) (time.Time, error) {
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
		return t, fmt.Errorf("%q is not a date YYYY-MM-DD or an RFC 3339 time", s)
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
		return 0, fmt.Errorf("%q is not a page number (1, 2, ...)", s)
	}
	if n > maxStatementPage || n > math.MaxInt/statements.PageSize {
		return 0, fmt.Errorf("%s is beyond the last possible page (at most %d)", s, maxStatementPage)
	}
	return n, nil
}

// badRequest answers 400 with the API's problem list, naming the parameter.
func badRequest(c echo.Context, field, msg string) error {
	return c.JSON(http.StatusBadRequest, map[string]any{"errors": []models.FieldError{{Field: field, Message: msg}}})
}
