package temporalserver

import (
	"sync/atomic"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/dynamicconfig"
)

// persistenceMaxQPS raises the per-host database rate limits the way the CLI
// dev server does: one host runs every service and is the whole cluster.
const persistenceMaxQPS = 3000

// historyCacheSize caps the host-level mutable-state cache (the server's
// default of 128,000 entries is sized for dedicated history hosts).
const historyCacheSize = 8096

// dynamicConfig is the server's dynamic config: dev-server settings first,
// then Options.DynamicConfig overrides.
func dynamicConfig(o Options) *liveConfig {
	dc := dynamicconfig.StaticClient{
		dynamicconfig.FrontendPersistenceMaxQPS.Key():    persistenceMaxQPS,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():     persistenceMaxQPS,
		dynamicconfig.MatchingPersistenceMaxQPS.Key():    persistenceMaxQPS,
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): historyCacheSize,
		// The UI and the case list query visibility often.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// One matching host: a task queue's partitions (4 by default,
		// to spread a queue over matching hosts) only forward tasks and
		// polls between themselves here (README, Load and faults).
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
		// Stated rather than left to the default: searchAttributesSettled
		// counts on it.
		dynamicconfig.NamespaceCacheRefreshInterval.Key(): namespaceRefresh,
	}
	for k, v := range o.DynamicConfig {
		dc[dynamicconfig.MakeKey(k)] = v
	}
	lc := &liveConfig{static: dc}
	lc.forceSARefresh.Store(true)
	return lc
}

// forceSARefreshKey makes every search-attribute read go to the store.
var forceSARefreshKey = dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key()

// liveConfig is the static config plus one setting that changes at run
// time: system.forceSearchAttributesCacheRefreshOnRead. It is on while the
// server starts, so that attributes registered by this start are usable at
// once, and off after (searchAttributesSettled). Left on, every start,
// upsert and visibility write re-reads the attributes from the store under
// one lock: in the intake profile that lock and the read were where the
// starts queued.
type liveConfig struct {
	static         dynamicconfig.StaticClient
	forceSARefresh atomic.Bool
}

var (
	cvTrue  = []dynamicconfig.ConstrainedValue{{Value: true}}
	cvFalse = []dynamicconfig.ConstrainedValue{{Value: false}}
)

// GetValue implements dynamicconfig.Client.
func (c *liveConfig) GetValue(key dynamicconfig.Key) []dynamicconfig.ConstrainedValue {
	if key == forceSARefreshKey {
		if _, set := c.static[key]; !set {
			if c.forceSARefresh.Load() {
				return cvTrue
			}
			return cvFalse
		}
	}
	return c.static.GetValue(key)
}

// searchAttributesSettled turns the forced refresh off: at once when this
// start added no attribute (every cache was filled after they all existed),
// else once every service's namespace cache has refreshed.
func (c *liveConfig) searchAttributesSettled(added bool) {
	if !added {
		c.forceSARefresh.Store(false)
		return
	}
	time.AfterFunc(saSettle, func() { c.forceSARefresh.Store(false) })
}

// namespaceRefresh is how often each service re-reads the namespaces
// (system.namespaceCacheRefreshInterval, the server's default).
const namespaceRefresh = 2 * time.Second

// saSettle is how long the forced refresh stays on after this start added
// attributes. With SQL visibility (the only kind this server runs: SQLite
// or PostgreSQL) an added attribute is an alias in the namespace's config,
// nothing in the cluster metadata, so the stale copies are the services'
// namespace caches, which re-read every namespaceRefresh: three of those
// cover a refresh that was under way when the alias was written. (The
// cluster's attribute cache lives 60 s, but only its pre-allocated columns
// are kept there, and those never change.) Forced, every start and upsert
// reads the namespace and the cluster metadata from the database: a tenth
// of the server's CPU in a CDN burst.
const saSettle = 3 * namespaceRefresh

// clusterConfig describes the single local cluster. Its ID is generated and
// stored on first start; the addresses are updated on every start.
func clusterConfig(rpcAddr, httpAddr string) *cluster.Config {
	return &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             rpcAddr,
				HTTPAddress:            httpAddr,
			},
		},
	}
}
