//go:build linux && !localportable

package local

import (
	"context"
	"time"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
)

const timeMask = sdk.SetAtime | sdk.SetMtime | sdk.SetAtimeNow | sdk.SetMtimeNow

// Setattr implements sdk.Setattrer. With a handle, the change goes through
// its descriptor (fchown, fchmod, ftruncate, futimens), which works after
// the name is gone; without one, through an O_PATH descriptor of the object
// itself, so a final symlink is never followed: chmod of a symlink fails
// with ErrNotSupported as on Linux, chown and utimes change the link.
// The owner is changed before the mode, so a chmod to setuid in the same
// call survives the chown. SetCtime is ignored (the kernel sets ctime).
func (f *FS) Setattr(ctx context.Context, p string, h sdk.Handle, sa sdk.SetAttr) (sdk.Attr, error) {
	if h != 0 {
		if of, err := f.handles.get(h); err == nil {
			var a sdk.Attr
			err := withFd(of.f, func(fd int) (err error) {
				a, err = f.setattrFd(fd, false, p, sa)
				return err
			})
			return a, pathErr("setattr", p, err)
		}
	}
	fd, err := f.openPath("setattr", p)
	if err != nil {
		return sdk.Attr{}, err
	}
	defer unix.Close(fd)
	a, err := f.setattrFd(fd, true, p, sa)
	return a, pathErr("setattr", p, err)
}

// setattrFd applies sa to the object fd refers to; isPath says fd is an
// O_PATH descriptor (no I/O through it).
func (f *FS) setattrFd(fd int, isPath bool, p string, sa sdk.SetAttr) (sdk.Attr, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return sdk.Attr{}, err
	}
	typ := st.Mode & unix.S_IFMT
	if sa.Valid&(sdk.SetUid|sdk.SetGid) != 0 {
		uid, gid := -1, -1
		if sa.Has(sdk.SetUid) {
			uid = int(sa.Uid)
		}
		if sa.Has(sdk.SetGid) {
			gid = int(sa.Gid)
		}
		if err := unix.Fchownat(fd, "", uid, gid, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return sdk.Attr{}, err
		}
	}
	if sa.Has(sdk.SetMode) {
		if typ == unix.S_IFLNK {
			return sdk.Attr{}, unix.EOPNOTSUPP
		}
		if err := fchmod(fd, modeBits(sa.Mode)); err != nil {
			return sdk.Attr{}, err
		}
	}
	if sa.Has(sdk.SetSize) {
		if err := truncate(fd, isPath, typ, int64(sa.Size)); err != nil {
			return sdk.Attr{}, err
		}
	}
	if sa.Valid&timeMask != 0 {
		if err := f.utimens(fd, typ, p, sa); err != nil {
			return sdk.Attr{}, err
		}
	}
	return fstat(fd)
}

// truncate sets the size of a regular file. Through an O_PATH descriptor it
// truncates the /proc magic link, which names exactly that file: nothing is
// opened, so a FIFO or device swapped in cannot block or be triggered.
func truncate(fd int, isPath bool, typ uint32, size int64) error {
	switch {
	case typ == unix.S_IFDIR:
		return unix.EISDIR
	case typ != unix.S_IFREG:
		return unix.EINVAL
	case isPath:
		return unix.Truncate(procPath(fd), size)
	}
	return unix.Ftruncate(fd, size)
}

// utimens sets the times named in sa. A symlink's own times are set through
// its parent with AT_SYMLINK_NOFOLLOW (utimensat takes no O_PATH
// descriptor); anything else through the /proc magic link of fd.
func (f *FS) utimens(fd int, typ uint32, p string, sa sdk.SetAttr) error {
	ts := []unix.Timespec{{Nsec: unix.UTIME_OMIT}, {Nsec: unix.UTIME_OMIT}}
	switch {
	case sa.Has(sdk.SetAtimeNow):
		ts[0] = unix.Timespec{Nsec: unix.UTIME_NOW}
	case sa.Has(sdk.SetAtime):
		ts[0] = timespec(sa.Atime)
	}
	switch {
	case sa.Has(sdk.SetMtimeNow):
		ts[1] = unix.Timespec{Nsec: unix.UTIME_NOW}
	case sa.Has(sdk.SetMtime):
		ts[1] = timespec(sa.Mtime)
	}
	if typ != unix.S_IFLNK {
		return unix.UtimesNanoAt(unix.AT_FDCWD, procPath(fd), ts, 0)
	}
	return f.inParent("utimes", p, func(dfd int, name string) error {
		return unix.UtimesNanoAt(dfd, name, ts, unix.AT_SYMLINK_NOFOLLOW)
	})
}

// timespec converts t without the range limit of UnixNano.
func timespec(t time.Time) unix.Timespec {
	return unix.Timespec{Sec: t.Unix(), Nsec: int64(t.Nanosecond())}
}
