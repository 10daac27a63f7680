package bazil

import "bazil.org/fuse"

// invalidator turns the VFS's change reports into kernel cache
// invalidations. The kernel answers ENOENT for nodes it has already
// forgotten (fuse.ErrNotCached): nothing to drop, not an error.
type invalidator struct{ conn *fuse.Conn }

// InvalidateEntry implements vfs.Invalidator.
func (i invalidator) InvalidateEntry(parent uint64, name string) {
	_ = i.conn.InvalidateEntry(fuse.NodeID(parent), name)
}

// InvalidateNode implements vfs.Invalidator: attributes and every cached
// page (offset 0, size 0 means all).
func (i invalidator) InvalidateNode(id uint64) {
	_ = i.conn.InvalidateNode(fuse.NodeID(id), 0, 0)
}
