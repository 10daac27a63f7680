package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/plugfs/plugfs/core/host"
	"github.com/plugfs/plugfs/sdk"
)

// logLevels are the names --log-level and daemon.log_level take.
var logLevels = map[string]slog.Level{
	"trace": host.LevelTrace,
	"debug": slog.LevelDebug,
	"info":  slog.LevelInfo,
	"warn":  slog.LevelWarn,
	"error": slog.LevelError,
}

// parseLogLevel reads a level name, any case.
func parseLogLevel(s string) (slog.Level, bool) {
	l, ok := logLevels[strings.ToLower(strings.TrimSpace(s))]
	return l, ok
}

// newSlog returns the structured logger of plugfs: text (key=value) or
// JSON lines on w, from level up. Every line has time, level and msg;
// volume, plugin and operation lines add their fields.
func newSlog(w io.Writer, level slog.Level, format string) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: levelNames}
	switch format {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("unknown log format %q: use text or json", format)
}

// levelNames writes host.LevelTrace as TRACE (slog would say DEBUG-4).
func levelNames(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.LevelKey {
		if l, ok := a.Value.Any().(slog.Level); ok && l == host.LevelTrace {
			a.Value = slog.StringValue("TRACE")
		}
	}
	return a
}

// discardLogger logs nothing.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// opLogger returns a host.Config.Observe function that logs every
// operation of one volume (its name, result, duration and bytes) at info
// level, then calls next (nil: nothing). It is the per-volume debug
// switch: plugfs mount --debug, or mount.debug in the daemon's file.
func opLogger(log *slog.Logger, next func(op string, took time.Duration, n int, err error)) func(op string, took time.Duration, n int, err error) {
	return func(op string, took time.Duration, n int, err error) {
		attrs := []slog.Attr{slog.String("op", op), slog.String("result", resultLabel(sdk.CodeOf(err))), slog.Duration("took", took)}
		if n > 0 {
			attrs = append(attrs, slog.Int("bytes", n))
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		log.LogAttrs(context.Background(), slog.LevelInfo, "operation", attrs...)
		if next != nil {
			next(op, took, n, err)
		}
	}
}
