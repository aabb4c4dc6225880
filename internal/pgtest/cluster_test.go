package pgtest

import (
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPrivateClusterRestarts(t *testing.T) {
	c := StartCluster(t)
	url := c.CreateDB("probe")
	db, err := sql.Open("pgx", url)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Ping())
	c.Restart(200 * time.Millisecond)
	require.Eventually(t, func() bool { return db.Ping() == nil }, 10*time.Second, 100*time.Millisecond)
}
