//go:build linux

package local

import (
	"context"
	"io/fs"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
)

// create runs a creating *at call in p's parent, gives the new object to
// the caller and returns its attributes.
func (f *FS) create(ctx context.Context, op, p string, do func(dfd int, name string) error) (sdk.Attr, error) {
	var a sdk.Attr
	err := f.inParent(p, func(dfd int, name string) error {
		if err := do(dfd, name); err != nil {
			return pathErr(op, p, err)
		}
		if err := f.giveToCaller(ctx, dfd, name); err != nil {
			return pathErr("chown", p, err)
		}
		var st unix.Stat_t
		if err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return pathErr("stat", p, err)
		}
		a = attrOf(&st)
		return nil
	})
	return a, err
}

// Mkdir implements sdk.Mkdirer.
func (f *FS) Mkdir(ctx context.Context, p string, mode fs.FileMode) (sdk.Attr, error) {
	return f.create(ctx, "mkdir", p, func(dfd int, name string) error { return unix.Mkdirat(dfd, name, modeBits(mode)) })
}

// Mknod implements sdk.Mknoder.
func (f *FS) Mknod(ctx context.Context, p string, mode fs.FileMode, rdev uint32) (sdk.Attr, error) {
	return f.create(ctx, "mknod", p, func(dfd int, name string) error {
		return unix.Mknodat(dfd, name, sdk.ModeToPOSIX(mode), int(rdev))
	})
}

// Symlink implements sdk.Symlinker.
func (f *FS) Symlink(ctx context.Context, target, p string) (sdk.Attr, error) {
	return f.create(ctx, "symlink", p, func(dfd int, name string) error { return unix.Symlinkat(target, dfd, name) })
}

// Readlink implements sdk.Readlinker.
func (f *FS) Readlink(ctx context.Context, p string) (string, error) {
	var target string
	err := f.inParent(p, func(dfd int, name string) error {
		buf := make([]byte, 4096)
		n, err := unix.Readlinkat(dfd, name, buf)
		if err != nil {
			return pathErr("readlink", p, err)
		}
		target = string(buf[:n])
		return nil
	})
	return target, err
}

// Link implements sdk.Linker.
func (f *FS) Link(ctx context.Context, oldpath, newpath string) (sdk.Attr, error) {
	var a sdk.Attr
	err := f.inParent(oldpath, func(odfd int, oname string) error {
		return f.inParent(newpath, func(ndfd int, nname string) error {
			if err := unix.Linkat(odfd, oname, ndfd, nname, 0); err != nil {
				return pathErr("link", newpath, err)
			}
			var st unix.Stat_t
			if err := unix.Fstatat(ndfd, nname, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				return pathErr("stat", newpath, err)
			}
			a = attrOf(&st)
			return nil
		})
	})
	return a, err
}

// Unlink implements sdk.Remover.
func (f *FS) Unlink(ctx context.Context, p string) error {
	return f.inParent(p, func(dfd int, name string) error { return pathErr("unlink", p, unix.Unlinkat(dfd, name, 0)) })
}

// Rmdir implements sdk.Remover.
func (f *FS) Rmdir(ctx context.Context, p string) error {
	return f.inParent(p, func(dfd int, name string) error {
		return pathErr("rmdir", p, unix.Unlinkat(dfd, name, unix.AT_REMOVEDIR))
	})
}

// Rename implements sdk.Renamer with renameat2.
func (f *FS) Rename(ctx context.Context, from, to string, flags sdk.RenameFlags) error {
	var uf uint
	if flags&sdk.RenameNoReplace != 0 {
		uf |= unix.RENAME_NOREPLACE
	}
	if flags&sdk.RenameExchange != 0 {
		uf |= unix.RENAME_EXCHANGE
	}
	return f.inParent(from, func(odfd int, oname string) error {
		return f.inParent(to, func(ndfd int, nname string) error {
			return pathErr("rename", from, unix.Renameat2(odfd, oname, ndfd, nname, uf))
		})
	})
}

