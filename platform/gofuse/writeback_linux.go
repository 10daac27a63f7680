//go:build linux

package gofuse

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/sdk"
)

// useWriteback decides whether the mount asks the kernel for its
// writeback cache (FUSE_WRITEBACK_CACHE). With it, write(2) only fills the
// page cache; the kernel sends the dirty pages later in large WRITEs (at
// close, fsync, memory pressure or its periodic writeback), places
// O_APPEND writes itself, and keeps a regular file's size and times as it
// knows them, never taking the server's from a GETATTR or LOOKUP reply
// while the inode lives (fs/fuse/inode.c, fuse_get_cache_mask). That is
// right only when nothing but this mount changes the plugin's files: the
// plugin declares sdk.Declared.ExclusiveData.
//
// The kernel does not enable passthrough on a connection that negotiated
// the writeback cache, so auto takes it only where passthrough would not
// serve donated files anyway: the data plane takes no donated file
// (dataplane other than auto), or passthrough is off (passthrough=off, or
// not root). ptOff says the latter.
func useWriteback(opts core.MountOptions, fsys *vfs.VFS, ptOff bool) (bool, error) {
	exclusive := fsys.Features().ExclusiveData
	switch opts.Writeback {
	case core.WritebackOff:
		return false, nil
	case core.WritebackOn:
		if !exclusive {
			return false, fmt.Errorf("%w: writeback=on: the plugin does not declare exclusive data (its files may change other than through this mount), and the kernel's writeback cache would keep its own file sizes and times over the plugin's: use writeback=auto or off", core.ErrPluginOption)
		}
	case core.WritebackAuto:
		if !exclusive || (opts.DataPlane == core.DataPlaneAuto && !ptOff) {
			return false, nil
		}
	default:
		return false, fmt.Errorf("%w: writeback setting %d", core.ErrPluginOption, opts.Writeback)
	}
	return !opts.ReadOnly && !fsys.ReadOnly(), nil
}

// writebackFlags are the flags a plugin file is opened with on a writeback
// mount: a write-only open is opened read-write, because the kernel reads
// the rest of a page a write covers only in part through whichever handle
// wrote it (go-fuse, unlike libfuse's examples, leaves this to the file
// system). Append needs nothing here: the VFS never opens a plugin handle
// appending (the kernel places appending writes), and with the writeback
// cache the kernel's page cache decides where they land.
func writebackFlags(f sdk.OpenFlags) sdk.OpenFlags {
	if f&sdk.AccessMode == sdk.WriteOnly {
		f = f&^sdk.AccessMode | sdk.ReadWrite
	}
	return f
}

// open opens node id for the kernel. On a writeback mount a write-only
// open is tried read-write first (writebackFlags); a plugin that refuses
// that for permission (a file its own credentials may only write) gets
// the open as asked, and a later partial-page write may then fail.
func (m *mount) open(ctx context.Context, id uint64, flags sdk.OpenFlags) (uint64, error) {
	if !m.writeback || flags&sdk.AccessMode != sdk.WriteOnly {
		return m.fs.Open(ctx, id, flags)
	}
	fh, err := m.fs.Open(ctx, id, writebackFlags(flags))
	if errors.Is(err, sdk.ErrPermission) {
		return m.fs.Open(ctx, id, flags)
	}
	if err == nil {
		m.fills.add(fh)
	}
	return fh, err
}

// create creates and opens a file for the kernel, read-write on a
// writeback mount when asked write-only, with no second try: the file is
// usually new, and then the caller's.
func (m *mount) create(ctx context.Context, parent uint64, name string, flags sdk.OpenFlags, mode fs.FileMode) (vfs.Entry, uint64, error) {
	if !m.writeback || flags&sdk.AccessMode != sdk.WriteOnly {
		return m.fs.Create(ctx, parent, name, flags, mode)
	}
	e, fh, err := m.fs.Create(ctx, parent, name, writebackFlags(flags), mode)
	if err == nil {
		m.fills.add(fh)
	}
	return e, fh, err
}

// fillHandles are the open files the caller opened write-only and the
// plugin read-write (writebackFlags): every READ of one is the kernel
// filling a page a write covers only in part, never a read by the caller.
type fillHandles struct {
	mu  sync.Mutex
	fhs map[uint64]struct{}
}

func (f *fillHandles) add(fh uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fhs == nil {
		f.fhs = make(map[uint64]struct{})
	}
	f.fhs[fh] = struct{}{}
}

func (f *fillHandles) has(fh uint64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.fhs[fh]
	return ok
}

func (f *fillHandles) remove(fh uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.fhs, fh)
}

// fill answers a page-fill READ of a fill handle. A write does not make a
// file accessed, but a plugin's read may (memfs keeps atime for every
// read), so the access time the file had is put back afterwards when the
// plugin can set it: two more plugin calls, for writes into part of a
// page not cached through write-only opens only. A read by another opener
// between the two keeps the older time.
func (m *mount) fill(ctx context.Context, node, fh uint64, dest []byte, off int64) (int, error) {
	before, berr := m.fs.Getattr(ctx, node, fh)
	n, err := m.fs.Read(ctx, fh, dest, off)
	if err == nil && berr == nil && m.fs.Features().Setattr {
		_, _ = m.fs.Setattr(ctx, node, fh, sdk.SetAttr{Valid: sdk.SetAtime, Atime: before.Atime})
	}
	return n, err
}

// timesLost answers the kernel writing back the times of a file that was
// unlinked and closed since its last write (fuse_write_inode: SETATTR of
// mtime and ctime, with no file handle, on a writeback mount): no plugin
// object is left to keep them, and the request must not fail syncfs(2).
// It reports the attributes last seen and true when setattr was that.
func (m *mount) timesLost(ctx context.Context, node uint64, sa sdk.SetAttr, err error) (vfs.Attr, bool) {
	if !m.writeback || sa.Valid&^(sdk.SetMtime|sdk.SetCtime) != 0 || !errors.Is(err, sdk.ErrNotExist) {
		return vfs.Attr{}, false
	}
	a, gerr := m.fs.Getattr(ctx, node, 0)
	return a, gerr == nil
}

// written tells the volume's other mounting points, off the request's
// goroutine, that node's contents reached the plugin through this mount
// (vfs.VFS.WrittenThrough): their kernels, which keep their own sizes on
// a writeback mount, would otherwise show the size they last knew for as
// long as they keep the inode. Every point of a volume makes the same
// choice (one set of options), so only writeback mounts call it.
func (m *mount) written(node uint64) {
	if m.writeback {
		go m.fs.WrittenThrough(node, m.inv)
	}
}
