package vfs

import (
	"strings"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// Invalidator drops what the kernel caches about nodes. A driver that can
// sets one on the VFS it serves (SetInvalidator) for as long as it is
// mounted; calls come from the goroutine that reports changes, never from
// within a request the driver is serving.
type Invalidator interface {
	// InvalidateEntry forgets the kernel's binding of name in directory
	// parent, positive or negative.
	InvalidateEntry(parent uint64, name string)
	// InvalidateNode forgets node id's attributes and cached data.
	InvalidateNode(id uint64)
}

// SetInvalidator adds inv to the invalidators Changed calls (one per
// mounting point) and returns a function that removes it.
func (v *VFS) SetInvalidator(inv Invalidator) (remove func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	key := new(int)
	if v.invalidators == nil {
		v.invalidators = make(map[*int]Invalidator)
	}
	v.invalidators[key] = inv
	return func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		delete(v.invalidators, key)
	}
}

// entryRef is one kernel entry to invalidate.
type entryRef struct {
	parent uint64
	name   string
}

// Changed tells the VFS that the plugin's object at c.Path changed other
// than through it (sdk.Watcher): the kernel's entry for the name and its
// cached attributes and pages are dropped, so the next access asks the
// plugin. Only nodes the kernel knows need it; nothing is asked of the
// plugin here. ChangeAll drops everything the kernel may cache.
func (v *VFS) Changed(c sdk.Change) {
	var entries []entryRef
	var nodes []uint64
	v.mu.Lock()
	v.noteChange() // listed attributes may predate it
	if c.Kind == sdk.ChangeAll {
		for _, n := range v.nodes {
			n.noCapExp = time.Time{}
			v.forgetCachedLocked(n)
		}
	} else {
		parent, n, _ := v.walkLocked(c.Path)
		if n != nil {
			n.noCapExp = time.Time{}
			v.forgetCachedLocked(n)
		}
		if parent != nil && c.Kind != sdk.ChangeModified {
			parent.attrExp, parent.complete = time.Time{}, false
		}
	}
	if len(v.invalidators) == 0 {
		v.mu.Unlock()
		return
	}
	if c.Kind == sdk.ChangeAll {
		for id, n := range v.nodes {
			nodes = append(nodes, id)
			for name := range n.children {
				entries = append(entries, entryRef{id, name})
			}
		}
	} else {
		parent, n, name := v.walkLocked(c.Path)
		if parent != nil {
			entries = append(entries, entryRef{parent.id, name})
			if c.Kind != sdk.ChangeModified {
				// A name came or went: the directory's size, times and
				// listing changed with it.
				nodes = append(nodes, parent.id)
			}
		}
		if n != nil {
			nodes = append(nodes, n.id)
		}
	}
	invs := make([]Invalidator, 0, len(v.invalidators))
	for _, inv := range v.invalidators {
		invs = append(invs, inv)
	}
	v.mu.Unlock()
	for _, inv := range invs {
		for _, e := range entries {
			inv.InvalidateEntry(e.parent, e.name)
		}
		for _, id := range nodes {
			inv.InvalidateNode(id)
		}
	}
}

// walkLocked follows path through the nodes the kernel knows and returns
// the deepest known directory on it when that is path's parent (else nil),
// the node at path if known, and path's last name. v.mu must be held.
func (v *VFS) walkLocked(path string) (parent, n *node, name string) {
	path = strings.Trim(path, "/")
	cur := v.nodes[RootID]
	if path == "" {
		return nil, cur, ""
	}
	parts := strings.Split(path, "/")
	for i, part := range parts {
		if cur == nil || !cur.isDir {
			return nil, nil, ""
		}
		if i == len(parts)-1 {
			return cur, cur.children[part], part
		}
		cur = cur.children[part]
	}
	return nil, nil, ""
}
