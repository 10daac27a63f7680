//go:build !linux

package main

import "github.com/hashicorp/go-hclog"

// clearStaleMount does nothing here: only Linux reports a FUSE mount whose
// server is gone distinctly (ENOTCONN) by path.
func clearStaleMount(string, hclog.Logger) {}

// clearStaleMounts does nothing here (see clearStaleMount).
func clearStaleMounts(*loadedConfig, hclog.Logger) {}
