package vfs

// WrittenThrough tells the volume's other mounting points that node id's
// contents changed through the one whose Invalidator is from (a driver
// calls it where the change has reached the plugin: a writer's release, an
// fsync, a truncation). Their kernels drop the node's names, attributes
// and pages, so their next open looks the file up afresh. A driver whose
// kernel keeps its own file sizes (a writeback cache) needs it: that
// kernel never takes a size from an attribute reply, and only an inode it
// had to look up again has the new one. A volume with one mounting point
// costs nothing. Like Changed, it must not be called from within a
// request the driver is serving.
func (v *VFS) WrittenThrough(id uint64, from Invalidator) {
	v.mu.Lock()
	n := v.nodes[id]
	if n == nil || len(v.invalidators) < 2 {
		v.mu.Unlock()
		return
	}
	entries := make([]entryRef, 0, len(n.links))
	for _, l := range n.links {
		entries = append(entries, entryRef{l.parent.id, l.name})
	}
	invs := make([]Invalidator, 0, len(v.invalidators)-1)
	for _, inv := range v.invalidators {
		if inv != from {
			invs = append(invs, inv)
		}
	}
	v.mu.Unlock()
	for _, inv := range invs {
		for _, e := range entries {
			inv.InvalidateEntry(e.parent, e.name)
		}
		inv.InvalidateNode(id)
	}
}
