package temporalserver

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/server/common/dynamicconfig"
)

func forced(c *liveConfig) any { return c.GetValue(forceSARefreshKey)[0].Value }

// TestSearchAttributeRefreshSettles: the forced refresh is on while the
// server starts and off once no attribute was added; an explicit setting in
// Options.DynamicConfig wins either way.
func TestSearchAttributeRefreshSettles(t *testing.T) {
	c := dynamicConfig(Options{})
	require.Equal(t, true, forced(c))
	c.searchAttributesSettled(true)
	require.Equal(t, true, forced(c), "attributes were added: stays on until the caches expire")
	c.searchAttributesSettled(false)
	require.Equal(t, false, forced(c))

	pinned := dynamicConfig(Options{DynamicConfig: map[string]any{"system.forceSearchAttributesCacheRefreshOnRead": true}})
	pinned.searchAttributesSettled(false)
	require.Equal(t, true, forced(pinned))

	// Other keys come from the static settings.
	require.Equal(t, persistenceMaxQPS, c.GetValue(dynamicconfig.HistoryPersistenceMaxQPS.Key())[0].Value)
}
