package vfs

import (
	"container/list"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// The metadata cache answers lookups and getattrs without a plugin call.
//
// A name's binding and a node's attributes are fresh for the entry and
// attribute timeouts after the plugin reported them, the same bound the
// kernel caches them for: answering from here never shows anything older
// than the kernel itself could. The difference is that the kernel drops
// its copy under memory pressure, at `echo 2 > drop_caches`, and after
// its own invalidations, and then asks again; the VFS keeps a bounded
// number of forgotten nodes (Options.CacheNodes, least recently used
// first out) so that asking again costs no plugin round trip.
//
// When the plugin declares ExclusiveData, names and attributes change only
// through this VFS: what it learned stays fresh until a change through
// the VFS, a change the plugin reports (VFS.Changed), or a plugin restart
// drops it. A directory the VFS has seen empty (made by Mkdir) and whose
// every child it has kept since is complete: a name missing from it does
// not exist, without asking the plugin.
//
// Attributes are cached only when no change completed while the plugin
// call that read them ran (VFS.changes), so a Getattr racing a write never
// leaves a size older than the write behind; a node with a donated file
// open for writing is never answered from the cache (its writes bypass
// the VFS), and its attributes are dropped when the last such handle
// closes.

// defaultCacheNodes is Options.CacheNodes when left 0.
const defaultCacheNodes = 32768

// farFuture stands for "until a change drops it" (ExclusiveData).
var farFuture = time.Unix(1<<62, 0)

// CacheMeta is the cache NoteCache reports on for lookups and getattrs
// answered from the metadata cache (a hit) or by the plugin (a miss).
const CacheMeta = "meta"

// cacheLimit is how many forgotten nodes the VFS keeps (0: none).
func (v *VFS) cacheLimit() int {
	switch {
	case v.opts.CacheNodes < 0 || v.opts.EntryTimeout <= 0:
		return 0
	case v.opts.CacheNodes == 0:
		return defaultCacheNodes
	}
	return v.opts.CacheNodes
}

// freshUntil is when something the plugin reported at now stops being
// fresh, for a kernel timeout of d (a zero time for d <= 0: not cached).
func (v *VFS) freshUntil(now time.Time, d time.Duration) time.Time {
	switch {
	case d <= 0:
		return time.Time{}
	case v.feat.ExclusiveData:
		return farFuture
	}
	return now.Add(d)
}

// remaining is the kernel timeout to hand out with an answer from the
// cache fresh until exp: the configured one with ExclusiveData, else what
// is left of it, so the kernel's copy expires when the plugin's report
// would have.
func (v *VFS) remaining(now, exp time.Time, d time.Duration) time.Duration {
	if v.feat.ExclusiveData {
		return d
	}
	return min(d, exp.Sub(now))
}

// readStamp is the state of the VFS when a plugin call that reads
// metadata began: what it reads may be cached only if no change completed
// while it ran.
type readStamp struct {
	changes uint64
	at      time.Time
}

// stamp returns the state of the VFS now, before a plugin call.
func (v *VFS) stamp() readStamp {
	return readStamp{changes: v.changes.Load(), at: time.Now()}
}

// fillLocked records a, read by a plugin call stamped st, as n's
// attributes; they are cached only if no change completed meanwhile.
// v.mu must be held.
func (v *VFS) fillLocked(n *node, a sdk.Attr, st readStamp) {
	v.setAttrLocked(n, a, st.at, v.changes.Load() == st.changes)
}

// setAttrLocked records a as n's attributes, read by a call that began
// at, and caches them when fresh. v.mu must be held.
func (v *VFS) setAttrLocked(n *node, a sdk.Attr, at time.Time, fresh bool) {
	n.attr = a
	n.attrGen = v.generation()
	if fresh {
		n.attrExp = v.freshUntil(at, v.opts.AttrTimeout)
		n.attrAt = at
	} else {
		// A change raced the read: not even the mode can be trusted
		// (a release's attributes read before a chmod, KilledMode).
		n.attrExp, n.attrAt = time.Time{}, time.Time{}
	}
}

// attrCachedLocked reports whether n's attributes may be answered from
// the cache at now. v.mu must be held.
func (v *VFS) attrCachedLocked(n *node, now time.Time) bool {
	return n.raw == 0 && now.Before(n.attrExp) && n.attrGen == v.generation()
}

// entryCachedLocked reports whether n's binding under its names may be
// answered from the cache at now. v.mu must be held.
func (v *VFS) entryCachedLocked(n *node, now time.Time) bool {
	return now.Before(n.entryExp) && n.entryGen == v.generation()
}

// completeLocked reports whether every name in directory p is among its
// known children. v.mu must be held.
func (v *VFS) completeLocked(p *node) bool {
	return v.feat.ExclusiveData && p.complete && p.completeGen == v.generation()
}

// lookupCached answers Lookup from the cache: ok with the entry (one more
// kernel reference), or ok with notExist when the directory is complete
// and lacks name; !ok when the plugin must be asked.
func (v *VFS) lookupCached(parent uint64, name string) (e Entry, notExist, ok bool) {
	if v.cacheLimit() == 0 {
		return Entry{}, false, false
	}
	now := time.Now()
	v.mu.Lock()
	defer v.mu.Unlock()
	p := v.nodes[parent]
	if p == nil {
		return Entry{}, false, false
	}
	n := p.children[name]
	switch {
	case n == nil && v.completeLocked(p) && len(name) <= int(sdk.DefaultStatfs.NameMax):
		// (A longer name is the plugin's to refuse: ENAMETOOLONG.)
		v.NoteCache(CacheMeta, true)
		return Entry{}, true, true
	case n == nil || !v.entryCachedLocked(n, now) || !v.attrCachedLocked(n, now):
		v.NoteCache(CacheMeta, false)
		return Entry{}, false, false
	}
	v.NoteCache(CacheMeta, true)
	n.lookups++
	v.unretainLocked(n)
	a := v.attrOfLocked(n)
	a.Timeout = v.remaining(now, n.attrExp, v.opts.AttrTimeout)
	return Entry{ID: n.id, Attr: a, EntryTimeout: v.remaining(now, n.entryExp, v.opts.EntryTimeout)}, false, true
}

// getattrCached answers Getattr from the cache when n's attributes are
// fresh. v.mu must be held.
func (v *VFS) getattrCachedLocked(n *node) (Attr, bool) {
	if v.cacheLimit() == 0 {
		return Attr{}, false
	}
	now := time.Now()
	if !v.attrCachedLocked(n, now) {
		v.NoteCache(CacheMeta, false)
		return Attr{}, false
	}
	v.NoteCache(CacheMeta, true)
	a := v.attrOfLocked(n)
	a.Timeout = v.remaining(now, n.attrExp, v.opts.AttrTimeout)
	return a, true
}

// retainLocked keeps n, which the kernel and every handle have let go
// of, in the cache while its binding is fresh, evicting the least
// recently kept nodes beyond the limit. It reports whether n was kept.
// v.mu must be held.
func (v *VFS) retainLocked(n *node) bool {
	limit := v.cacheLimit()
	if limit == 0 || len(n.links) == 0 || !v.entryCachedLocked(n, time.Now()) {
		return false
	}
	if n.lru != nil {
		v.lru.MoveToFront(n.lru)
	} else {
		n.lru = v.lru.PushFront(n)
	}
	for v.lru.Len() > limit {
		old := v.lru.Remove(v.lru.Back()).(*node)
		old.lru = nil
		v.dropLocked(old)
	}
	return true
}

// unretainLocked takes n out of the kept nodes (it is in use again).
func (v *VFS) unretainLocked(n *node) {
	if n.lru != nil {
		v.lru.Remove(n.lru)
		n.lru = nil
	}
}

// forgetCachedLocked drops what the cache knows of n: its attributes,
// its binding and, for a directory, that its children are complete.
func (v *VFS) forgetCachedLocked(n *node) {
	v.staleLocked(n)
	n.entryExp, n.complete = time.Time{}, false
	n.attrAt = time.Time{} // its mode too may have changed (KillSuidgid)
}

// staleLocked marks n's attributes stale after a change to it.
func (v *VFS) staleLocked(n *node) {
	n.attrExp = time.Time{}
	n.mods++
}

// fillNodeLocked is fillLocked for attributes of a node known before the
// call (n.mods was mods then): they are cached if no change to n
// completed meanwhile and either nothing else changed either or they
// carry n's own inode number (so a rename racing a Stat by path cannot
// give n another object's attributes). v.mu must be held.
func (v *VFS) fillNodeLocked(n *node, a sdk.Attr, st readStamp, mods uint64) {
	same := v.feat.StableIno && a.Ino != 0 && n.ino.ino == a.Ino && n.ino.gen == v.generation()
	fresh := n.mods == mods && (same || v.changes.Load() == st.changes)
	v.setAttrLocked(n, a, st.at, fresh)
}

// postOp returns a request for post-operation attributes (sdk.PostOp)
// when the cache would keep them, else nil.
func (v *VFS) postOp() *sdk.PostOp {
	if v.cacheLimit() == 0 || v.opts.AttrTimeout <= 0 {
		return nil
	}
	return &sdk.PostOp{}
}

// parentChangedLocked records that a change to a name in p, made by a
// call stamped st when p.mods was mods, succeeded: p's attributes are
// those the plugin answered with it (po.Parent) if it did and p did not
// change otherwise meanwhile (another change in p racing this one:
// whichever answer came later is not known to be the newer); otherwise
// they are stale. v.mu must be held.
func (v *VFS) parentChangedLocked(p *node, po *sdk.PostOp, st readStamp, mods uint64) {
	p.noCapExp = time.Time{}
	if po != nil && po.Parent != nil {
		v.fillNodeLocked(p, *po.Parent, st, mods)
	} else {
		p.attrExp = time.Time{}
	}
	p.mods++ // a change in p completed
}

// modsOf returns n.mods.
func (v *VFS) modsOf(n *node) uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return n.mods
}

// pathOf returns n's current path.
func (v *VFS) pathOf(n *node) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.pathLocked(n)
}

// lruList is the list type of the kept nodes.
type lruList = list.List
