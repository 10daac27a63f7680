//go:build linux

package memfs

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
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

// setMemfdTimes sets the memory file's access and modification times
// (futimens), which then are the file's.
func setMemfdTimes(f *os.File, atime, mtime time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	return unix.UtimesNanoAt(unix.AT_FDCWD, fmt.Sprintf("/proc/self/fd/%d", f.Fd()), ts, 0)
}

// reopenMemfd opens the memory file again with flags' access mode: a new
// open file description, which the host or the kernel may read and write
// at explicit offsets (never O_APPEND).
func reopenMemfd(f *os.File, flags sdk.OpenFlags) (*os.File, error) {
	mode := os.O_RDONLY
	switch flags & sdk.AccessMode {
	case sdk.WriteOnly:
		mode = os.O_WRONLY
	case sdk.ReadWrite:
		mode = os.O_RDWR
	}
	return os.OpenFile(fmt.Sprintf("/proc/self/fd/%d", f.Fd()), mode|unix.O_CLOEXEC, 0)
}
