package temporalserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	sdkclient "go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/temporal"
)

// startTimeout bounds how long Start waits for the frontend to answer.
const startTimeout = 60 * time.Second

// Server is a running embedded Temporal server, with its Web UI when
// configured.
type Server struct {
	opts   Options
	server temporal.Server
	ui     *webUI
	client sdkclient.Client
	logger log.Logger
	dc     *liveConfig
}

// Start starts the embedded server and returns once the frontend answers and
// the namespace (with its retention, archival state and search attributes)
// is in place. The caller must call Stop.
func Start(ctx context.Context, o Options) (*Server, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	logger := o.serverLogger()
	// The frontend and the ui-server exit the process on a busy port: check first.
	if err := checkPortFree(o.Address, "ABUSEDESK_TEMPORAL_ADDRESS"); err != nil {
		return nil, err
	}
	if o.UIAddr != "" {
		if err := checkPortFree(o.UIAddr, "ABUSEDESK_UI_ADDR"); err != nil {
			return nil, err
		}
	}
	dc := dynamicConfig(o)
	var srv temporal.Server
	// The internal services' ports are picked free just before the server
	// binds them; another process can take one in between. Pick again.
	for attempt := 1; ; attempt++ {
		srv, err = newServer(ctx, o, logger, dc)
		if err == nil || attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			break
		}
		logger.Warn("temporalserver: an internal port was taken; picking new ones", tag.Error(err))
	}
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, server: srv, logger: logger, dc: dc}
	if err := s.afterStart(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// newServer builds and starts the server on freshly picked internal ports.
func newServer(ctx context.Context, o Options, logger log.Logger, dc *liveConfig) (temporal.Server, error) {
	conf, err := buildConfig(ctx, o, logger)
	if err != nil {
		return nil, err
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(staticHosts(conf)),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dc),
	)
	if err != nil {
		return nil, fmt.Errorf("temporalserver: new server: %w", err)
	}
	if err := srv.Start(); err != nil {
		_ = srv.Stop()
		return nil, fmt.Errorf("temporalserver: start: %w", err)
	}
	return srv, nil
}

// afterStart connects a client, prepares the namespace and starts the UI.
func (s *Server) afterStart(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	c, err := dialFrontend(ctx, s.opts)
	if err != nil {
		return err
	}
	s.client = c
	if err := ensureNamespace(ctx, c, s.opts, s.logger); err != nil {
		return err
	}
	added, err := ensureSearchAttributes(ctx, c, s.opts)
	if err != nil {
		return err
	}
	s.dc.searchAttributesSettled(added)
	if s.opts.UIAddr != "" {
		ui, err := startUI(ctx, s.opts)
		if err != nil {
			return err
		}
		s.ui = ui
	}
	return nil
}

// Stop shuts down the UI, the internal client and the server. It is safe to
// call on a partly started Server.
func (s *Server) Stop() {
	if s.ui != nil {
		s.ui.Stop()
		s.ui = nil
	}
	if s.client != nil {
		s.client.Close()
		s.client = nil
	}
	if s.server != nil {
		if err := s.server.Stop(); err != nil {
			s.logger.Warn("temporal server stop failed", tag.Error(err))
		}
		s.server = nil
	}
}

// Address is the frontend's host:port for SDK clients and workers.
func (s *Server) Address() string {
	return s.opts.dialAddress()
}

