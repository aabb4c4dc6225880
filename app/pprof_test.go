package app

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProfilerServesBlockAndMutex: with pprof_addr set, the block and mutex
// profiles sample (a wait for the one SQLite connection shows there), and
// they are served next to the CPU profile; with it empty nothing listens.
func TestProfilerServesBlockAndMutex(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	stop, err := StartProfiler("", log)
	require.NoError(t, err)
	stop()
	require.Equal(t, 0, runtime.SetMutexProfileFraction(-1), "no profiler, no sampling")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	stop, err = StartProfiler(addr, log)
	require.NoError(t, err)
	t.Cleanup(func() {
		stop()
		runtime.SetBlockProfileRate(0)
		runtime.SetMutexProfileFraction(0)
	})
	require.Equal(t, mutexProfileFraction, runtime.SetMutexProfileFraction(-1))
	for p, head := range map[string]string{"block": "--- contention:", "mutex": "--- mutex:"} {
		res, err := http.Get("http://" + addr + "/debug/pprof/" + p + "?debug=1")
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, p)
		require.Contains(t, string(body), head, p)
	}
}
