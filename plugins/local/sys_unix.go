//go:build unix && (!linux || localportable)

package local

import (
	"syscall"

	"github.com/plugfs/plugfs/sdk"
)

const (
	stableIno  = true // st_ino
	verifyOpen = true // os.SameFile compares device and inode
	exactModes = true // chmod sets every permission bit
)

func sysAttr(a *sdk.Attr, sys any) {
	st, ok := sys.(*syscall.Stat_t)
	if !ok {
		return
	}
	a.Ino, a.Nlink, a.Uid, a.Gid = uint64(st.Ino), uint32(st.Nlink), st.Uid, st.Gid
	a.Rdev, a.Blocks = uint32(st.Rdev), uint64(st.Blocks)
	statTimes(a, st)
}
