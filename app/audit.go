package app

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/abusedesk/abusedesk/audit"
	"github.com/abusedesk/abusedesk/config"
	"github.com/abusedesk/abusedesk/server"
	"github.com/abusedesk/abusedesk/store"
)

func init() {
	store.Extra = append(store.Extra, audit.Migrate)
	server.CustomerJournal = func(tx *gorm.DB, actor string, r store.LoadResult) error {
		_, err := audit.Append(tx, audit.NewEntry{Actor: actor, Kind: "customer_records",
			DedupKey: fmt.Sprintf("customers:%d", time.Now().UnixNano()), Details: r})
		return err
	}
}

// auditJournal appends activity changes to the audit log.
type auditJournal struct{}

// Record appends one entry in the caller's transaction.
func (auditJournal) Record(tx *gorm.DB, actor, caseID, kind, dedupKey string, details any) error {
	_, err := audit.Append(tx, audit.NewEntry{Actor: actor, CaseID: caseID, Kind: kind, DedupKey: dedupKey, Details: details})
	return err
}

// AuditKeys returns the audit log's signing and verifier keys: from
// configuration, or generated into the data dir on first start.
func AuditKeys(cfg *config.Config) (skey, vkey string, err error) {
	if cfg.AuditSigningKey != "" {
		vkey, err = audit.VerifierKey(cfg.AuditSigningKey)
		return cfg.AuditSigningKey, vkey, err
	}
	return audit.LoadOrCreateKey(cfg.DataDir, audit.DefaultOrigin)
}

// auditRoutes serves the auditor's reads of the audit log.
func (a *App) auditRoutes(e *echo.Echo, s *server.Server) {
	if a.AuditLog == nil {
		return
	}
	l := a.AuditLog
	g := e.Group("/v1/audit", s.RequireRole("auditor"))
	g.GET("/checkpoint", func(c echo.Context) error {
		note, _, _, err := l.Checkpoint(c.Request().Context())
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "text/plain; charset=utf-8", note)
	})
	g.GET("/entries", func(c echo.Context) error {
		es, err := l.Entries(c.Request().Context(), c.QueryParam("case_id"))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"entries": es})
	})
	g.GET("/proof/inclusion", func(c echo.Context) error {
		ctx := c.Request().Context()
		cur, err := l.Size(ctx)
		if err != nil {
			return err
		}
		idx, size, err := audit.InclusionParams(c.QueryParam("index"), c.QueryParam("size"), cur)
		if err != nil {
			return proofParamError(err)
		}
		p, err := l.ProveInclusion(ctx, idx, size)
		if err != nil {
			return proofParamError(err)
		}
		return c.JSON(http.StatusOK, p)
	})
	g.GET("/proof/consistency", func(c echo.Context) error {
		ctx := c.Request().Context()
		cur, err := l.Size(ctx)
		if err != nil {
			return err
		}
		from, to, err := audit.ConsistencyParams(c.QueryParam("from"), c.QueryParam("to"), cur)
		if err != nil {
			return proofParamError(err)
		}
		p, err := l.ProveConsistency(ctx, from, to)
		if err != nil {
			return proofParamError(err)
		}
		return c.JSON(http.StatusOK, p)
	})
}

// proofParamError answers a proof parameter outside the log with 400
// naming it; other errors (reading the database) stay server errors.
func proofParamError(err error) error {
	var pe *audit.ParamError
	if errors.As(err, &pe) {
		return server.Fail(http.StatusBadRequest, pe.Param, "%s", pe.Message)
	}
	return err
}