// Statfs implements sdk.Statfser.
func (f *FS) Statfs(ctx context.Context) (sdk.Statfs, error) {
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(f.root.Fd()), &st); err != nil {
		return sdk.Statfs{}, err
	}
	return sdk.Statfs{BlockSize: uint32(st.Bsize), Blocks: st.Blocks, BlocksFree: st.Bfree,
		BlocksAvail: st.Bavail, Files: st.Files, FilesFree: st.Ffree, NameMax: uint32(st.Namelen)}, nil
}

// withXattrPath is withPath for extended attributes, which Linux keeps
// off symbolic links (user.* is refused there): a symlink reports none.
func (f *FS) withXattrPath(p string, op func(fd int) error) error {
	return f.withPath(p, func(fd int) error {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return err
		}
		if st.Mode&unix.S_IFMT == unix.S_IFLNK {
			return pathErr("xattr", p, unix.EPERM)
		}
		return op(fd)
	})
}

// GetXattr implements sdk.Xattrer.
func (f *FS) GetXattr(ctx context.Context, p, name string) ([]byte, error) {
	var val []byte
	err := f.withXattrPath(p, func(fd int) error {
		for size := 256; ; size *= 4 {
			buf := make([]byte, size)
			n, err := unix.Getxattr(procPath(fd), name, buf)
			if err == unix.ERANGE && size < 1<<20 {
				continue
			}
			if err != nil {
				return pathErr("getxattr", p, err)
			}
			val = buf[:n]
			return nil
		}
	})
	return val, err
}

// SetXattr implements sdk.Xattrer.
func (f *FS) SetXattr(ctx context.Context, p, name string, value []byte, flags sdk.XattrFlags) error {
	var uf int
	if flags&sdk.XattrCreate != 0 {
		uf |= unix.XATTR_CREATE
	}
	if flags&sdk.XattrReplace != 0 {
		uf |= unix.XATTR_REPLACE
	}
	return f.withXattrPath(p, func(fd int) error {
		return pathErr("setxattr", p, unix.Setxattr(procPath(fd), name, value, uf))
	})
}

// ListXattr implements sdk.Xattrer.
func (f *FS) ListXattr(ctx context.Context, p string) ([]string, error) {
	var names []string
	err := f.withXattrPath(p, func(fd int) error {
		for size := 1024; ; size *= 4 {
			buf := make([]byte, size)
			n, err := unix.Listxattr(procPath(fd), buf)
			if err == unix.ERANGE && size < 1<<20 {
				continue
			}
			if err != nil {
				return pathErr("listxattr", p, err)
			}
			start := 0
			for i := 0; i < n; i++ {
				if buf[i] == 0 {
					if i > start {
						names = append(names, string(buf[start:i]))
					}
					start = i + 1
				}
			}
			return nil
		}
	})
	return names, err
}

// RemoveXattr implements sdk.Xattrer.
func (f *FS) RemoveXattr(ctx context.Context, p, name string) error {
	return f.withXattrPath(p, func(fd int) error { return pathErr("removexattr", p, unix.Removexattr(procPath(fd), name)) })
}

// The local plugin implements every optional interface Linux supports.
var (
	_ sdk.FileSystem   = (*FS)(nil)
	_ sdk.Writer       = (*FS)(nil)
	_ sdk.Setattrer    = (*FS)(nil)
	_ sdk.Mkdirer      = (*FS)(nil)
	_ sdk.Remover      = (*FS)(nil)
	_ sdk.Renamer      = (*FS)(nil)
	_ sdk.Symlinker    = (*FS)(nil)
	_ sdk.Readlinker   = (*FS)(nil)
	_ sdk.Linker       = (*FS)(nil)
	_ sdk.Mknoder      = (*FS)(nil)
	_ sdk.Flusher      = (*FS)(nil)
	_ sdk.Fsyncer      = (*FS)(nil)
	_ sdk.Statfser     = (*FS)(nil)
	_ sdk.Xattrer      = (*FS)(nil)
	_ sdk.HandleStater = (*FS)(nil)
	_ sdk.Describer    = (*FS)(nil)
	_ sdk.Closer       = (*FS)(nil)
)
