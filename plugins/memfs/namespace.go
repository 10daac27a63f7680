package memfs

import (
	"context"
	"fmt"
	"io/fs"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// Stat implements sdk.FileSystem.
func (f *FS) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	n, err := f.stat(p)
	if err != nil {
		return sdk.Attr{}, pathErr("stat", p, err)
	}
	return n.attr(), nil
}

// OpenDir implements sdk.FileSystem.
func (f *FS) OpenDir(ctx context.Context, p string) (sdk.Handle, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	n, err := f.lookup(p)
	if err == nil && n.dir == nil {
		err = sdk.ErrNotDir
	}
	if err != nil {
		return 0, pathErr("opendir", p, err)
	}
	return f.open(n, sdk.ReadOnly, true), nil
}

// defaultReadDirMax is how many entries ReadDir returns when max is not
// positive.
const defaultReadDirMax = 1024

// ReadDir implements sdk.FileSystem. Cookies are the entries' insertion
// numbers in their directory, so a listing resumes correctly whatever
// changed since; entries carry their attributes.
func (f *FS) ReadDir(ctx context.Context, h sdk.Handle, cookie uint64, max int) ([]sdk.DirEntry, error) {
	hd, err := f.handle(h)
	if err != nil {
		return nil, err
	}
	if !hd.isDir {
		return nil, fmt.Errorf("memfs: readdir handle %d: %w", h, sdk.ErrNotDir)
	}
	if max <= 0 {
		max = defaultReadDirMax
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	d := hd.node.dir
	var out []sdk.DirEntry
	for _, e := range d.order[d.after(cookie):] {
		if len(out) == max {
			break
		}
		if e.node == nil {
			continue
		}
		a := e.node.attr()
		out = append(out, sdk.DirEntry{Name: e.name, Mode: a.Mode.Type(), Ino: a.Ino, Cookie: e.seq, Attr: &a})
	}
	return out, nil
}

// Mkdir implements sdk.Mkdirer.
func (f *FS) Mkdir(ctx context.Context, p string, mode fs.FileMode) (sdk.Attr, error) {
	return f.make(ctx, "mkdir", p, fs.ModeDir|sdk.PermMode(mode), func(*inode) {})
}

// Mknod implements sdk.Mknoder: named pipes, sockets, device nodes and
// regular files.
func (f *FS) Mknod(ctx context.Context, p string, mode fs.FileMode, rdev uint32) (sdk.Attr, error) {
	typ := mode.Type()
	switch typ {
	case 0, fs.ModeNamedPipe, fs.ModeSocket, fs.ModeDevice, fs.ModeDevice | fs.ModeCharDevice:
	default:
		return sdk.Attr{}, pathErr("mknod", p, fmt.Errorf("type %v: %w", typ, sdk.ErrInvalid))
	}
	return f.make(ctx, "mknod", p, typ|sdk.PermMode(mode), func(n *inode) { n.rdev = rdev })
}

// Symlink implements sdk.Symlinker.
func (f *FS) Symlink(ctx context.Context, target, p string) (sdk.Attr, error) {
	if target == "" {
		return sdk.Attr{}, pathErr("symlink", p, fmt.Errorf("empty target: %w", sdk.ErrNotExist))
	}
	return f.make(ctx, "symlink", p, fs.ModeSymlink|0o777, func(n *inode) {
		n.target = target
		n.size = int64(len(target))
	})
}

// make creates a new object of mode at p and lets init fill in the rest
// before anyone can see it.
func (f *FS) make(ctx context.Context, op, p string, mode fs.FileMode, init func(*inode)) (sdk.Attr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, name, err := f.parent(p)
	if err == nil && d.dir.lookup(name) != nil {
		err = sdk.ErrExist
	}
	if p == "/" {
		err = sdk.ErrExist
	}
	if err != nil {
		return sdk.Attr{}, pathErr(op, p, err)
	}
	n := f.newChild(ctx, d, name, mode)
	n.mu.Lock()
	defer n.mu.Unlock()
	init(n)
	return n.attrLocked(), nil
}

// Readlink implements sdk.Readlinker.
func (f *FS) Readlink(ctx context.Context, p string) (string, error) {
	n, err := f.stat(p)
	if err == nil && n.mode&fs.ModeSymlink == 0 {
		err = sdk.ErrInvalid
	}
	if err != nil {
		return "", pathErr("readlink", p, err)
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.target, nil
}

// Link implements sdk.Linker.
func (f *FS) Link(ctx context.Context, oldpath, newpath string) (sdk.Attr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup(oldpath)
	if err != nil {
		return sdk.Attr{}, pathErr("link", oldpath, err)
	}
	if n.dir != nil {
		return sdk.Attr{}, pathErr("link", oldpath, sdk.ErrNotPermitted)
	}
	d, name, err := f.parent(newpath)
	if err == nil && d.dir.lookup(name) != nil {
		err = sdk.ErrExist
	}
	if err != nil {
		return sdk.Attr{}, pathErr("link", newpath, err)
	}
	now := time.Now()
	n.mu.Lock()
	if n.nlink >= maxLinks {
		n.mu.Unlock()
		return sdk.Attr{}, pathErr("link", oldpath, sdk.ErrTooManyLinks)
	}
	n.nlink++
	n.ctime = now
	a := n.attrLocked()
	n.mu.Unlock()
	d.dir.add(name, n)
	d.mu.Lock()
	d.touch(now)
	d.mu.Unlock()
	return a, nil
}

// Unlink implements sdk.Remover.
func (f *FS) Unlink(ctx context.Context, p string) error {
	return f.remove("unlink", p, func(n *inode) error {
		if n.dir != nil {
			return sdk.ErrIsDir
		}
		return nil
	})
}

// Rmdir implements sdk.Remover.
func (f *FS) Rmdir(ctx context.Context, p string) error {
	return f.remove("rmdir", p, func(n *inode) error {
		switch {
		case n.dir == nil:
			return sdk.ErrNotDir
		case !n.dir.empty():
			return sdk.ErrNotEmpty
		}
		return nil
	})
}

// remove deletes the name p after check approves its object.
func (f *FS) remove(op, p string, check func(*inode) error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, name, err := f.parent(p)
	if err != nil {
		return pathErr(op, p, err)
	}
	n := d.dir.lookup(name)
	if n == nil {
		return pathErr(op, p, sdk.ErrNotExist)
	}
	if err := check(n); err != nil {
		return pathErr(op, p, err)
	}
	now := time.Now()
	d.dir.remove(name)
	d.mu.Lock()
	if n.dir != nil {
		d.nlink--
	}
	d.touch(now)
	d.mu.Unlock()
	f.unlinked(n, now)
	return nil
}