// dialFrontend connects to the frontend, retrying until it answers.
func dialFrontend(ctx context.Context, o Options) (sdkclient.Client, error) {
	opts := sdkclient.Options{
		HostPort:  o.dialAddress(),
		Namespace: o.Namespace,
		Logger:    sdklog.NewStructuredLogger(o.sdkLogger()),
	}
	var lastErr error
	for {
		c, err := sdkclient.DialContext(ctx, opts)
		if err == nil {
			if _, err = c.CheckHealth(ctx, &sdkclient.CheckHealthRequest{}); err == nil {
				return c, nil
			}
			c.Close()
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("temporalserver: frontend %s did not answer: %w", opts.HostPort, errors.Join(ctx.Err(), lastErr))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// clusterName names the single local cluster.
const clusterName = "active"

// buildConfig assembles the static server config: persistence, the four
// services on their ports, cluster metadata and archival.
func buildConfig(ctx context.Context, o Options, logger log.Logger) (*config.Config, error) {
	host, port, _ := splitHostPort(o.Address)
	// The frontend's gRPC port was picked free and released by whoever
	// configured it; a port picked now must not be that one, nor one
	// picked before it here (a clash makes the frontend exit the process).
	picks := &portPicker{avoid: map[int]bool{port: true}}
	defer picks.release()
	httpPort, err := picks.pick(host)
	if err != nil {
		return nil, fmt.Errorf("temporalserver: frontend http port: %w", err)
	}
	conf := &config.Config{}
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = dialHost(host)
	if err := setPersistence(ctx, conf, o, logger); err != nil {
		return nil, err
	}
	conf.Services = map[string]config.Service{
		string(primitives.FrontendService): {RPC: config.RPC{GRPCPort: port, HTTPPort: httpPort, BindOnIP: host}},
	}
	// History, matching and worker are only reached in-process through the
	// static host list, so they bind on loopback ports picked now.
	for _, svc := range []primitives.ServiceName{primitives.HistoryService, primitives.MatchingService, primitives.WorkerService} {
		p, err := picks.pick("127.0.0.1")
		if err != nil {
			return nil, fmt.Errorf("temporalserver: %s port: %w", svc, err)
		}
		conf.Services[string(svc)] = config.Service{RPC: config.RPC{GRPCPort: p, BindOnIP: "127.0.0.1"}}
	}
	rpcAddr := o.dialAddress()
	conf.ClusterMetadata = clusterConfig(rpcAddr, net.JoinHostPort(dialHost(host), strconv.Itoa(httpPort)))
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.PublicClient.HostPort = rpcAddr
	setArchival(conf, o)
	return conf, nil
}

// setPersistence points both stores at SQLite or PostgreSQL, creating and
// migrating the databases first.
func setPersistence(ctx context.Context, conf *config.Config, o Options, logger log.Logger) error {
	conf.Persistence.NumHistoryShards = o.NumHistoryShards
	switch o.DB {
	case DBPostgres:
		if err := setupPostgresSchema(ctx, o.PostgresURL, logger); err != nil {
			return err
		}
		store, visibility, err := postgresConfigs(o.PostgresURL)
		if err != nil {
			return err
		}
		conf.Persistence.DefaultStore = "postgres-default"
		conf.Persistence.VisibilityStore = "postgres-visibility"
		conf.Persistence.DataStores = map[string]config.DataStore{
			"postgres-default":    {SQL: store},
			"postgres-visibility": {SQL: visibility},
		}
	default:
		store, visibility, err := sqliteConfig(o)
		if err != nil {
			return err
		}
		conf.Persistence.DefaultStore = "sqlite-default"
		conf.Persistence.VisibilityStore = "sqlite-visibility"
		conf.Persistence.DataStores = map[string]config.DataStore{
			"sqlite-default":    {SQL: store},
			"sqlite-visibility": {SQL: visibility},
		}
	}
	return nil
}

// setArchival enables history archival to the filestore under ArchivalDir.
// Visibility archival stays off: the visibility store keeps the records.
func setArchival(conf *config.Config, o Options) {
	conf.Archival.Visibility.State = config.ArchivalDisabled
	conf.NamespaceDefaults.Archival.Visibility.State = config.ArchivalDisabled
	if o.ArchivalDir == "" {
		conf.Archival.History.State = config.ArchivalDisabled
		conf.NamespaceDefaults.Archival.History.State = config.ArchivalDisabled
		return
	}
	conf.Archival.History.State = config.ArchivalEnabled
	conf.Archival.History.EnableRead = true
	conf.Archival.History.Provider = &config.HistoryArchiverProvider{
		Filestore: &config.FilestoreArchiver{FileMode: "0640", DirMode: "0750"},
	}
	conf.NamespaceDefaults.Archival.History.State = config.ArchivalEnabled
	conf.NamespaceDefaults.Archival.History.URI = o.archivalURI()
}

// staticHosts tells each service where the others listen (no ringpop).
func staticHosts(conf *config.Config) map[primitives.ServiceName]static.Hosts {
	hosts := map[primitives.ServiceName]static.Hosts{}
	for name, svc := range conf.Services {
		addr := net.JoinHostPort(dialHost(svc.RPC.BindOnIP), strconv.Itoa(svc.RPC.GRPCPort))
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(addr)
	}
	return hosts
}

// serverLogger is Logger adapted (NewLogger), or JSON on stderr at
// LogLevel without one.
func (o Options) serverLogger() log.Logger {
	if o.Logger != nil {
		return NewLogger(o.Logger)
	}
	return newServerLogger(o.LogLevel)
}

// sdkLogger is where the server's internal SDK client logs: Logger with
// its warnings shown only at debug (they are the server's chatter), or
// the default logger.
func (o Options) sdkLogger() *slog.Logger {
	if o.Logger == nil {
		return slog.Default()
	}
	return slog.New(demoteHandler{o.Logger.Handler()})
}

// newServerLogger logs to stderr as JSON at level.
func newServerLogger(level string) log.Logger {
	return log.NewZapLogger(log.BuildZapLogger(log.Config{Level: level, Format: "json"}))
}
