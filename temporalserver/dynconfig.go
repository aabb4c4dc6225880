package temporalserver

import (
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
func dynamicConfig(o Options) dynamicconfig.StaticClient {
	dc := dynamicconfig.StaticClient{
		// New search attributes are usable at once, not after a cache refresh.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		dynamicconfig.FrontendPersistenceMaxQPS.Key():               persistenceMaxQPS,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():                persistenceMaxQPS,
		dynamicconfig.MatchingPersistenceMaxQPS.Key():               persistenceMaxQPS,
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():            historyCacheSize,
		// The UI and the case list query visibility often.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}
	for k, v := range o.DynamicConfig {
		dc[dynamicconfig.MakeKey(k)] = v
	}
	return dc
}

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
