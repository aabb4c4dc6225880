// Package temporalserver embeds a Temporal server (and optionally the Temporal
// Web UI) in the abusedesk process: SQLite in the data directory by default,
// PostgreSQL when configured. It is what `abusedesk serve` runs when no
// external Temporal cluster is configured.
package temporalserver

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// Storage back ends accepted in Options.DB.
const (
	DBSQLite   = "sqlite"
	DBPostgres = "postgres"
)

// Defaults applied by Start to zero-valued Options fields.
const (
	DefaultAddress   = "127.0.0.1:7233"
	DefaultNamespace = "default"
	DefaultDataDir   = "data"
	DefaultLogLevel  = "warn"
	// DefaultRetention keeps closed workflow histories for ten years:
	// auditors read case histories long after a case closes.
	DefaultRetention = 87600 * time.Hour
)

// Options configures the embedded server. Zero values take the defaults above.
type Options struct {
	// Address is host:port the frontend gRPC listens on, e.g. "127.0.0.1:7233".
	Address string
	// Namespace is created (or kept) at start, e.g. "default".
	Namespace string
	// DataDir holds the SQLite files (DataDir/temporal.db and
	// temporal_visibility.db) when DB is "sqlite".
	DataDir string
	// DB is "sqlite" (default) or "postgres".
	DB string
	// PostgresURL is used when DB is "postgres":
	// postgres://user[:password]@host:port/dbname?sslmode=disable. The store
	// lives in <dbname>, visibility in <dbname>_visibility; both are created
	// and their schema set up or upgraded at start.
	PostgresURL string
	// Retention is how long closed histories are kept (default 10 years).
	Retention time.Duration
	// ArchivalDir, when set, enables history archival with the filestore
	// provider: closed histories are also written under this directory
	// (namespace archival URI file://<ArchivalDir>). The first directory a
	// namespace archives to is permanent: Temporal refuses to change it.
	ArchivalDir string
	// SearchAttributes are registered at every start when missing.
	SearchAttributes map[string]enumspb.IndexedValueType
	// UIAddr is host:port of the Temporal Web UI; empty means no UI.
	UIAddr string
	// UICodecEndpoint is the payload codec endpoint the Web UI decodes through.
	UICodecEndpoint string
	// UIGate wraps the handler of UIAddr: it decides who may use the Web UI
	// (abusedesk serve lets in signed-in auditors and admins). Whoever it
	// lets in can only read: the UI runs with its write actions disabled
	// and only GET and HEAD pass. Nil lets nobody in.
	UIGate func(http.Handler) http.Handler
	// LogLevel of the server's own logs (default "warn": debug is ~3x slower)
	// when Logger is nil.
	LogLevel string
	// Logger, when set, receives the server's logs (and its internal SDK
	// client's) in the process's format, each level one step quieter
	// (see NewLogger); LogLevel is then unused.
	Logger *slog.Logger
	// NumHistoryShards defaults to 1 for SQLite and 4 for PostgreSQL. It is
	// fixed when the store is first created; a different value later is ignored.
	NumHistoryShards int32
	// DynamicConfig overrides server dynamic config keys (tests and tuning),
	// e.g. "history.archivalProcessorArchiveDelay": time.Second.
	DynamicConfig map[string]any
}

