package temporalserver

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"time"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// Levels Temporal's server logs are given on the abusedesk logger: one
// step quieter than Temporal's own, so that at the default level (info)
// only its errors show (as warnings), and its info and warning chatter
// (membership, shard movement, pollers) only at debug. Its own debug
// lines are below slog's debug and never shown: they are many, and
// building them makes the server about three times slower.
const (
	levelTemporalDebug = slog.LevelDebug - 4
	levelTemporalInfo  = slog.LevelDebug
	levelTemporalWarn  = slog.LevelDebug
	levelTemporalError = slog.LevelWarn
)

// slogLogger is Temporal's server log.Logger over an slog.Logger, so that
// the embedded server logs in the process's one format.
type slogLogger struct {
	l *slog.Logger
}

// NewLogger returns a Temporal server logger that writes to l, each level
// one step quieter (see levelTemporalInfo).
func NewLogger(l *slog.Logger) log.Logger {
	return slogLogger{l: l}
}

func (s slogLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if !s.l.Enabled(ctx, level) {
		return
	}
	var pcs [1]uintptr
	runtime.Callers(3, pcs[:])
	r := slog.NewRecord(time.Now(), level, msg, pcs[0])
	for _, t := range tags {
		r.AddAttrs(tagAttr(t))
	}
	_ = s.l.Handler().Handle(ctx, r)
}

// tagAttr turns a Temporal tag into an attribute; values without a plain
// text form (errors, stringers) are printed.
func tagAttr(t tag.Tag) slog.Attr {
	switch v := t.Value().(type) {
	case error:
		return slog.String(t.Key(), v.Error())
	case fmt.Stringer:
		return slog.String(t.Key(), v.String())
	default:
		return slog.Any(t.Key(), v)
	}
}

func (s slogLogger) Debug(msg string, tags ...tag.Tag) { s.log(levelTemporalDebug, msg, tags) }
func (s slogLogger) Info(msg string, tags ...tag.Tag)  { s.log(levelTemporalInfo, msg, tags) }
func (s slogLogger) Warn(msg string, tags ...tag.Tag)  { s.log(levelTemporalWarn, msg, tags) }
func (s slogLogger) Error(msg string, tags ...tag.Tag) { s.log(levelTemporalError, msg, tags) }

// DPanic is an error in production.
func (s slogLogger) DPanic(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

// Panic logs at error and panics, as Temporal's zap logger does.
func (s slogLogger) Panic(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	panic(msg)
}

// Fatal logs at error and exits the process, as Temporal's zap logger does
// (Start checks the ports first so that a busy port is an error instead).
func (s slogLogger) Fatal(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	os.Exit(1)
}

// With returns a logger that adds tags to every line.
func (s slogLogger) With(tags ...tag.Tag) log.Logger {
	attrs := make([]any, 0, len(tags))
	for _, t := range tags {
		attrs = append(attrs, tagAttr(t))
	}
	return slogLogger{l: s.l.With(attrs...)}
}

// demoteHandler shows warnings and below one step quieter (at debug), as
// the server's own lines are; errors stay.
type demoteHandler struct{ slog.Handler }

func demote(l slog.Level) slog.Level {
	if l < slog.LevelError {
		return levelTemporalWarn
	}
	return l
}

func (h demoteHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.Handler.Enabled(ctx, demote(l))
}

func (h demoteHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Level = demote(r.Level)
	return h.Handler.Handle(ctx, r)
}

func (h demoteHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return demoteHandler{h.Handler.WithAttrs(a)}
}

func (h demoteHandler) WithGroup(n string) slog.Handler { return demoteHandler{h.Handler.WithGroup(n)} }
