//go:build linux && !localportable

package local

import (
	"context"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
)

// Stat implements sdk.FileSystem (lstat semantics: a final symlink is the
// link itself).
func (f *FS) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	var a sdk.Attr
	err := f.inParent("stat", p, func(dfd int, name string) error {
		var st unix.Stat_t
		if err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
		a = attrOf(&st)
		return nil
	})
	return a, err
}

// StatHandle implements sdk.HandleStater: fstat of the open descriptor, so
// it works after the name is gone.
func (f *FS) StatHandle(ctx context.Context, h sdk.Handle) (sdk.Attr, error) {
	of, err := f.handles.get(h)
	if err != nil {
		return sdk.Attr{}, err
	}
	var a sdk.Attr
	err = withFd(of.f, func(fd int) (err error) { a, err = fstat(fd); return err })
	return a, pathErr("fstat", of.path, err)
}

// unixOpenFlags translates portable open flags.
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

// Open implements sdk.FileSystem. With Create it first tries an exclusive
// create, so it knows without a race whether the file is new (and only then
// applies the mode exactly and gives it to the caller). A final symlink is
// never followed (ELOOP). Special files are refused with ErrNotSupported:
// the kernel opens FIFOs and devices itself and never asks a FUSE file
// system, so such a request is a race or an attack, and opening a FIFO
// would block.
func (f *FS) Open(ctx context.Context, p string, flags sdk.OpenFlags, mode fs.FileMode) (sdk.Handle, sdk.Attr, error) {
	r, err := rel(p)
	if err != nil {
		return 0, sdk.Attr{}, err
	}
	uf := unixOpenFlags(flags) | unix.O_NONBLOCK
	fd, created := -1, false
	if uf&unix.O_CREAT != 0 {
		for range 8 { // a name appearing and vanishing meanwhile: try again
			fd, err = f.openat(r, uf|unix.O_EXCL, modeBits(mode))
			if err == nil {
				created = true
				break
			}
			if err != unix.EEXIST || uf&unix.O_EXCL != 0 {
				break
			}
			if fd, err = f.openat(r, uf&^unix.O_CREAT, 0); err != unix.ENOENT {
				break
			}
		}
	} else {
		fd, err = f.openat(r, uf, 0)
	}
	if err != nil {
		return 0, sdk.Attr{}, pathErr("open", p, err)
	}
	a, err := f.finishOpen(ctx, fd, r, created, modeBits(mode))
	if err != nil {
		unix.Close(fd)
		if created {
			_ = f.inParent("unlink", p, func(dfd int, name string) error { return unix.Unlinkat(dfd, name, 0) })
		}
		return 0, sdk.Attr{}, pathErr("open", p, err)
	}
	of := &openFile{f: os.NewFile(uintptr(fd), p), path: p, append: flags&sdk.Append != 0}
	return f.handles.add(of), a, nil
}

// finishOpen checks the type of what was opened, clears O_NONBLOCK and, for
// a new file, settles its mode and owner.
func (f *FS) finishOpen(ctx context.Context, fd int, r string, created bool, perm uint32) (sdk.Attr, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return sdk.Attr{}, err
	}
	if t := st.Mode & unix.S_IFMT; t != unix.S_IFREG && t != unix.S_IFDIR {
		return sdk.Attr{}, fmt.Errorf("special files are opened by the kernel, not through the plugin: %w", sdk.ErrNotSupported)
	}
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err == nil {
		_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFL, fl&^unix.O_NONBLOCK)
	}
	if err != nil {
		return sdk.Attr{}, err
	}
	if !created {
		return attrOf(&st), nil
	}
	return f.settle(ctx, fd, perm, func() bool {
		dir, _, _ := split("/" + r)
		dfd, err := f.openat(dir, unix.O_PATH|unix.O_DIRECTORY, 0)
		if err != nil {
			return false
		}
		defer unix.Close(dfd)
		return setgidDir(dfd)
	})
}

// Fsync implements sdk.Fsyncer with fsync, or fdatasync for dataOnly.
func (f *FS) Fsync(ctx context.Context, h sdk.Handle, dataOnly bool) error {
	of, err := f.handles.get(h)
	if err != nil {
		return err
	}
	return pathErr("fsync", of.path, withFd(of.f, func(fd int) error {
		if dataOnly {
			return unix.Fdatasync(fd)
		}
		return unix.Fsync(fd)
	}))
}
