package temporalserver

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// TestLoggerOneStepQuieter: the embedded server's lines go through the
// process's slog handler (text here, not Temporal's JSON), one level
// quieter: at info its info and warning lines are dropped and an error
// shows as a warning with its tags; at debug its warnings show.
func TestLoggerOneStepQuieter(t *testing.T) {
	var buf bytes.Buffer
	l := NewLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	l.Info("membership changed")
	l.Warn("network dial error", tag.Error(errors.New("refused")))
	l.Debug("poll")
	require.Empty(t, buf.String())
	l.Error("persistence failed", tag.Error(errors.New("disk full")), tag.NewStringTag("shard", "1"))
	out := buf.String()
	require.Equal(t, 1, strings.Count(out, "\n"), out)
	require.Contains(t, out, "level=WARN")
	require.Contains(t, out, `msg="persistence failed"`)
	require.Contains(t, out, `error="disk full"`)
	require.Contains(t, out, "shard=1")

	buf.Reset()
	dbg := NewLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	log.With(dbg, tag.NewStringTag("service", "frontend")).Warn("network dial error")
	require.Contains(t, buf.String(), "level=DEBUG")
	require.Contains(t, buf.String(), "service=frontend")
	dbg.Debug("poll")
	require.NotContains(t, buf.String(), "poll", "Temporal's own debug lines stay off")
}
