//go:build windows

package local

import (
	"syscall"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

const (
	stableIno  = false // no inode numbers in what os reports
	verifyOpen = false // os.SameFile needs a path os.Root does not give
	exactModes = false // chmod only toggles the read-only attribute
)

func sysAttr(a *sdk.Attr, sys any) {
	d, ok := sys.(*syscall.Win32FileAttributeData)
	if !ok {
		return
	}
	a.Atime = time.Unix(0, d.LastAccessTime.Nanoseconds())
	a.Btime = time.Unix(0, d.CreationTime.Nanoseconds())
}
