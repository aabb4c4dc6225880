package app

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/desk"
	"github.com/abusedesk/abusedesk/links"
	"github.com/abusedesk/abusedesk/pages"
	"github.com/abusedesk/abusedesk/server"
)

// serverTemporal is the Temporal client of the HTTP server and its intake:
// opt.ServerTemporal's wrapping of the app's, when set.
func (a *App) serverTemporal(opt Options) client.Client {
	if opt.ServerTemporal != nil {
		return opt.ServerTemporal(a.Temporal)
	}
	return a.Temporal
}

// buildDesk builds the use cases the front ends share. Its Temporal client
// is the one of opt.ServerTemporal when set (tests inject failures there).
func (a *App) buildDesk(opt Options) *desk.Desk {
	cfg := a.Cfg
	tc := a.serverTemporal(opt)
	return &desk.Desk{Cfg: cfg, DB: a.DB, Engine: desk.Temporal{Client: tc, TaskQueue: cfg.TaskQueue}, Intake: a.Intake,
		Links: links.Links{PublicURL: cfg.PublicURL, Secret: []byte(cfg.TokenSecret)}, Log: a.Log,
		Journal: auditJournal{}, Archive: desk.StoreArchive{DB: a.DB}, Decoder: codec.HistoryDecoder{Ring: a.KeyRing},
		AuditLog: a.AuditLog, KeyRing: a.KeyRing, Attempts: desk.NewAttempts(cfg.Auth.FailureRate, cfg.Auth.LockoutMax)}
}

// startHTTP serves the JSON API (server) and the web pages (pages) from
// one Echo instance on http_addr: the pages' routes are added to the
// server's, and page routes answer errors with the pages' HTML error page.
// The embedded Web UI's gate, when there is one, signs auditors in through
// this server.
func (a *App) startHTTP() error {
	p := pages.New(pages.Deps{Desk: a.Desk, Secret: []byte(a.Cfg.TokenSecret), Log: a.Log})
	a.Server = &server.Server{Cfg: a.Cfg, Desk: a.Desk, Log: a.Log, PageError: p.ErrorPage,
		Extra: []func(e *echo.Echo, s *server.Server){func(e *echo.Echo, _ *server.Server) { p.Routes(e) }}}
	if err := a.Server.Start(); err != nil {
		return httpAddrError(a.Cfg.HTTPAddr, err)
	}
	if a.uiGate != nil {
		a.uiGate.Serve(a.Server)
	}
	a.AddStop(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.Server.Shutdown(ctx)
	})
	return nil
}
