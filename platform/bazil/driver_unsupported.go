//go:build !linux

package bazil

// This driver exists on Linux only; other systems register theirs.
