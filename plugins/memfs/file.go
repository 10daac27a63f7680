package memfs

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// Open implements sdk.FileSystem.
func (f *FS) Open(ctx context.Context, p string, flags sdk.OpenFlags, mode fs.FileMode) (sdk.Handle, sdk.Attr, error) {
	h, n, err := f.openFile(ctx, p, flags, mode)
	if err != nil {
		return 0, sdk.Attr{}, pathErr("open", p, err)
	}
	if flags&sdk.Truncate != 0 && n.mode.IsRegular() {
		n.mu.Lock()
		f.used.Add(-n.data.truncate(0))
		n.size = 0
		n.touch(time.Now())
		if n.mfd != nil {
			if err := n.mfd.Truncate(0); err != nil {
				n.mu.Unlock()
				f.Release(ctx, h)
				return 0, sdk.Attr{}, pathErr("open", p, err)
			}
			n.memfdChangedLocked(time.Time{}, false)
		}
		n.mu.Unlock()
	}
	return h, n.attr(), nil
}

// openFile finds, or with Create makes, the object Open opens and registers
// a handle to it while the namespace is locked, so that it cannot be freed
// in between.
func (f *FS) openFile(ctx context.Context, p string, flags sdk.OpenFlags, mode fs.FileMode) (sdk.Handle, *inode, error) {
	var n *inode
	var err error
	if flags&sdk.Create == 0 {
		f.mu.RLock()
		defer f.mu.RUnlock()
		n, err = f.lookup(p)
	} else {
		f.mu.Lock()
		defer f.mu.Unlock()
		n, err = f.create(ctx, p, flags&sdk.Exclusive != 0, mode)
	}
	switch {
	case err != nil:
		return 0, nil, err
	case n.dir != nil:
		return 0, nil, sdk.ErrIsDir
	case n.mode&fs.ModeSymlink != 0:
		return 0, nil, sdk.ErrLoop
	}
	return f.open(n, flags, false), n, nil
}

// create returns the object at p, making a regular file when there is none;
// f.mu must be held for writing.
func (f *FS) create(ctx context.Context, p string, excl bool, mode fs.FileMode) (*inode, error) {
	if p == "/" {
		if excl {
			return nil, sdk.ErrExist
		}
		return f.root, nil
	}
	d, name, err := f.parent(p)
	if err != nil {
		return nil, err
	}
	if n := d.dir.lookup(name); n != nil {
		if excl {
			return nil, sdk.ErrExist
		}
		return n, nil
	}
	return f.newChild(ctx, d, name, sdk.PermMode(mode)), nil
}

// fileHandle returns the open file (not directory) h.
func (f *FS) fileHandle(op string, h sdk.Handle) (*handle, error) {
	hd, err := f.handle(h)
	if err != nil {
		return nil, err
	}
	if hd.isDir {
		return nil, fmt.Errorf("memfs: %s handle %d: %w", op, h, sdk.ErrIsDir)
	}
	return hd, nil
}

// Read implements sdk.FileSystem.
func (f *FS) Read(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	hd, err := f.fileHandle("read", h)
	if err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, fmt.Errorf("memfs: read at %d: %w", off, sdk.ErrInvalid)
	}
	n := hd.node
	n.mu.RLock()
	if n.mfd != nil {
		m, err := n.mfd.ReadAt(p, off)
		n.mu.RUnlock()
		if err == io.EOF {
			err = nil
		}
		n.atime.Store(time.Now().UnixNano())
		return m, err
	}
	if off >= n.size {
		n.mu.RUnlock()
		return 0, nil
	}
	m := int(min(int64(len(p)), n.size-off))
	n.data.readAt(p[:m], off)
	n.mu.RUnlock()
	n.atime.Store(time.Now().UnixNano())
	return m, nil
}

// Write implements sdk.Writer.
func (f *FS) Write(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	hd, err := f.fileHandle("write", h)
	if err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, fmt.Errorf("memfs: write at %d: %w", off, sdk.ErrInvalid)
	}
	n := hd.node
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.mode.IsRegular() {
		return 0, fmt.Errorf("memfs: write to %v: %w", n.mode.Type(), sdk.ErrInvalid)
	}
	if n.mfd == nil && f.memfdFor(n, off, len(p), hd.flags) {
		// A large file: its bytes move to kernel pages (see memfdAt).
		// Failing that (no descriptors left) it stays in chunks.
		_ = f.toMemfd(n)
	}
	if n.mfd != nil {
		return writeMemfd(n, hd.flags, p, off)
	}
	if hd.flags&sdk.Append != 0 {
		off = n.size
	}
	end := off + int64(len(p))
	if end > maxFileSize || end < off {
		return 0, fmt.Errorf("memfs: write at %d: %w", off, sdk.ErrFileTooBig)
	}
	if err := f.reserve(n.data.growth(off, int64(len(p)))); err != nil {
		return 0, fmt.Errorf("memfs: write %d bytes at %d (limit %d bytes): %w", len(p), off, f.limit, err)
	}
	n.data.writeAt(p, off)
	n.size = max(n.size, end)
	n.touch(time.Now())
	return len(p), nil
}

