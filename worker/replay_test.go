package worker_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/abusedesk/abusedesk/codec"
	"github.com/abusedesk/abusedesk/worker"
)

func recorded(t *testing.T, name string) (*codec.KeyRing, string) {
	t.Helper()
	dir := filepath.Join("..", "workflows", "testdata")
	keys, err := os.ReadFile(filepath.Join(dir, "payload.keys"))
	require.NoError(t, err)
	ring, err := codec.ParseKeyRing(strings.TrimSpace(string(keys)))
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return ring, string(raw)
}

// A stored history replays with its key ring; without the key it was
// written with, the replay fails naming the missing key.
func TestReplayHistory(t *testing.T) {
	ring, raw := recorded(t, "hosted-removed.history.json")
	h, err := client.HistoryFromJSON(strings.NewReader(raw), client.HistoryJSONOptions{})
	require.NoError(t, err)
	require.NoError(t, worker.ReplayHistory(context.Background(), h, ring))

	entry, err := codec.GenerateKeyEntry("other-key")
	require.NoError(t, err)
	other, err := codec.ParseKeyRing(entry)
	require.NoError(t, err)
	err = worker.ReplayHistory(context.Background(), h, other)
	require.Error(t, err)
	require.True(t, errors.Is(err, codec.ErrUnknownKeyID), "%v", err)
}
