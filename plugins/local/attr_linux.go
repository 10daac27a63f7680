//go:build linux

package local

import (
	"io/fs"
	"time"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
)

func attrOf(st *unix.Stat_t) sdk.Attr {
	return sdk.Attr{
		Ino: st.Ino, Size: uint64(st.Size), Blocks: uint64(st.Blocks),
		Mode:  sdk.ModeFromPOSIX(st.Mode),
		Nlink: uint32(st.Nlink), Uid: st.Uid, Gid: st.Gid, Rdev: uint32(st.Rdev),
		Atime: time.Unix(st.Atim.Sec, st.Atim.Nsec), Mtime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec),
		Ctime: time.Unix(st.Ctim.Sec, st.Ctim.Nsec),
	}
}

func fstat(fd int) (sdk.Attr, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return sdk.Attr{}, err
	}
	return attrOf(&st), nil
}

// modeBits returns the POSIX permission bits (with setuid, setgid, sticky)
// of m.
func modeBits(m fs.FileMode) uint32 { return sdk.ModeToPOSIX(sdk.PermMode(m)) & 0o7777 }
