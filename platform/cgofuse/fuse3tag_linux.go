//go:build linux && cgo && cgofuse && fuse3

package cgofuse

const fuse3Tag = true
