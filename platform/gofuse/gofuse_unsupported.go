//go:build !linux

package gofuse

// This driver exists on Linux only.