// StatHandle implements sdk.HandleStater.
func (f *FS) StatHandle(ctx context.Context, h sdk.Handle) (sdk.Attr, error) {
	hd, err := f.handle(h)
	if err != nil {
		return sdk.Attr{}, err
	}
	return hd.node.attr(), nil
}

// memfs does not implement sdk.Flusher: data is in memory already, so a
// close needs no call (the kernel then stops sending FLUSH).

// Fsync implements sdk.Fsyncer: memory is as stable as memfs gets, but
// the call proves the handle still belongs to this memfs. After a crash
// and restart (a new, empty memfs) an fsync of a file opened before fails
// with EIO, so a program that checks fsync learns its data is gone, even
// when the kernel wrote it to a donated memory file the dead process left.
func (f *FS) Fsync(ctx context.Context, h sdk.Handle, dataOnly bool) error {
	_, err := f.handle(h)
	return err
}

// Setattr implements sdk.Setattrer.
func (f *FS) Setattr(ctx context.Context, p string, h sdk.Handle, a sdk.SetAttr) (sdk.Attr, error) {
	var n *inode
	if h != 0 {
		hd, err := f.handle(h)
		if err != nil {
			return sdk.Attr{}, err
		}
		n = hd.node
	} else {
		var err error
		if n, err = f.stat(p); err != nil {
			return sdk.Attr{}, pathErr("setattr", p, err)
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	now := time.Now()
	// Writes by the kernel moved the memory file's times, not memfs's:
	// start from the times the file shows, so a change of one keeps the
	// others.
	n.syncTimesLocked()
	if a.Has(sdk.SetSize) {
		switch {
		case n.dir != nil:
			return sdk.Attr{}, pathErr("truncate", p, sdk.ErrIsDir)
		case !n.mode.IsRegular():
			return sdk.Attr{}, pathErr("truncate", p, sdk.ErrInvalid)
		case a.Size > maxFileSize:
			return sdk.Attr{}, pathErr("truncate", p, sdk.ErrFileTooBig)
		}
		if int64(a.Size) < n.size {
			f.used.Add(-n.data.truncate(int64(a.Size)))
		}
		n.size = int64(a.Size)
		n.mtime = now
		if n.mfd != nil {
			if err := n.mfd.Truncate(int64(a.Size)); err != nil {
				return sdk.Attr{}, pathErr("truncate", p, err)
			}
		}
	}
	if a.Has(sdk.SetMode) {
		n.mode = n.mode.Type() | sdk.PermMode(a.Mode)
	}
	if a.Has(sdk.SetUid) {
		n.uid = a.Uid
	}
	if a.Has(sdk.SetGid) {
		n.gid = a.Gid
	}
	switch {
	case a.Has(sdk.SetAtimeNow):
		n.atime.Store(now.UnixNano())
	case a.Has(sdk.SetAtime) && !a.Atime.IsZero():
		n.atime.Store(a.Atime.UnixNano())
	}
	switch {
	case a.Has(sdk.SetMtimeNow):
		n.mtime = now
	case a.Has(sdk.SetMtime):
		n.mtime = a.Mtime
	}
	n.ctime = now
	if a.Has(sdk.SetCtime) {
		n.ctime = a.Ctime
	}
	if n.mfd != nil && (a.Has(sdk.SetSize) || a.Has(sdk.SetAtime) || a.Has(sdk.SetAtimeNow) || a.Has(sdk.SetMtime) || a.Has(sdk.SetMtimeNow)) {
		// The memory file's times are the file's: set them there.
		if err := setMemfdTimes(n.mfd, n.atimeTime(), n.mtime); err != nil {
			return sdk.Attr{}, pathErr("setattr", p, err)
		}
	}
	if n.mfd != nil {
		n.memfdChangedLocked(time.Time{}, false)
	}
	return n.attrLocked(), nil
}

// writeMemfd writes p at off (at the end for an appending handle) to n's
// memory file; n.mu must be held for writing. The memory file keeps the
// file's size and times itself.
func writeMemfd(n *inode, flags sdk.OpenFlags, p []byte, off int64) (int, error) {
	if flags&sdk.Append != 0 {
		st, err := statMemfd(n.mfd)
		if err != nil {
			return 0, fmt.Errorf("memfs: write: %w", err)
		}
		off = st.size
	}
	if end := off + int64(len(p)); end > maxFileSize || end < off {
		return 0, fmt.Errorf("memfs: write at %d: %w", off, sdk.ErrFileTooBig)
	}
	n.syncTimesLocked()
	m, err := n.mfd.WriteAt(p, off)
	if err != nil {
		return m, fmt.Errorf("memfs: write at %d: %w", off, err)
	}
	n.memfdChangedLocked(time.Now(), true)
	return m, nil
}
