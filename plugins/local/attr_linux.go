//go:build linux && !localportable

package local

import (
	"io/fs"
	"os"
	"strconv"
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

// withFd runs op on f's descriptor while holding a reference to it, so a
// concurrent Close cannot hand the number to another file meanwhile.
func withFd(f *os.File, op func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var opErr error
	if err := rc.Control(func(fd uintptr) { opErr = op(int(fd)) }); err != nil {
		return err
	}
	return opErr
}

// modeBits returns the POSIX permission bits (with setuid, setgid, sticky)
// of m.
func modeBits(m fs.FileMode) uint32 { return sdk.ModeToPOSIX(sdk.PermMode(m)) & 0o7777 }

// procPath names descriptor fd through /proc, for the calls that have no
// descriptor form accepting O_PATH descriptors. The kernel follows this
// magic link to exactly the object fd refers to: nothing is looked up again.
func procPath(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }

// fchmod changes the mode of the non-symlink fd refers to, which may be an
// O_PATH descriptor: fchmodat2(AT_EMPTY_PATH) where the kernel has it
// (6.6+), chmod through /proc otherwise.
func fchmod(fd int, mode uint32) error {
	err := unix.Fchmodat(fd, "", mode, unix.AT_EMPTY_PATH)
	if err == unix.EOPNOTSUPP || err == unix.ENOSYS || err == unix.EINVAL {
		err = unix.Chmod(procPath(fd), mode)
	}
	return err
}
