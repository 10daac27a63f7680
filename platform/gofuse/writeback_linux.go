//go:build linux

package gofuse

import (
	"context"
	"errors"
	"fmt"

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
	return fh, err
}

// createFlags are the flags of a CREATE, read-write on a writeback mount
// with no second try: the file is usually new, and then the caller's.
func (m *mount) createFlags(flags sdk.OpenFlags) sdk.OpenFlags {
	if m.writeback {
		return writebackFlags(flags)
	}
	return flags
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
