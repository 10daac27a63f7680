package pathfs

import (
	"context"
	"io/fs"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/sdk"
)

// Getattr returns the attributes of the file at p, or of open handle fh
// when it is not NoHandle (then p may be empty).
func (f *FS) Getattr(ctx context.Context, p string, fh uint64) (vfs.Attr, error) {
	if id, ok := f.handleNode(fh); ok {
		return f.v.Getattr(ctx, id, fh)
	}
	r, err := f.resolvePath(ctx, p)
	if err != nil {
		return vfs.Attr{}, err
	}
	defer f.done(r)
	if r.attr != nil { // a lookup has just asked the plugin
		return *r.attr, nil
	}
	return f.v.Getattr(ctx, r.id, NoHandle)
}

// Setattr changes the attributes sa names of the file at p, or of open
// handle fh when it is not NoHandle, and returns the new attributes.
func (f *FS) Setattr(ctx context.Context, p string, fh uint64, sa sdk.SetAttr) (vfs.Attr, error) {
	if id, ok := f.handleNode(fh); ok {
		return f.v.Setattr(ctx, id, fh, sa)
	}
	r, err := f.resolvePath(ctx, p)
	if err != nil {
		return vfs.Attr{}, err
	}
	defer f.done(r)
	return f.v.Setattr(ctx, r.id, NoHandle, sa)
}

// Access reports whether p exists; permission checks are the OS's
// (default_permissions) or the plugin's, at the call that needs them.
func (f *FS) Access(ctx context.Context, p string) error {
	r, err := f.resolvePath(ctx, p)
	if err != nil {
		return err
	}
	f.done(r)
	return nil
}

// Readlink returns the target of the symbolic link at p.
func (f *FS) Readlink(ctx context.Context, p string) (string, error) {
	r, err := f.resolvePath(ctx, p)
	if err != nil {
		return "", err
	}
	defer f.done(r)
	return f.v.Readlink(ctx, r.id)
}

// create runs a call that makes a new name in p's parent and caches it.
func (f *FS) create(ctx context.Context, p string, do func(parent uint64, name string) (vfs.Entry, error)) (vfs.Entry, error) {
	parent, cp, name, err := f.resolveParent(ctx, p)
	if err != nil {
		return vfs.Entry{}, err
	}
	defer f.done(parent)
	f.drop(cp) // a negative or stale binding of the name
	e, err := do(parent.id, name)
	if err != nil {
		return vfs.Entry{}, err
	}
	f.keep(cp, e)
	return e, nil
}

// Mkdir makes the directory p.
func (f *FS) Mkdir(ctx context.Context, p string, mode fs.FileMode) error {
	_, err := f.create(ctx, p, func(parent uint64, name string) (vfs.Entry, error) {
		return f.v.Mkdir(ctx, parent, name, mode)
	})
	return err
}

// Mknod makes the special file (or empty regular file) p.
func (f *FS) Mknod(ctx context.Context, p string, mode fs.FileMode, rdev uint32) error {
	_, err := f.create(ctx, p, func(parent uint64, name string) (vfs.Entry, error) {
		return f.v.Mknod(ctx, parent, name, mode, rdev)
	})
	return err
}

// Symlink makes p a symbolic link to target.
func (f *FS) Symlink(ctx context.Context, target, p string) error {
	_, err := f.create(ctx, p, func(parent uint64, name string) (vfs.Entry, error) {
		return f.v.Symlink(ctx, parent, name, target)
	})
	return err
}

// Link makes newPath a hard link to the file at oldPath.
func (f *FS) Link(ctx context.Context, oldPath, newPath string) error {
	old, err := f.resolvePath(ctx, oldPath)
	if err != nil {
		return err
	}
	defer f.done(old)
	_, err = f.create(ctx, newPath, func(parent uint64, name string) (vfs.Entry, error) {
		return f.v.Link(ctx, old.id, parent, name)
	})
	return err
}

// remove runs a call that removes p's name from its parent and drops p.
func (f *FS) remove(ctx context.Context, p string, do func(parent uint64, name string) error) error {
	parent, cp, name, err := f.resolveParent(ctx, p)
	if err != nil {
		return err
	}
	defer f.done(parent)
	err = do(parent.id, name)
	f.drop(cp) // even on error: the name's state is now unknown
	return err
}

// Unlink removes the file p.
func (f *FS) Unlink(ctx context.Context, p string) error {
	return f.remove(ctx, p, func(parent uint64, name string) error { return f.v.Unlink(ctx, parent, name) })
}

// Rmdir removes the empty directory p.
func (f *FS) Rmdir(ctx context.Context, p string) error {
	return f.remove(ctx, p, func(parent uint64, name string) error { return f.v.Rmdir(ctx, parent, name) })
}

// Rename moves from to to (renameat2 flags in flags).
func (f *FS) Rename(ctx context.Context, from, to string, flags sdk.RenameFlags) error {
	op, ocp, oname, err := f.resolveParent(ctx, from)
	if err != nil {
		return err
	}
	defer f.done(op)
	np, ncp, nname, err := f.resolveParent(ctx, to)
	if err != nil {
		return err
	}
	defer f.done(np)
	err = f.v.Rename(ctx, op.id, oname, np.id, nname, flags)
	f.drop(ocp)
	f.drop(ncp)
	return err
}

// Statfs returns the volume's capacity.
func (f *FS) Statfs(ctx context.Context) (sdk.Statfs, error) { return f.v.Statfs(ctx) }

// Getxattr returns the extended attribute name of p.
func (f *FS) Getxattr(ctx context.Context, p, name string) ([]byte, error) {
	r, err := f.resolvePath(ctx, p)
	if err != nil {
		return nil, err
	}
	defer f.done(r)
	return f.v.Getxattr(ctx, r.id, name)
}

// Listxattr returns the names of p's extended attributes.
func (f *FS) Listxattr(ctx context.Context, p string) ([]string, error) {
	r, err := f.resolvePath(ctx, p)
	if err != nil {
		return nil, err
	}
	defer f.done(r)
	return f.v.Listxattr(ctx, r.id)
}

// Setxattr sets the extended attribute name of p.
func (f *FS) Setxattr(ctx context.Context, p, name string, value []byte, flags sdk.XattrFlags) error {
	r, err := f.resolvePath(ctx, p)
	if err != nil {
		return err
	}
	defer f.done(r)
	return f.v.Setxattr(ctx, r.id, name, value, flags)
}

// Removexattr removes the extended attribute name of p.
func (f *FS) Removexattr(ctx context.Context, p, name string) error {
	r, err := f.resolvePath(ctx, p)
	if err != nil {
		return err
	}
	defer f.done(r)
	return f.v.Removexattr(ctx, r.id, name)
}