// withDefaults returns a copy of o with defaults applied, or an error naming
// the first invalid field.
func (o Options) withDefaults() (Options, error) {
	if o.Address == "" {
		o.Address = DefaultAddress
	}
	host, port, err := splitHostPort(o.Address)
	if err == nil && host == "localhost" {
		host = "127.0.0.1"
	}
	if err == nil && net.ParseIP(host) == nil {
		// The server binds on an IP and exits the process when given a name.
		err = errors.New("host must be an IP address or localhost")
	}
	if err != nil {
		return o, fmt.Errorf("temporalserver: temporal_address (ABUSEDESK_TEMPORAL_ADDRESS) %q: %w", o.Address, err)
	}
	o.Address = net.JoinHostPort(host, strconv.Itoa(port))
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.DataDir == "" {
		o.DataDir = DefaultDataDir
	}
	if o.DB == "" {
		o.DB = DBSQLite
	}
	switch o.DB {
	case DBSQLite:
		if o.NumHistoryShards == 0 {
			o.NumHistoryShards = 1
		}
	case DBPostgres:
		if o.PostgresURL == "" {
			return o, errors.New("temporalserver: DB is postgres but database_url (ABUSEDESK_DATABASE_URL) is empty")
		}
		if o.NumHistoryShards == 0 {
			o.NumHistoryShards = 4
		}
	default:
		return o, fmt.Errorf("temporalserver: unknown DB %q (want %q or %q)", o.DB, DBSQLite, DBPostgres)
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.Retention < time.Hour {
		return o, fmt.Errorf("temporalserver: retention %s is below Temporal's minimum of 1h", o.Retention)
	}
	if o.ArchivalDir != "" {
		abs, err := filepath.Abs(o.ArchivalDir)
		if err != nil {
			return o, fmt.Errorf("temporalserver: archival dir: %w", err)
		}
		o.ArchivalDir = abs
	}
	if o.LogLevel == "" {
		o.LogLevel = DefaultLogLevel
	}
	if o.UIAddr != "" {
		if _, _, err := splitHostPort(o.UIAddr); err != nil {
			return o, fmt.Errorf("temporalserver: ui_addr (ABUSEDESK_UI_ADDR) %q: %w", o.UIAddr, err)
		}
	}
	return o, nil
}

// archivalURI is the namespace history archival URI for ArchivalDir.
func (o Options) archivalURI() string {
	if o.ArchivalDir == "" {
		return ""
	}
	return "file://" + filepath.ToSlash(o.ArchivalDir)
}

// dialAddress is where local clients reach the frontend.
func (o Options) dialAddress() string {
	host, port, _ := splitHostPort(o.Address)
	return net.JoinHostPort(dialHost(host), strconv.Itoa(port))
}

// FreeAddr returns "127.0.0.1:<port>" with a port that was free a moment ago.
// Tests use it to run servers side by side without fixed ports.
func FreeAddr() (string, error) {
	port, err := freePort("127.0.0.1")
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), nil
}

// freePort is FreeAddr's port on host.
func freePort(host string) (int, error) {
	p := &portPicker{avoid: map[int]bool{}}
	defer p.release()
	return p.pick(host)
}

// portPicker picks distinct free ports: each stays bound until release, so
// no two picks return the same port, and no pick returns a port in avoid.
//
// A port picked and released is bound again only later (by the Temporal
// services, which exit the process when they cannot bind). A port the
// kernel hands out for ":0" comes from the ephemeral range, which every
// outgoing connection draws from too, so in the meantime a client socket
// could take it. Ports are therefore picked below that range, where the
// kernel never places a connection (see listenCandidates).
type portPicker struct {
	held  []net.Listener
	avoid map[int]bool
}

func (p *portPicker) pick(host string) (int, error) {
	for range 50 {
		l, err := listenCandidate(host)
		if err != nil {
			return 0, err
		}
		p.held = append(p.held, l)
		if port := l.Addr().(*net.TCPAddr).Port; !p.avoid[port] {
			p.avoid[port] = true
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free port on %s apart from %d taken", host, len(p.avoid))
}

// release closes the held listeners, just before the server binds.
func (p *portPicker) release() {
	for _, l := range p.held {
		_ = l.Close()
	}
	p.held = nil
}

// checkPortFree fails when addr cannot be listened on. Both the Temporal
// frontend and the ui-server exit the process (Logger.Fatal) on a busy port,
// so Start checks first and names the configuration key to change.
func checkPortFree(addr, key string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("temporalserver: %s %s is not available (change %s): %w",
			keyName(key), addr, key, err)
	}
	return l.Close()
}

// keyName turns "ABUSEDESK_UI_ADDR" into the config file key "ui_addr".
func keyName(envKey string) string {
	return strings.ToLower(strings.TrimPrefix(envKey, "ABUSEDESK_"))
}

// splitHostPort parses host:port with a numeric port.
func splitHostPort(addr string) (string, int, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	p, err := strconv.Atoi(port)
	if err != nil || p <= 0 || p > 65535 {
		return "", 0, fmt.Errorf("invalid port %q", port)
	}
	if host == "" {
		host = "0.0.0.0"
	}
	return host, p, nil
}

// dialHost is the address local clients use to reach a listener bound on host.
func dialHost(host string) string {
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return "127.0.0.1"
	}
	return host
}

// listenCandidate listens on a random port below the ephemeral range
// (ip_local_port_range), trying a few before falling back to ":0".
func listenCandidate(host string) (net.Listener, error) {
	lo, hi := listenRange()
	for range 20 {
		if hi <= lo {
			break
		}
		port := lo + rand.IntN(hi-lo)
		if l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port))); err == nil {
			return l, nil
		}
	}
	return net.Listen("tcp", net.JoinHostPort(host, "0"))
}

// listenRange is [10000, start of the ephemeral range) on Linux; elsewhere
// an empty range (the kernel's choice).
func listenRange() (lo, hi int) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0
	}
	start, err := strconv.Atoi(f[0])
	if err != nil || start <= 11000 {
		return 0, 0
	}
	return 10000, start
}
