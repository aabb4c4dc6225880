package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/abusedesk/abusedesk/temporalserver"
)

// TestMain runs the command itself when ADK_RUN_MAIN is set, so that a test
// can start the test binary as `abusedesk` and read its real stderr and
// exit code.
func TestMain(m *testing.M) {
	if os.Getenv("ADK_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// runMain runs `abusedesk args...` as a process in dir with env added and
// returns its stderr lines and exit code.
func runMain(t *testing.T, dir string, env []string, args ...string) ([]string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "ADK_RUN_MAIN=1"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	out := strings.TrimRight(stderr.String(), "\n")
	if out == "" {
		return nil, code
	}
	return strings.Split(out, "\n"), code
}

// TestUnknownFlagIsOneLine: a wrong flag used to print its error twice
// (cobra's "Error: ..." and main's), with the usage, and no word of where
// settings go. Now it is one line on stderr that names the flag and points
// to the ABUSEDESK_* variables and `abusedesk config`, and the exit code
// is 1.
func TestUnknownFlagIsOneLine(t *testing.T) {
	lines, code := runMain(t, t.TempDir(), nil, "--port", "1")
	require.Equal(t, 1, code)
	require.Len(t, lines, 1, "stderr: %q", lines)
	require.Contains(t, lines[0], "unknown flag: --port")
	require.Contains(t, lines[0], "ABUSEDESK_*")
	require.Contains(t, lines[0], "abusedesk config")
}

// TestServeWithHTTPAddrTakenIsOneLine: `abusedesk serve` with http_addr
// taken used to start the embedded Temporal server first (a dozen JSON
// warnings on stderr) and end on an error that did not say which setting
// to change. Now it stops before Temporal starts, on one line naming
// http_addr, ABUSEDESK_HTTP_ADDR and --http-addr, with no JSON on stderr
// and a non-zero exit code. The address comes through the --http-addr flag,
// which must win over ABUSEDESK_HTTP_ADDR.
func TestServeWithHTTPAddrTakenIsOneLine(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	free, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	dir := t.TempDir()
	env := []string{"ABUSEDESK_HTTP_ADDR=" + free, "ABUSEDESK_TEMPORAL_ADDRESS=" + mustFree(t),
		"ABUSEDESK_UI_ADDR=", "ABUSEDESK_DATA_DIR=" + filepath.Join(dir, "data")}
	lines, code := runMain(t, dir, env, "serve", "--http-addr", ln.Addr().String())
	require.NotEqual(t, 0, code)
	for _, l := range lines {
		require.False(t, strings.HasPrefix(l, `{"level"`), "a JSON line on stderr: %s", l)
	}
	require.Len(t, lines, 1, "stderr: %q", lines)
	require.Contains(t, lines[0], "http_addr (ABUSEDESK_HTTP_ADDR or --http-addr) "+ln.Addr().String())
	require.Contains(t, lines[0], "address already in use")
}

func mustFree(t *testing.T) string {
	a, err := temporalserver.FreeAddr()
	require.NoError(t, err)
	return a
}

// TestServeLogsOneFormatAndStopsOnOneLine: `abusedesk serve` at the default
// level used to mix Temporal's JSON lines with its own text lines and, on
// Ctrl-C, print dozens of "Failed to poll for task" lines after "shutting
// down". Now every stderr line is abusedesk's text format, nothing of
// Temporal's chatter shows at info, and after an interrupt the output ends
// on "abusedesk: stopped" right after "abusedesk: shutting down".
func TestServeLogsOneFormatAndStopsOnOneLine(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "serve", "--http-addr", mustFree(t), "--temporal-address", mustFree(t),
		"--ui-addr", "", "--data-dir", filepath.Join(dir, "data"), "--log-level", "info")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ADK_RUN_MAIN=1", "ABUSEDESK_HISTORY_EXPORT_INTERVAL=0")
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
	for !strings.Contains(stdout.String(), "abusedesk is running") {
		select {
		case err := <-exited:
			require.FailNow(t, "serve exited", "%v\n%s", err, stderr.String())
		case <-deadline:
			_ = cmd.Process.Kill()
			require.FailNow(t, "serve did not start", stderr.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	select {
	case err := <-exited:
		require.NoError(t, err, stderr.String())
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		require.FailNow(t, "serve did not stop", stderr.String())
	}
	lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
	for _, l := range lines {
		require.False(t, strings.HasPrefix(l, "{"), "a JSON line on stderr: %s", l)
		require.NotContains(t, l, "Failed to poll", "poll errors at info")
	}
	require.GreaterOrEqual(t, len(lines), 2, stderr.String())
	require.Equal(t, []string{"abusedesk: shutting down", "abusedesk: stopped"}, lines[len(lines)-2:], stderr.String())
}
