package app

import (
	"context"

	"github.com/labstack/echo/v4"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/abusedesk/abusedesk/server"
)

// Optional parts of abusedesk (pages, audit reads, codec, email intake,
// statements, purge, ...) plug in through these hooks from their own
// files' init, so adding a part never edits Start.
var (
	routeHooks  []func(a *App, e *echo.Echo, s *server.Server)
	startHooks  []func(ctx context.Context, a *App) error
	workerHooks []func(w sdkworker.Worker, a *App)
)

// OnRoutes registers HTTP routes of an optional part.
func OnRoutes(f func(a *App, e *echo.Echo, s *server.Server)) { routeHooks = append(routeHooks, f) }

// OnStart runs after the worker and the HTTP server started, in every
// role; a hook checks a.Role when it belongs to one role only. A returned
// error fails the start.
func OnStart(f func(ctx context.Context, a *App) error) { startHooks = append(startHooks, f) }

// OnWorker registers extra workflows or activities on the worker.
func OnWorker(f func(w sdkworker.Worker, a *App)) { workerHooks = append(workerHooks, f) }

// Extras are the routes of every registered part.
func Extras(a *App) []func(e *echo.Echo, s *server.Server) {
	var out []func(e *echo.Echo, s *server.Server)
	for _, h := range routeHooks {
		h := h
		out = append(out, func(e *echo.Echo, s *server.Server) { h(a, e, s) })
	}
	return out
}

// AddStop registers a function run at Stop (before earlier ones).
func (a *App) AddStop(f func()) { a.stops = append(a.stops, f) }
