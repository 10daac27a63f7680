package gofuse

import "github.com/hanwen/go-fuse/v2/fuse"

// invalidator turns the VFS's change reports into kernel cache
// invalidations (FUSE_NOTIFY_INVAL_ENTRY and _INODE). The kernel answers
// ENOENT for nodes it has already forgotten: nothing to drop, not an error.
type invalidator struct{ srv *fuse.Server }

// InvalidateEntry implements vfs.Invalidator.
func (i invalidator) InvalidateEntry(parent uint64, name string) {
	i.srv.EntryNotify(parent, name)
}

// InvalidateNode implements vfs.Invalidator: attributes and every cached
// page (offset 0, length 0).
func (i invalidator) InvalidateNode(id uint64) {
	i.srv.InodeNotify(id, 0, 0)
}
