//go:build (linux && cgo && cgofuse) || windows

package cgofuse

import (
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// memVFS is a VFS over a fresh in-process memfs.
func memVFS() *vfs.VFS {
	be := memfs.New()
	return vfs.New(be, sdk.DetectFeatures(be), vfs.Options{})
}
