//go:build !linux

package main

import "log/slog"

// clearStaleMount does nothing here: only Linux reports a FUSE mount whose
// server is gone distinctly (ENOTCONN) by path.
func clearStaleMount(string, *slog.Logger) {}

// clearStaleMounts does nothing here (see clearStaleMount).
func clearStaleMounts(*loadedConfig, *slog.Logger) {}
