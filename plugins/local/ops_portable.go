//go:build !linux || localportable

package local

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// Stat implements sdk.FileSystem (lstat semantics).
func (f *FS) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	n, err := f.name(p)
	if err != nil {
		return sdk.Attr{}, err
	}
	fi, err := f.lstat(n)
	if err != nil {
		return sdk.Attr{}, pathErr("stat", p, err)
	}
	return attrOf(fi), nil
}

// StatHandle implements sdk.HandleStater.
func (f *FS) StatHandle(ctx context.Context, h sdk.Handle) (sdk.Attr, error) {
	of, err := f.handles.get(h)
	if err != nil {
		return sdk.Attr{}, err
	}
	fi, err := of.f.Stat()
	if err != nil {
		return sdk.Attr{}, pathErr("fstat", of.path, err)
	}
	return attrOf(fi), nil
}

// dirStream is the listing state of a directory handle; a cookie is the
// index of the next entry.
type dirStream struct {
	mu  sync.Mutex
	pos uint64
}

// OpenDir implements sdk.FileSystem.
func (f *FS) OpenDir(ctx context.Context, p string) (sdk.Handle, error) {
	n, err := f.name(p)
	if err != nil {
		return 0, err
	}
	if fi, err := f.lstat(n); err != nil {
		return 0, pathErr("opendir", p, err)
	} else if !fi.IsDir() { // a symlink too, as O_DIRECTORY|O_NOFOLLOW says
		return 0, pathErr("opendir", p, sdk.ErrNotDir)
	}
	d, err := f.root.Open(n)
	if err != nil {
		return 0, pathErr("opendir", p, err)
	}
	return f.handles.add(&openFile{f: d, path: p, dir: &dirStream{}}), nil
}

// ReadDir implements sdk.FileSystem. A cookie other than the stream's
// position rewinds and skips. Entries carry no Ino (the host chooses).
func (f *FS) ReadDir(ctx context.Context, h sdk.Handle, cookie uint64, max int) ([]sdk.DirEntry, error) {
	of, err := f.handles.get(h)
	if err != nil {
		return nil, err
	}
	d := of.dir
	if d == nil {
		return nil, pathErr("readdir", of.path, sdk.ErrNotDir)
	}
	if max <= 0 {
		max = 1024
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if cookie != d.pos {
		if _, err := of.f.Seek(0, io.SeekStart); err != nil {
			return nil, pathErr("readdir", of.path, err)
		}
		d.pos = 0
		for d.pos < cookie {
			ents, err := of.f.ReadDir(int(min(cookie-d.pos, 1024)))
			d.pos += uint64(len(ents))
			if len(ents) == 0 || errors.Is(err, io.EOF) {
				return nil, nil
			}
			if err != nil {
				return nil, pathErr("readdir", of.path, err)
			}
		}
	}
	ents, err := of.f.ReadDir(max)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, pathErr("readdir", of.path, err)
	}
	out := make([]sdk.DirEntry, len(ents))
	for i, e := range ents {
		d.pos++
		out[i] = sdk.DirEntry{Name: e.Name(), Mode: e.Type(), Cookie: d.pos}
	}
	return out, nil
}

func osOpenFlags(fl sdk.OpenFlags) int {
	var o int
	switch fl & sdk.AccessMode {
	case sdk.WriteOnly:
		o = os.O_WRONLY
	case sdk.ReadWrite:
		o = os.O_RDWR
	default:
		o = os.O_RDONLY
	}
	for _, m := range []struct {
		s sdk.OpenFlags
		o int
	}{{sdk.Append, os.O_APPEND}, {sdk.Create, os.O_CREATE}, {sdk.Exclusive, os.O_EXCL},
		{sdk.Truncate, os.O_TRUNC}, {sdk.Sync, os.O_SYNC}} {
		if fl&m.s != 0 {
			o |= m.o
		}
	}
	return o
}

// Open implements sdk.FileSystem. A final symlink is refused (ErrLoop), and
// the opened file is checked to be the one Lstat saw. Special files are
// refused with ErrNotSupported (the kernel opens them itself).
func (f *FS) Open(ctx context.Context, p string, flags sdk.OpenFlags, mode fs.FileMode) (sdk.Handle, sdk.Attr, error) {
	n, err := f.name(p)
	if err != nil {
		return 0, sdk.Attr{}, err
	}
	fl := osOpenFlags(flags)
	var file *os.File
	created := false
	if fl&os.O_CREATE != 0 {
		// Exclusive first: a new file is known to be new, and a final
		// symlink is never followed by an exclusive create.
		file, err = f.root.OpenFile(n, fl|os.O_EXCL, mode.Perm())
		created = err == nil
		if errors.Is(err, fs.ErrExist) && fl&os.O_EXCL == 0 {
			file, err = f.openExisting(p, n, fl&^os.O_CREATE)
		}
	} else {
		file, err = f.openExisting(p, n, fl)
	}
	if err != nil {
		return 0, sdk.Attr{}, pathErr("open", p, err)
	}
	if created {
		if err := f.giveToCaller(ctx, n, mode); err != nil {
			file.Close()
			return 0, sdk.Attr{}, pathErr("open", p, err)
		}
	}
	fi, err := file.Stat()
	if err != nil {
		file.Close()
		return 0, sdk.Attr{}, pathErr("open", p, err)
	}
	return f.handles.add(&openFile{f: file, path: p, append: flags&sdk.Append != 0}), attrOf(fi), nil
}

