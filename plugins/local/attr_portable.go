//go:build !linux || localportable

package local

import (
	"io/fs"

	"github.com/plugfs/plugfs/sdk"
)

// attrOf converts what os reports; sysAttr adds what the OS's own stat
// structure has (inode, links, owner, times).
func attrOf(fi fs.FileInfo) sdk.Attr {
	a := sdk.Attr{Size: uint64(fi.Size()), Mode: fi.Mode(), Nlink: 1, Mtime: fi.ModTime()}
	a.Atime, a.Ctime = a.Mtime, a.Mtime
	a.Blocks = (a.Size + 511) / 512
	sysAttr(&a, fi.Sys())
	return a
}
