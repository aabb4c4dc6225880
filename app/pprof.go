package app

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"
)

// While the profiler is on, the block and mutex profiles sample too: a
// goroutine's wait for the one SQLite connection, a lock or a channel shows
// in /debug/pprof/block and /debug/pprof/mutex. Every blocking event of at
// least blockProfileRate is recorded, shorter ones in proportion; one in
// mutexProfileFraction contended locks.
const (
	blockProfileRate     = int(100 * time.Microsecond)
	mutexProfileFraction = 20
)

// StartProfiler serves the Go profiler on addr (config key pprof_addr) and
// returns its stop function; an empty addr serves nothing. It has no
// authentication, so it gets an address of its own (loopback in every
// example), never http_addr. It turns on the block and mutex profiles.
func StartProfiler(addr string, log *slog.Logger) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pprof_addr %s: %w", addr, err)
	}
	runtime.SetBlockProfileRate(blockProfileRate)
	runtime.SetMutexProfileFraction(mutexProfileFraction)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	log.Info("profiler listening", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
	return func() { _ = srv.Close() }, nil
}
