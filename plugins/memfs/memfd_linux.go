//go:build linux

package memfs

import (
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// memfdSupported: this system has memfd_create, so files can be donated.
const memfdSupported = true

// newMemfd returns an empty memory file (memfd_create), close-on-exec.
func newMemfd(name string) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	return os.NewFile(uintptr(fd), name), nil
}

// memfdStat is what a memory file says of its contents.
type memfdStat struct {
	size, blocks        int64
	atime, mtime, ctime time.Time
}

func statMemfd(f *os.File) (memfdStat, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return memfdStat{}, err
	}
	return memfdStat{
		size: st.Size, blocks: st.Blocks,
		atime: time.Unix(st.Atim.Unix()), mtime: time.Unix(st.Mtim.Unix()), ctime: time.Unix(st.Ctim.Unix()),
	}, nil
}

// setMemfdTimes sets the memory file's access and modification times,
// which then are the file's: futimens, that is utimensat on the
// descriptor with no path (x/sys offers only path forms, which would walk
// /proc/self/fd).
func setMemfdTimes(f *os.File, atime, mtime time.Time) error {
	ts := [2]unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = unix.Syscall6(unix.SYS_UTIMENSAT, fd, 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
	}); err != nil {
		return err
	}
	if errno != 0 {
		return fmt.Errorf("futimens: %w", errno)
	}
	return nil
}
