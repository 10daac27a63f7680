package vfs

import (
	"context"
	"fmt"

	"github.com/plugfs/plugfs/sdk"
)

// Write coalescing. A file the plugin did not donate costs one plugin
// round trip per kernel WRITE, and without the writeback cache the kernel
// sends every write(2) as it comes: 4 KiB writes make 4 KiB calls. The VFS
// gathers a handle's sequential writes in a buffer of up to the plugin's
// MaxIO and sends them as one Write when the buffer is full, when a write
// does not follow on, and before anything that must see the data: a read,
// getattr, setattr, lookup or open of the node, a listing that would bind
// it, and the handle's own flush, fsync and release. A write is answered
// when buffered; a delayed write that fails is reported by the next write,
// flush, fsync or release of its handle (as close(2) reports EIO), never
// dropped. Buffers of all handles together stay under maxBuffered.

// maxBuffered bounds the bytes all write buffers of a VFS hold.
const maxBuffered = 64 << 20

// writeBuffer is one handle's pending sequential writes. Guarded by the
// handle's wmu.
type writeBuffer struct {
	off  int64
	data []byte
	err  error // a delayed write that failed, not yet reported
}

// coalesceLimit is the largest write buffer, 0 when writes are not
// coalesced.
func (v *VFS) coalesceLimit() int {
	if v.opts.NoWriteCoalesce {
		return 0
	}
	if v.feat.MaxIO > 0 {
		return int(v.feat.MaxIO)
	}
	return sdk.DefaultMaxIO
}

// coalesces reports whether a handle opened with flags on a plugin handle
// that is donated or not gathers its writes.
func (v *VFS) coalesces(flags sdk.OpenFlags, donated bool) bool {
	return !donated && flags.Writable() && flags&sdk.Direct == 0 && v.coalesceLimit() > 0
}

// bufferWrite is Write for a coalescing handle.
func (v *VFS) bufferWrite(ctx context.Context, h *handle, data []byte, off int64) (int, error) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	wb := h.wb
	if err := wb.err; err != nil {
		wb.err = nil
		return 0, err
	}
	limit := v.coalesceLimit()
	follows := len(wb.data) > 0 && off == wb.off+int64(len(wb.data))
	if len(wb.data) > 0 && (!follows || len(wb.data)+len(data) > limit) {
		if err := v.flushLocked(ctx, h); err != nil {
			return 0, err
		}
	}
	// After a plugin restart the handle must be reopened (or found gone)
	// now, so the write reports that itself.
	if len(data) >= limit || h.gen.Load() != v.generation() || !v.reserve(len(data)) {
		return v.writeThrough(ctx, h, data, off)
	}
	if len(wb.data) == 0 {
		wb.off = off
		v.mu.Lock()
		h.node.dirty++
		v.mu.Unlock()
	}
	wb.data = append(wb.data, data...)
	v.written(h.node) // size and mtime change, as for any write
	if len(wb.data) >= limit {
		if err := v.flushLocked(ctx, h); err != nil {
			return 0, err
		}
	}
	return len(data), nil
}

// reserve counts n more buffered bytes, or reports false when that would
// exceed maxBuffered.
func (v *VFS) reserve(n int) bool {
	if v.buffered.Add(int64(n)) > maxBuffered {
		v.buffered.Add(-int64(n))
		return false
	}
	return true
}

// writeThrough sends data to the plugin at once.
func (v *VFS) writeThrough(ctx context.Context, h *handle, data []byte, off int64) (int, error) {
	var n int
	err := v.withHandle(ctx, h, func(bh sdk.Handle) error {
		var e error
		n, e = v.be.(sdk.Writer).Write(ctx, bh, data, off)
		return e
	})
	v.written(h.node)
	return n, err
}

// flushLocked sends h's buffered writes to the plugin; h.wmu must be held.
func (v *VFS) flushLocked(ctx context.Context, h *handle) error {
	wb := h.wb
	if wb == nil || len(wb.data) == 0 {
		return nil
	}
	data, off := wb.data, wb.off
	n, err := v.writeThrough(ctx, h, data, off)
	if err == nil && n < len(data) {
		err = sdk.NewError(sdk.CodeIO, fmt.Sprintf("delayed write of %d bytes at %d: the plugin wrote %d", len(data), off, n))
	}
	v.buffered.Add(-int64(len(data)))
	wb.data = wb.data[:0]
	if cap(wb.data) > 4<<20 {
		wb.data = nil
	}
	v.mu.Lock()
	h.node.dirty--
	v.mu.Unlock()
	return err
}

// flushHandle sends h's buffered writes and returns any delayed error,
// which it reports once.
func (v *VFS) flushHandle(ctx context.Context, h *handle) error {
	if h.wb == nil {
		return nil
	}
	h.wmu.Lock()
	defer h.wmu.Unlock()
	err := v.flushLocked(ctx, h)
	if err == nil {
		err, h.wb.err = h.wb.err, nil
	}
	return err
}

// flushNode sends every buffered write of node n, before something that
// must see them; a failure is kept for its handle to report.
func (v *VFS) flushNode(ctx context.Context, n *node) {
	v.mu.Lock()
	if n.dirty == 0 {
		v.mu.Unlock()
		return
	}
	var hs []*handle
	for _, h := range v.handles {
		if h.node == n && h.wb != nil {
			hs = append(hs, h)
		}
	}
	v.mu.Unlock()
	for _, h := range hs {
		h.wmu.Lock()
		if err := v.flushLocked(ctx, h); err != nil && h.wb.err == nil {
			h.wb.err = err
		}
		h.wmu.Unlock()
	}
}

// flushNodeID is flushNode for node id, if known.
func (v *VFS) flushNodeID(ctx context.Context, id uint64) {
	v.mu.Lock()
	n := v.nodes[id]
	v.mu.Unlock()
	if n != nil {
		v.flushNode(ctx, n)
	}
}

// nodeOf returns node id, or nil.
func (v *VFS) nodeOf(id uint64) *node {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.nodes[id]
}

// flushChild is flushNode for name in p, if known.
func (v *VFS) flushChild(ctx context.Context, p *node, name string) {
	v.mu.Lock()
	n := p.children[name]
	v.mu.Unlock()
	if n != nil {
		v.flushNode(ctx, n)
	}
}

// FsyncNeeded is FlushNeeded for FSYNC: the plugin implements Fsync, or
// fh gathers writes.
func (v *VFS) FsyncNeeded(fh uint64) bool {
	if v.feat.Fsync {
		return true
	}
	h, err := v.handle(fh)
	return err == nil && h.wb != nil
}

// FlushNeeded reports whether a FLUSH of fh (at close) can have work to
// do: the plugin implements Flush, or fh gathers writes. A driver may
// tell the kernel to stop sending FLUSH otherwise.
func (v *VFS) FlushNeeded(fh uint64) bool {
	if v.feat.Flush {
		return true
	}
	h, err := v.handle(fh)
	return err == nil && h.wb != nil
}
