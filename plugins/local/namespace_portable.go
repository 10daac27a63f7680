//go:build !linux || localportable

package local

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/plugfs/plugfs/sdk"
)

// Mkdir implements sdk.Mkdirer.
func (f *FS) Mkdir(ctx context.Context, p string, mode fs.FileMode) (sdk.Attr, error) {
	n, err := f.name(p)
	if err != nil {
		return sdk.Attr{}, err
	}
	if err := f.root.Mkdir(n, mode.Perm()); err != nil {
		return sdk.Attr{}, pathErr("mkdir", p, err)
	}
	if err := f.giveToCaller(ctx, n, mode); err != nil {
		return sdk.Attr{}, pathErr("mkdir", p, err)
	}
	return f.Stat(ctx, p)
}

// Symlink implements sdk.Symlinker. The target is stored as given and never
// followed by the plugin.
func (f *FS) Symlink(ctx context.Context, target, p string) (sdk.Attr, error) {
	n, err := f.name(p)
	if err != nil {
		return sdk.Attr{}, err
	}
	if err := f.root.Symlink(target, n); err != nil {
		return sdk.Attr{}, pathErr("symlink", p, err)
	}
	if err := f.giveToCaller(ctx, n, 0); err != nil {
		return sdk.Attr{}, pathErr("symlink", p, err)
	}
	return f.Stat(ctx, p)
}

// Readlink implements sdk.Readlinker.
func (f *FS) Readlink(ctx context.Context, p string) (string, error) {
	n, err := f.name(p)
	if err != nil {
		return "", err
	}
	t, err := f.root.Readlink(n)
	return t, pathErr("readlink", p, err)
}

// Link implements sdk.Linker.
func (f *FS) Link(ctx context.Context, oldpath, newpath string) (sdk.Attr, error) {
	on, err := f.name(oldpath)
	if err != nil {
		return sdk.Attr{}, err
	}
	nn, err := f.name(newpath)
	if err != nil {
		return sdk.Attr{}, err
	}
	if err := f.root.Link(on, nn); err != nil {
		return sdk.Attr{}, pathErr("link", newpath, err)
	}
	return f.Stat(ctx, newpath)
}

// Unlink implements sdk.Remover; a directory is refused with ErrIsDir.
func (f *FS) Unlink(ctx context.Context, p string) error {
	return f.remove("unlink", p, false)
}

// Rmdir implements sdk.Remover; a non-directory is refused with ErrNotDir.
func (f *FS) Rmdir(ctx context.Context, p string) error {
	return f.remove("rmdir", p, true)
}

func (f *FS) remove(op, p string, dir bool) error {
	n, err := f.name(p)
	if err != nil {
		return err
	}
	if n == "." {
		return pathErr(op, p, sdk.ErrBusy)
	}
	fi, err := f.lstat(n)
	switch {
	case err != nil:
		return pathErr(op, p, err)
	case dir && !fi.IsDir():
		return pathErr(op, p, sdk.ErrNotDir)
	case !dir && fi.IsDir():
		return pathErr(op, p, sdk.ErrIsDir)
	}
	return pathErr(op, p, f.root.Remove(n))
}

// Rename implements sdk.Renamer. No flags are declared, so the host sends
// none. os.Root refuses to replace a directory; POSIX lets a directory
// replace an empty one, so that case removes the target first (not
// atomically, unlike the Linux version).
func (f *FS) Rename(ctx context.Context, from, to string, flags sdk.RenameFlags) error {
	if flags != 0 {
		return pathErr("rename", from, sdk.ErrInvalid)
	}
	on, err := f.name(from)
	if err != nil {
		return err
	}
	nn, err := f.name(to)
	if err != nil {
		return err
	}
	if err := f.clearDirTarget(on, nn); err != nil {
		return pathErr("rename", from, err)
	}
	return pathErr("rename", from, f.root.Rename(on, nn))
}

// clearDirTarget handles a directory at the target of a rename: ErrIsDir
// for a non-directory source, ErrNotEmpty when it has entries, removed
// when empty (unless it is the source itself).
func (f *FS) clearDirTarget(on, nn string) error {
	ti, err := f.lstat(nn)
	if err != nil || !ti.IsDir() {
		return nil
	}
	si, err := f.lstat(on)
	if err != nil {
		return err
	}
	if os.SameFile(si, ti) {
		return nil
	}
	if !si.IsDir() {
		return sdk.ErrIsDir
	}
	d, err := f.root.Open(nn)
	if err != nil {
		return err
	}
	names, err := d.Readdirnames(1)
	d.Close()
	if len(names) > 0 {
		return sdk.ErrNotEmpty
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return f.root.Remove(nn)
}

// The portable version implements what os.Root can do safely.
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
	_ sdk.Fsyncer      = (*FS)(nil)
	_ sdk.HandleStater = (*FS)(nil)
	_ sdk.Describer    = (*FS)(nil)
	_ sdk.Closer       = (*FS)(nil)
)
