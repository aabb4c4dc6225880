package temporalserver

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPortPickerNeverRepeats: the frontend's gRPC port, released by
// whoever picked it, is never picked again for the HTTP API or another
// service (the clash made the embedded frontend exit the process), and no
// two picks are equal.
func TestPortPickerNeverRepeats(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	grpc := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())

	p := &portPicker{avoid: map[int]bool{grpc: true}}
	seen := map[int]bool{grpc: true}
	for range 200 {
		port, err := p.pick("127.0.0.1")
		require.NoError(t, err)
		require.False(t, seen[port], "port %d picked twice", port)
		seen[port] = true
	}
	p.release()
	if lo, hi := listenRange(); hi > lo {
		for port := range seen {
			if port != grpc {
				require.True(t, port >= lo && port < hi, "port %d outside [%d, %d), below the ephemeral range", port, lo, hi)
			}
		}
	}
	l, err = net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err, "released ports are free again")
	require.NoError(t, l.Close())
}
