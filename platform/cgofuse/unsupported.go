//go:build !((linux && cgo && cgofuse) || windows || (darwin && cgo))

package cgofuse

// This build has no cgofuse driver: Linux needs cgo and the tags cgofuse
// and fuse3 (make test-cgofuse); macOS needs cgo.
