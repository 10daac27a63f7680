//go:build linux && !localportable

package local

import (
	"context"
	"io/fs"

	"golang.org/x/sys/unix"

	"github.com/plugfs/plugfs/sdk"
)

// create runs a creating *at call in p's parent, then settles the new
// object's mode and owner through an O_PATH descriptor of it.
func (f *FS) create(ctx context.Context, op, p string, perm uint32, do func(dfd int, name string) error) (sdk.Attr, error) {
	var a sdk.Attr
	err := f.inParent(op, p, func(dfd int, name string) error {
		if err := do(dfd, name); err != nil {
			return err
		}
		fd, err := unix.Openat(dfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		a, err = f.settle(ctx, fd, perm, func() bool { return setgidDir(dfd) })
		return err
	})
	return a, err
}

// Mkdir implements sdk.Mkdirer.
func (f *FS) Mkdir(ctx context.Context, p string, mode fs.FileMode) (sdk.Attr, error) {
	perm := modeBits(mode)
	return f.create(ctx, "mkdir", p, perm, func(dfd int, name string) error { return unix.Mkdirat(dfd, name, perm) })
}

// Mknod implements sdk.Mknoder: FIFOs, sockets, device nodes, and regular
// files for a mode without type bits.
func (f *FS) Mknod(ctx context.Context, p string, mode fs.FileMode, rdev uint32) (sdk.Attr, error) {
	return f.create(ctx, "mknod", p, modeBits(mode), func(dfd int, name string) error {
		return unix.Mknodat(dfd, name, sdk.ModeToPOSIX(mode), int(rdev))
	})
}

// Symlink implements sdk.Symlinker. The target is stored as given: it is
// only ever read back (Readlink), never followed by the plugin.
func (f *FS) Symlink(ctx context.Context, target, p string) (sdk.Attr, error) {
	return f.create(ctx, "symlink", p, 0, func(dfd int, name string) error { return unix.Symlinkat(target, dfd, name) })
}

// Readlink implements sdk.Readlinker.
func (f *FS) Readlink(ctx context.Context, p string) (string, error) {
	var target string
	err := f.inParent("readlink", p, func(dfd int, name string) error {
		for size := 256; ; size *= 2 {
			buf := make([]byte, size)
			n, err := unix.Readlinkat(dfd, name, buf)
			if err != nil {
				return err
			}
			if n < size {
				target = string(buf[:n])
				return nil
			}
		}
	})
	return target, err
}

// Link implements sdk.Linker (linkat without AT_SYMLINK_FOLLOW: a link to
// a symlink is a link to the symlink).
func (f *FS) Link(ctx context.Context, oldpath, newpath string) (sdk.Attr, error) {
	var a sdk.Attr
	err := f.inParent("link", oldpath, func(odfd int, oname string) error {
		return f.inParent("link", newpath, func(ndfd int, nname string) error {
			if err := unix.Linkat(odfd, oname, ndfd, nname, 0); err != nil {
				return err
			}
			var st unix.Stat_t
			if err := unix.Fstatat(ndfd, nname, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				return err
			}
			a = attrOf(&st)
			return nil
		})
	})
	return a, err
}

// Unlink implements sdk.Remover. Open handles of the file keep working.
func (f *FS) Unlink(ctx context.Context, p string) error {
	return f.inParent("unlink", p, func(dfd int, name string) error { return unix.Unlinkat(dfd, name, 0) })
}

// Rmdir implements sdk.Remover.
func (f *FS) Rmdir(ctx context.Context, p string) error {
	return f.inParent("rmdir", p, func(dfd int, name string) error {
		return unix.Unlinkat(dfd, name, unix.AT_REMOVEDIR)
	})
}

// Rename implements sdk.Renamer with renameat2, RENAME_NOREPLACE and
// RENAME_EXCHANGE included (declared through Describe). Across mounts
// inside the root it fails with ErrCrossDevice, as rename(2) does.
func (f *FS) Rename(ctx context.Context, from, to string, flags sdk.RenameFlags) error {
	var uf uint
	if flags&sdk.RenameNoReplace != 0 {
		uf |= unix.RENAME_NOREPLACE
	}
	if flags&sdk.RenameExchange != 0 {
		uf |= unix.RENAME_EXCHANGE
	}
	return f.inParent("rename", from, func(odfd int, oname string) error {
		return f.inParent("rename", to, func(ndfd int, nname string) error {
			return unix.Renameat2(odfd, oname, ndfd, nname, uf)
		})
	})
}

// Statfs implements sdk.Statfser: the numbers of the file system holding
// the root.
func (f *FS) Statfs(ctx context.Context) (sdk.Statfs, error) {
	var st unix.Statfs_t
	if err := unix.Fstatfs(f.rootFd, &st); err != nil {
		return sdk.Statfs{}, pathErr("statfs", "/", err)
	}
	return sdk.Statfs{BlockSize: uint32(st.Bsize), Blocks: st.Blocks, BlocksFree: st.Bfree,
		BlocksAvail: st.Bavail, Files: st.Files, FilesFree: st.Ffree, NameMax: uint32(st.Namelen)}, nil
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
	_ sdk.Fsyncer      = (*FS)(nil)
	_ sdk.Statfser     = (*FS)(nil)
	_ sdk.Xattrer      = (*FS)(nil)
	_ sdk.HandleStater = (*FS)(nil)
	_ sdk.Describer    = (*FS)(nil)
	_ sdk.Closer       = (*FS)(nil)
)
