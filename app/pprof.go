package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// The Go profiler, when pprof_addr is set: how the load measurements in
// README.md were profiled. It has no authentication, so it listens on its
// own address (loopback by default in every example), never on http_addr.
func init() {
	OnStart(func(ctx context.Context, a *App) error {
		if a.Cfg.PprofAddr == "" {
			return nil
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		ln, err := net.Listen("tcp", a.Cfg.PprofAddr)
		if err != nil {
			return fmt.Errorf("pprof_addr %s: %w", a.Cfg.PprofAddr, err)
		}
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		a.stops = append(a.stops, func() { _ = srv.Close() })
		a.Log.Info("profiler listening", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
		return nil
	})
}
