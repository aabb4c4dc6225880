package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"syscall"
)

// quietHandler is the handler of the Temporal loggers (the embedded
// server's and the SDK client's and worker's): abusedesk's handler, except
// that once the process is stopping every line goes to debug. Pollers and
// dials failing while the server goes away are the expected course of a
// shutdown, not news.
type quietHandler struct {
	slog.Handler
	stopping *atomic.Bool
}

func (h quietHandler) level(l slog.Level) slog.Level {
	if h.stopping.Load() && l > slog.LevelDebug {
		return slog.LevelDebug
	}
	return l
}

func (h quietHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.Handler.Enabled(ctx, h.level(l))
}

func (h quietHandler) Handle(ctx context.Context, r slog.Record) error {
	if l := h.level(r.Level); l != r.Level {
		if !h.Handler.Enabled(ctx, l) {
			return nil
		}
		r.Level = l
	}
	return h.Handler.Handle(ctx, r)
}

func (h quietHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return quietHandler{h.Handler.WithAttrs(a), h.stopping}
}

func (h quietHandler) WithGroup(n string) slog.Handler {
	return quietHandler{h.Handler.WithGroup(n), h.stopping}
}

// temporalLog is the logger of Temporal's parts, named by component.
func (a *App) temporalLog(component string) *slog.Logger {
	return slog.New(quietHandler{a.Log.Handler(), &a.stopping}).With("component", component)
}

// checkHTTPAddr fails fast, before the embedded Temporal server starts,
// when http_addr is taken.
func checkHTTPAddr(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return httpAddrError(addr, err)
	}
	return l.Close()
}

// httpAddrError names the setting to change, as the Temporal and UI port
// errors do.
func httpAddrError(addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		err = syscall.EADDRINUSE
	}
	return fmt.Errorf("http_addr (ABUSEDESK_HTTP_ADDR or --http-addr) %s: %w", addr, err)
}
