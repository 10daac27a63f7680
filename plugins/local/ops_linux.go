//go:build linux

package local

import (
	"context"
	"io"
	"io/fs"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
)

// Stat implements sdk.FileSystem (lstat semantics).
func (f *FS) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	if p == "/" {
		a, err := fstat(int(f.root.Fd()))
		return a, pathErr("stat", p, err)
	}
	var a sdk.Attr
	err := f.inParent(p, func(dfd int, name string) error {
		var st unix.Stat_t
		if err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return pathErr("stat", p, err)
		}
		a = attrOf(&st)
		return nil
	})
	return a, err
}

// StatHandle implements sdk.HandleStater.
func (f *FS) StatHandle(ctx context.Context, h sdk.Handle) (sdk.Attr, error) {
	of, err := f.get(h)
	if err != nil {
		return sdk.Attr{}, err
	}
	return fstat(int(of.f.Fd()))
}

// OpenDir implements sdk.FileSystem.
func (f *FS) OpenDir(ctx context.Context, p string) (sdk.Handle, error) {
	fd, err := f.openat(p, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return 0, pathErr("opendir", p, err)
	}
	return f.addHandle(&openFile{f: os.NewFile(uintptr(fd), p), dir: true}), nil
}

// ReadDir implements sdk.FileSystem. The cookie is the number of entries
// returned before; a cookie off the stream's position rewinds and skips.
func (f *FS) ReadDir(ctx context.Context, h sdk.Handle, cookie uint64, max int) ([]sdk.DirEntry, error) {
	of, err := f.get(h)
	if err != nil {
		return nil, err
	}
	of.mu.Lock()
	defer of.mu.Unlock()
	if cookie != of.pos {
		if _, err := of.f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		of.pos = 0
		for of.pos < cookie {
			n := min(cookie-of.pos, 1024)
			ents, err := of.f.ReadDir(int(n))
			of.pos += uint64(len(ents))
			if err == io.EOF || len(ents) == 0 {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
		}
	}
	ents, err := of.f.ReadDir(max)
	if err != nil && err != io.EOF {
		return nil, err
	}
	out := make([]sdk.DirEntry, len(ents))
	for i, e := range ents {
		of.pos++
		out[i] = sdk.DirEntry{Name: e.Name(), Mode: e.Type(), Cookie: of.pos}
	}
	return out, nil
}

func unixOpenFlags(fl sdk.OpenFlags) int {
	var o int
	switch fl & sdk.AccessMode {
	case sdk.WriteOnly:
		o = unix.O_WRONLY
	case sdk.ReadWrite:
		o = unix.O_RDWR
	default:
		o = unix.O_RDONLY
	}
	for _, m := range []struct {
		s sdk.OpenFlags
		u int
	}{{sdk.Append, unix.O_APPEND}, {sdk.Create, unix.O_CREAT}, {sdk.Exclusive, unix.O_EXCL},
		{sdk.Truncate, unix.O_TRUNC}, {sdk.Sync, unix.O_SYNC}, {sdk.Direct, unix.O_DIRECT}} {
		if fl&m.s != 0 {
			o |= m.u
		}
	}
	return o
}

// Open implements sdk.FileSystem.
func (f *FS) Open(ctx context.Context, p string, flags sdk.OpenFlags, mode fs.FileMode) (sdk.Handle, sdk.Attr, error) {
	uf := unixOpenFlags(flags)
	created := false
	if flags&sdk.Create != 0 && flags&sdk.Exclusive == 0 {
		// Tell a create from an open, to give only new files away.
		if _, err := f.Stat(ctx, p); err != nil {
			created = true
		}
	} else if flags&sdk.Create != 0 {
		created = true
	}
	fd, err := f.openat(p, uf, modeBits(mode))
	if err != nil {
		return 0, sdk.Attr{}, pathErr("open", p, err)
	}
	if created && f.asRoot {
		_ = f.inParent(p, func(dfd int, name string) error { return f.giveToCaller(ctx, dfd, name) })
	}
	a, err := fstat(fd)
	if err != nil {
		unix.Close(fd)
		return 0, sdk.Attr{}, err
	}
	return f.addHandle(&openFile{f: os.NewFile(uintptr(fd), p), append: flags&sdk.Append != 0}), a, nil
}

// Read implements sdk.FileSystem.
func (f *FS) Read(ctx context.Context, h sdk.Handle, b []byte, off int64) (int, error) {
	of, err := f.get(h)
	if err != nil {
		return 0, err
	}
	n := 0
	for n < len(b) {
		m, err := unix.Pread(int(of.f.Fd()), b[n:], off+int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, pathErr("read", of.f.Name(), err)
		}
		if m == 0 {
			break
		}
		n += m
	}
	return n, nil
}

// Write implements sdk.Writer. On a file opened with Append, Linux's
// pwrite appends whatever the offset.
func (f *FS) Write(ctx context.Context, h sdk.Handle, b []byte, off int64) (int, error) {
	of, err := f.get(h)
	if err != nil {
		return 0, err
	}
	n := 0
	for n < len(b) {
		m, err := unix.Pwrite(int(of.f.Fd()), b[n:], off+int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, pathErr("write", of.f.Name(), err)
		}
		n += m
	}
	return n, nil
}

// Release implements sdk.FileSystem.
func (f *FS) Release(ctx context.Context, h sdk.Handle) error {
	f.mu.Lock()
	of, ok := f.handles[h]
	delete(f.handles, h)
	f.mu.Unlock()
	if !ok {
		return sdk.ErrBadHandle
	}
	return of.f.Close()
}

// Flush implements sdk.Flusher: data is written through, so nothing to do.
func (f *FS) Flush(ctx context.Context, h sdk.Handle) error {
	_, err := f.get(h)
	return err
}

// Fsync implements sdk.Fsyncer.
func (f *FS) Fsync(ctx context.Context, h sdk.Handle, dataOnly bool) error {
	of, err := f.get(h)
	if err != nil {
		return err
	}
	if dataOnly {
		return pathErr("fdatasync", of.f.Name(), unix.Fdatasync(int(of.f.Fd())))
	}
	return pathErr("fsync", of.f.Name(), unix.Fsync(int(of.f.Fd())))
}

// procPath names an O_PATH descriptor for calls that have no *at form
// that refuses symlinks (chmod, xattrs).
func procPath(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }

// withPath opens p itself (O_PATH, never a symlink's target) and runs op.
func (f *FS) withPath(p string, op func(fd int) error) error {
	fd, err := f.openat(p, unix.O_PATH, 0)
	if err != nil {
		return pathErr("resolve", p, err)
	}
	defer unix.Close(fd)
	return op(fd)
}

// Setattr implements sdk.Setattrer, never following a final symlink.
func (f *FS) Setattr(ctx context.Context, p string, h sdk.Handle, sa sdk.SetAttr) (sdk.Attr, error) {
	var hfd = -1
	if h != 0 {
		if of, err := f.get(h); err == nil {
			hfd = int(of.f.Fd())
		}
	}
	err := f.withPath(p, func(pfd int) error {
		if hfd < 0 && sa.Valid&(sdk.SetMode|sdk.SetUid|sdk.SetGid|sdk.SetSize|sdk.SetAtime|sdk.SetMtime|sdk.SetAtimeNow|sdk.SetMtimeNow) == 0 {
			return nil
		}
		var st unix.Stat_t
		if err := unix.Fstat(pfd, &st); err != nil {
			return err
		}
		isLink := st.Mode&unix.S_IFMT == unix.S_IFLNK
		if sa.Valid&sdk.SetMode != 0 {
			if isLink {
				return unix.EOPNOTSUPP
			}
			if err := unix.Chmod(procPath(pfd), modeBits(sa.Mode)); err != nil {
				return pathErr("chmod", p, err)
			}
		}
		if sa.Valid&(sdk.SetUid|sdk.SetGid) != 0 {
			uid, gid := -1, -1
			if sa.Valid&sdk.SetUid != 0 {
				uid = int(sa.Uid)
			}
			if sa.Valid&sdk.SetGid != 0 {
				gid = int(sa.Gid)
			}
			if err := unix.Fchownat(pfd, "", uid, gid, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
				return pathErr("chown", p, err)
			}
		}
		if sa.Valid&sdk.SetSize != 0 {
			if hfd >= 0 {
				if err := unix.Ftruncate(hfd, int64(sa.Size)); err != nil {
					return pathErr("truncate", p, err)
				}
			} else {
				wfd, err := f.openat(p, unix.O_WRONLY, 0)
				if err != nil {
					return pathErr("truncate", p, err)
				}
				err = unix.Ftruncate(wfd, int64(sa.Size))
				unix.Close(wfd)
				if err != nil {
					return pathErr("truncate", p, err)
				}
			}
		}
		if sa.Valid&(sdk.SetAtime|sdk.SetMtime|sdk.SetAtimeNow|sdk.SetMtimeNow) != 0 {
			ts := []unix.Timespec{{Nsec: unix.UTIME_OMIT}, {Nsec: unix.UTIME_OMIT}}
			if sa.Valid&(sdk.SetAtime|sdk.SetAtimeNow) != 0 {
				ts[0] = timespec(sa.Valid&sdk.SetAtimeNow != 0, sa.Atime.UnixNano())
			}
			if sa.Valid&(sdk.SetMtime|sdk.SetMtimeNow) != 0 {
				ts[1] = timespec(sa.Valid&sdk.SetMtimeNow != 0, sa.Mtime.UnixNano())
			}
			// utimensat on the O_PATH descriptor itself (AT_EMPTY_PATH is
			// not accepted by utimensat), through its parent instead:
			if err := f.inParent(p, func(dfd int, name string) error {
				return unix.UtimesNanoAt(dfd, name, ts, unix.AT_SYMLINK_NOFOLLOW)
			}); err != nil {
				return pathErr("utimes", p, err)
			}
		}
		return nil
	})
	if err != nil {
		return sdk.Attr{}, err
	}
	if hfd >= 0 {
		return fstat(hfd)
	}
	return f.Stat(ctx, p)
}

func timespec(now bool, ns int64) unix.Timespec {
	if now {
		return unix.Timespec{Nsec: unix.UTIME_NOW}
	}
	return unix.NsecToTimespec(ns)
}