// openExisting opens the existing non-symlink named n.
func (f *FS) openExisting(p, n string, fl int) (*os.File, error) {
	before, err := f.lstat(n)
	if err != nil {
		return nil, err
	}
	if before.Mode()&fs.ModeSymlink != 0 {
		return nil, errLoop("open", p)
	}
	if isSpecial(before.Mode()) {
		return nil, sdk.NewError(sdk.CodeNotSupported, "local: open "+p+": special files are opened by the kernel, not through the plugin")
	}
	file, err := f.root.OpenFile(n, fl, 0)
	if err != nil {
		return nil, err
	}
	if verifyOpen {
		after, err := file.Stat()
		if err != nil || !os.SameFile(before, after) {
			file.Close()
			return nil, errLoop("open", p)
		}
	}
	return file, nil
}

// Fsync implements sdk.Fsyncer (dataOnly syncs everything here).
func (f *FS) Fsync(ctx context.Context, h sdk.Handle, dataOnly bool) error {
	of, err := f.handles.get(h)
	if err != nil {
		return err
	}
	return pathErr("fsync", of.path, of.f.Sync())
}

// Setattr implements sdk.Setattrer. With a handle, mode, owner and size go
// through it (and work after the name is gone); times always go by name.
// A final symlink is not followed: its owner can change, its mode and
// times cannot here (ErrNotSupported).
func (f *FS) Setattr(ctx context.Context, p string, h sdk.Handle, sa sdk.SetAttr) (sdk.Attr, error) {
	var of *openFile
	if h != 0 {
		of, _ = f.handles.get(h)
	}
	err := f.setattr(p, of, sa)
	if err != nil {
		return sdk.Attr{}, pathErr("setattr", p, err)
	}
	if of != nil {
		return f.StatHandle(ctx, h)
	}
	return f.Stat(ctx, p)
}

func (f *FS) setattr(p string, of *openFile, sa sdk.SetAttr) error {
	n, err := f.name(p)
	if err != nil {
		return err
	}
	var fi fs.FileInfo
	if of != nil {
		fi, err = of.f.Stat()
	} else {
		fi, err = f.lstat(n)
	}
	if err != nil {
		return err
	}
	link := fi.Mode()&fs.ModeSymlink != 0
	if sa.Valid&(sdk.SetUid|sdk.SetGid) != 0 {
		uid, gid := -1, -1
		if sa.Has(sdk.SetUid) {
			uid = int(sa.Uid)
		}
		if sa.Has(sdk.SetGid) {
			gid = int(sa.Gid)
		}
		if of != nil {
			err = of.f.Chown(uid, gid)
		} else {
			err = f.root.Lchown(n, uid, gid)
		}
		if err != nil {
			return err
		}
	}
	if sa.Has(sdk.SetMode) {
		switch {
		case of != nil:
			err = of.f.Chmod(sdk.PermMode(sa.Mode))
		case link:
			err = sdk.ErrNotSupported
		default:
			err = f.root.Chmod(n, sdk.PermMode(sa.Mode))
		}
		if err != nil {
			return err
		}
	}
	if sa.Has(sdk.SetSize) {
		if err := f.truncate(p, n, of, fi, int64(sa.Size)); err != nil {
			return err
		}
	}
	if sa.Valid&timeMask != 0 {
		if link {
			return sdk.ErrNotSupported
		}
		var at, mt time.Time // zero: unchanged
		now := time.Now()
		switch {
		case sa.Has(sdk.SetAtimeNow):
			at = now
		case sa.Has(sdk.SetAtime):
			at = sa.Atime
		}
		switch {
		case sa.Has(sdk.SetMtimeNow):
			mt = now
		case sa.Has(sdk.SetMtime):
			mt = sa.Mtime
		}
		return f.root.Chtimes(n, at, mt)
	}
	return nil
}

const timeMask = sdk.SetAtime | sdk.SetMtime | sdk.SetAtimeNow | sdk.SetMtimeNow

// truncate sets the size of the regular file fi describes.
func (f *FS) truncate(p, n string, of *openFile, fi fs.FileInfo, size int64) error {
	switch {
	case fi.IsDir():
		return sdk.ErrIsDir
	case !fi.Mode().IsRegular():
		return sdk.ErrInvalid
	case of != nil:
		return of.f.Truncate(size)
	}
	file, err := f.openExisting(p, n, os.O_WRONLY)
	if err != nil {
		return err
	}
	defer file.Close()
	return file.Truncate(size)
}
