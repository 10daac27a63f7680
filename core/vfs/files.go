package vfs

import (
	"os"

	"github.com/plugfs/plugfs/sdk"
)

// fileDonor is a backend that holds the OS files its plugin donated
// (core/host.Backend): reads and writes of such handles never reach the
// plugin.
type fileDonor interface {
	File(h sdk.Handle) *os.File
}

// File returns the OS file behind the open file fh when the plugin donated
// one, or nil. The backend keeps owning it until fh is released; a driver
// may register it with the kernel (FUSE passthrough) meanwhile.
func (v *VFS) File(fh uint64) *os.File {
	d, ok := v.be.(fileDonor)
	if !ok {
		return nil
	}
	h, err := v.handle(fh)
	if err != nil || h.dir {
		return nil
	}
	return d.File(h.backend())
}
