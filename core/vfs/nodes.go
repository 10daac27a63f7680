package vfs

import (
	"container/list"
	"fmt"
	"strings"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// inoKey is a plugin inode number within one plugin process: a restarted
// plugin (memfs, say) may hand the same numbers to other objects.
type inoKey struct {
	gen, ino uint64
}

// Generationer is implemented by backends whose process can restart (the
// plugin supervisor): Generation changes with every restart.
type Generationer interface {
	Generation() uint64
}

func (v *VFS) generation() uint64 {
	if g, ok := v.be.(Generationer); ok {
		return g.Generation()
	}
	return 0
}

// link is one name of a node: an entry name in a parent directory node.
type link struct {
	parent *node
	name   string
}

// node is one file system object the kernel knows.
type node struct {
	id       uint64
	isDir    bool
	lookups  uint64 // kernel references (Lookup/Create/... minus Forget)
	open     int    // open handles
	links    []link // names; empty for the root and for unlinked nodes
	children map[string]*node
	ino      inoKey // the plugin's inode number, with StableIno

	attr    sdk.Attr
	attrExp time.Time // attr is fresh until then (see metacache.go)
	attrGen uint64    // the plugin generation attr was read in
	attrAt  time.Time // when the call that read attr began (KillSuidgid)

	// entryExp: until then, the node's names are fresh bindings
	// (entryGen: the plugin generation they were read in).
	entryExp time.Time
	entryGen uint64
	// complete: a directory whose every name is among children (seen
	// empty by Mkdir, every child kept since), in plugin generation
	// completeGen; with ExclusiveData a missing name then does not exist.
	complete    bool
	completeGen uint64
	raw         int           // open handles writing a donated file
	dirty       int           // handles holding buffered writes (coalesce.go)
	mods        uint64        // bumped whenever attr becomes stale (staleLocked)
	lru         *list.Element // in VFS.lru while kept for the cache alone

	// noCapExp: until then, the plugin is known to have no
	// security.capability attribute for the node (see Getxattr).
	noCapExp time.Time
}

// pathLocked returns the node's current path. v.mu must be held.
func (v *VFS) pathLocked(n *node) (string, error) {
	if n.id == RootID {
		return "/", nil
	}
	var parts []string
	if !v.namesLocked(n, &parts, 0) {
		return "", fmt.Errorf("node %d is unlinked: %w", n.id, sdk.ErrNotExist)
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	return b.String(), nil
}

// namesLocked appends n's names up to the root, last first, through the
// first of its links whose parent still leads there: a name a lookup
// bound under a directory that a racing rename has since detached is
// skipped. It reports false when no link leads to the root.
func (v *VFS) namesLocked(n *node, parts *[]string, depth int) bool {
	if n.id == RootID {
		return true
	}
	if depth > maxDepth {
		return false
	}
	for _, l := range n.links {
		mark := len(*parts)
		*parts = append(*parts, l.name)
		if v.namesLocked(l.parent, parts, depth+1) {
			return true
		}
		*parts = (*parts)[:mark]
	}
	return false
}

// maxDepth bounds the directories a path may cross (PATH_MAX / 2).
const maxDepth = 2048

// nodePath returns the node called id and its path.
func (v *VFS) nodePath(id uint64) (*node, string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	n, ok := v.nodes[id]
	if !ok {
		return nil, "", fmt.Errorf("unknown node %d: %w", id, sdk.ErrStale)
	}
	p, err := v.pathLocked(n)
	return n, p, err
}

// childPath returns parent's node and the path of name within it.
func (v *VFS) childPath(parent uint64, name string) (*node, string, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
		return nil, "", fmt.Errorf("name %q: %w", name, sdk.ErrInvalid)
	}
	p, pp, err := v.nodePath(parent)
	if err != nil {
		return nil, "", err
	}
	if pp == "/" {
		return p, "/" + name, nil
	}
	return p, pp + "/" + name, nil
}

// bind records that name in parent is the object with attributes a, read
// by a plugin call stamped st, and returns the entry for the kernel (one
// more kernel reference).
func (v *VFS) bind(parent *node, name string, a sdk.Attr, st readStamp) Entry {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.bindLocked(parent, name, a, st, false)
}

// bindLocked is bind with v.mu held. entryOK says the binding is known
// fresh whatever else changed meanwhile (a create that no other change in
// parent raced).
func (v *VFS) bindLocked(parent *node, name string, a sdk.Attr, st readStamp, entryOK bool) Entry {
	n := parent.children[name]
	gen := v.generation()
	if n != nil && v.sameObject(n, a, gen) {
		v.rekeyLocked(n, a, gen) // known under this name already
	} else {
		if n != nil { // the name now refers to another object
			v.unlinkLocked(parent, name)
		}
		n = nil
		key := inoKey{gen, a.Ino}
		if v.feat.StableIno && a.Ino != 0 && !a.Mode.IsDir() {
			if hl := v.byIno[key]; hl != nil && len(hl.links) > 0 {
				n = hl // a hard link to a known node
			}
		}
		if n == nil {
			v.nextID++
			n = &node{id: v.nextID, isDir: a.Mode.IsDir()}
			v.nodes[n.id] = n
			if v.feat.StableIno && a.Ino != 0 {
				v.byIno[key] = n
				n.ino = key
			}
		}
		n.links = append(n.links, link{parent, name})
		if parent.children == nil {
			parent.children = make(map[string]*node)
		}
		parent.children[name] = n
	}
	n.lookups++
	v.unretainLocked(n)
	v.fillLocked(n, a, st)
	if entryOK || v.changes.Load() == st.changes {
		n.entryExp, n.entryGen = v.freshUntil(st.at, v.opts.EntryTimeout), gen
	} else {
		n.entryExp = time.Time{}
	}
	return Entry{ID: n.id, Attr: v.attrOfLocked(n), EntryTimeout: v.opts.EntryTimeout}
}

// sameObject reports whether a, seen in plugin generation gen, describes
// the object n already is. Inode numbers from before a plugin restart
// cannot be compared with today's: then the name and the type decide, so
// a file open across a restart keeps its node (and its path for reopen).
func (v *VFS) sameObject(n *node, a sdk.Attr, gen uint64) bool {
	if n.isDir != a.Mode.IsDir() {
		return false
	}
	if v.feat.StableIno && n.ino.ino != 0 && a.Ino != 0 && n.ino.gen == gen {
		return n.ino.ino == a.Ino
	}
	return n.attr.Mode.Type() == a.Mode.Type()
}

// rekeyLocked files n under its inode number in generation gen, after a
// plugin restart (or a first sighting of its number).
func (v *VFS) rekeyLocked(n *node, a sdk.Attr, gen uint64) {
	if !v.feat.StableIno || a.Ino == 0 {
		return
	}
	key := inoKey{gen, a.Ino}
	if n.ino == key {
		return
	}
	if n.ino.ino != 0 && v.byIno[n.ino] == n {
		delete(v.byIno, n.ino)
	}
	n.ino = key
	if v.byIno[key] == nil {
		v.byIno[key] = n
	}
}

// unlinkLocked removes name from parent; the node it named loses that link.
func (v *VFS) unlinkLocked(parent *node, name string) {
	n := parent.children[name]
	if n == nil {
		return
	}
	delete(parent.children, name)
	for i, l := range n.links {
		if l.parent == parent && l.name == name {
			n.links = append(n.links[:i], n.links[i+1:]...)
			break
		}
	}
	if len(n.links) == 0 {
		n.attr.Nlink = 0
	} else if n.attr.Nlink > 1 {
		n.attr.Nlink--
	}
	v.staleLocked(n)
	v.dropIfUnusedLocked(n)
	v.dropIfUnusedLocked(parent) // it may have been kept for n alone
}

// dropIfUnusedLocked forgets a node nobody refers to any more. A
// directory whose children are still known stays, so their paths stay
// whole; it goes with its last child. (The kernel never forgets a parent
// before its children; a path-based driver may.)
func (v *VFS) dropIfUnusedLocked(n *node) {
	if n.id == RootID || n.lookups > 0 || n.open > 0 || len(n.children) > 0 {
		return
	}
	if n.lru != nil && len(n.links) > 0 {
		return // kept already
	}
	v.unretainLocked(n)
	if v.retainLocked(n) {
		return // kept for the metadata cache
	}
	v.dropLocked(n)
}

// dropLocked forgets n, which nobody refers to; its parents lose a child
// they knew, so they are no longer complete.
func (v *VFS) dropLocked(n *node) {
	for _, l := range n.links {
		if l.parent.children[l.name] == n {
			delete(l.parent.children, l.name)
			l.parent.complete = false
			v.dropIfUnusedLocked(l.parent)
		}
	}
	n.links = nil
	delete(v.nodes, n.id)
	if n.ino.ino != 0 && v.byIno[n.ino] == n {
		delete(v.byIno, n.ino)
	}
}

// moveLocked renames the link (op, on) to (np, nn), replacing what was there.
func (v *VFS) moveLocked(op *node, on string, np *node, nn string) {
	n := op.children[on]
	if n == nil || op == np && on == nn {
		return
	}
	if np.children[nn] == n {
		// Two hard links of one object: rename(2) leaves both names, and
		// the kernel drops its entry for the old one; so do we (a lookup
		// brings it back, so op no longer knows all its names).
		v.unlinkLocked(op, on)
		op.complete = false
		return
	}
	if np.children[nn] != nil {
		v.unlinkLocked(np, nn)
	}
	delete(op.children, on)
	for i, l := range n.links {
		if l.parent == op && l.name == on {
			n.links[i] = link{np, nn}
			break
		}
	}
	if np.children == nil {
		np.children = make(map[string]*node)
	}
	np.children[nn] = n
	v.staleLocked(n)         // ctime changes
	v.dropIfUnusedLocked(op) // it may have been kept for n alone
}

// exchangeLocked swaps the objects named (a, an) and (b, bn).
func (v *VFS) exchangeLocked(a *node, an string, b *node, bn string) {
	x, y := a.children[an], b.children[bn]
	delete(a.children, an)
	delete(b.children, bn)
	relink := func(n *node, fromP *node, fromN string, toP *node, toN string) {
		if n == nil {
			return
		}
		for i, l := range n.links {
			if l.parent == fromP && l.name == fromN {
				n.links[i] = link{toP, toN}
			}
		}
		if toP.children == nil {
			toP.children = make(map[string]*node)
		}
		toP.children[toN] = n
		v.staleLocked(n)
	}
	relink(x, a, an, b, bn)
	relink(y, b, bn, a, an)
}

// attrOfLocked returns n's cached attributes as the kernel should see them.
func (v *VFS) attrOfLocked(n *node) Attr {
	a := n.attr
	if !v.feat.StableIno || a.Ino == 0 {
		a.Ino = n.id
	}
	return Attr{Attr: a, Timeout: v.opts.AttrTimeout}
}

// written drops n's cached attributes after a write to it. A write adds
// no security.capability (the kernel asks before every write, to remove
// one), so that stays known absent.
func (v *VFS) written(n *node) {
	v.mu.Lock()
	v.staleLocked(n)
	v.noteChange()
	v.mu.Unlock()
}

// invalidate drops n's cached attributes after a change to it.
func (v *VFS) invalidate(n *node) {
	v.mu.Lock()
	v.staleLocked(n)
	n.noCapExp = time.Time{}
	v.noteChange()
	v.mu.Unlock()
}

// Forget drops count kernel references to node id (the kernel's nlookup).
// A node with no references and no open handles is dropped and its id is
// never used again. The root is never dropped.
func (v *VFS) Forget(id, count uint64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	n, ok := v.nodes[id]
	if !ok || id == RootID {
		return
	}
	if count >= n.lookups {
		n.lookups = 0
	} else {
		n.lookups -= count
	}
	v.dropIfUnusedLocked(n)
}

// LinkedAt reports whether node id is known to be linked at path p under
// any of its names, as this VFS last saw it. Path-based drivers use it to
// check a cached path → node binding that another mounting point of the
// same VFS may have changed.
func (v *VFS) LinkedAt(id uint64, p string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	n, ok := v.nodes[id]
	return ok && v.linkedAtLocked(n, p)
}

// linkedAtLocked matches p against n's names from the last component up,
// without building a path (every cached path-based operation asks).
func (v *VFS) linkedAtLocked(n *node, p string) bool {
	if n.id == RootID {
		return p == "/" || p == ""
	}
	for _, l := range n.links {
		cut := len(p) - len(l.name) - 1
		if cut >= 0 && p[cut] == '/' && p[cut+1:] == l.name && v.linkedAtLocked(l.parent, p[:cut]) {
			return true
		}
	}
	return false
}
