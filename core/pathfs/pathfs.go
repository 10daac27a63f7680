package pathfs

import (
	"context"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/sdk"
)

// NoHandle is the handle number that says a call has no open handle
// (cgofuse passes ^uint64(0)).
const NoHandle = ^uint64(0)

// maxCached bounds the path cache; past it, expired paths are dropped
// first and then everything.
const maxCached = 1 << 14

// FS is a path-addressed view of one VFS. Its methods are safe to call
// from many goroutines.
type FS struct {
	v *vfs.VFS

	mu      sync.Mutex
	paths   map[string]cached // cleaned path → node, one lookup reference each
	handles map[uint64]uint64 // open handle → node id
	pins    map[uint64]int    // node → calls using it through a cached path
	unpin   map[uint64]uint64 // node → references to forget when its last pin goes
	epoch   uint64            // bumped by every drop: a lookup racing it is not cached
	now     func() time.Time
}

type cached struct {
	id      uint64
	expires time.Time
}

// New returns an FS serving v. The caller registers it as v's invalidator
// (v.SetInvalidator) for as long as it is mounted, and calls Close when
// done.
func New(v *vfs.VFS) *FS {
	return &FS{
		v: v, paths: make(map[string]cached), handles: make(map[uint64]uint64),
		pins: make(map[uint64]int), unpin: make(map[uint64]uint64), now: time.Now,
	}
}

// VFS returns the VFS the FS serves.
func (f *FS) VFS() *vfs.VFS { return f.v }

// Close drops every cached path (the VFS's lookup references with them).
// Handles still open stay valid in the VFS.
func (f *FS) Close() {
	var forget []uint64
	f.mu.Lock()
	for _, c := range f.paths {
		forget = f.releaseLocked(forget, c.id)
	}
	f.paths = make(map[string]cached)
	f.epoch++
	f.mu.Unlock()
	f.forget(forget)
}

// releaseLocked gives back the cache's reference on node id: at once
// (appended to forget, for the caller to pass to f.forget once f.mu is
// released), or when the last call using id through the cache is done.
func (f *FS) releaseLocked(forget []uint64, id uint64) []uint64 {
	if f.pins[id] > 0 {
		f.unpin[id]++
		return forget
	}
	return append(forget, id)
}

// forget gives one VFS lookup reference back per id.
func (f *FS) forget(ids []uint64) {
	for _, id := range ids {
		f.v.Forget(id, 1)
	}
}

// Cached returns how many paths are cached (for tests and statistics).
func (f *FS) Cached() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.paths)
}

// clean turns a driver's path into the cache's form: "/" or "/a/b", with
// no empty, "." or ".." components left.
func clean(p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("empty path: %w", sdk.ErrNotExist)
	}
	p = strings.ReplaceAll(p, "\\", "/")
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return path.Clean(p), nil
}

// split returns the parent path and the last component of a clean path.
func split(p string) (parent, name string, err error) {
	if p == "/" {
		return "", "", fmt.Errorf("the root has no parent: %w", sdk.ErrInvalid)
	}
	i := strings.LastIndexByte(p, '/')
	parent = p[:i]
	if parent == "" {
		parent = "/"
	}
	return parent, p[i+1:], nil
}

// ref is a resolved path: a node id, the attributes a fresh lookup just
// returned (nil when the node came from the cache), and what keeps the
// node alive until done: a lookup reference of the caller's own (owned),
// or a pin on the cache's reference (pinned), which a concurrent drop
// then leaves in place until the call is done.
type ref struct {
	id     uint64
	attr   *vfs.Attr
	owned  bool
	pinned bool
}

func (f *FS) done(r ref) {
	switch {
	case r.owned:
		f.v.Forget(r.id, 1)
	case r.pinned:
		f.mu.Lock()
		f.pins[r.id]--
		var n uint64
		if f.pins[r.id] <= 0 {
			delete(f.pins, r.id)
			n = f.unpin[r.id]
			delete(f.unpin, r.id)
		}
		f.mu.Unlock()
		if n > 0 {
			f.v.Forget(r.id, n)
		}
	}
}

// resolve finds the node at clean path p.
func (f *FS) resolve(ctx context.Context, p string) (ref, error) {
	if p == "/" {
		return ref{id: vfs.RootID}, nil
	}
	now := f.now()
	f.mu.Lock()
	c, ok := f.paths[p]
	epoch := f.epoch
	if ok && now.Before(c.expires) {
		f.pins[c.id]++
		f.mu.Unlock()
		r := ref{id: c.id, pinned: true}
		// Another mounting point of the VFS (another FS) may have removed
		// or renamed the node since: the binding must still hold.
		if f.v.LinkedAt(c.id, p) {
			f.v.NoteCache(vfs.CachePath, true)
			return r, nil
		}
		f.done(r)
		f.drop(p)
		f.mu.Lock()
		epoch = f.epoch
	}
	f.mu.Unlock()
	parentPath, name, err := split(p)
	if err != nil {
		return ref{}, err
	}
	parent, err := f.resolve(ctx, parentPath)
	if err != nil {
		return ref{}, err
	}
	f.v.NoteCache(vfs.CachePath, false)
	e, err := f.v.Lookup(ctx, parent.id, name)
	f.done(parent)
	if err != nil {
		if ok { // gone, or no longer reachable: drop the stale binding
			f.drop(p)
		}
		return ref{}, err
	}
	attr := e.Attr
	if f.store(p, e, epoch, true) {
		return ref{id: e.ID, attr: &attr, pinned: true}, nil
	}
	return ref{id: e.ID, attr: &attr, owned: true}, nil
}

// store caches the lookup reference of e under p, unless a drop happened
// since epoch was read; it reports whether the cache took the reference.
// With pin, a taken reference is pinned for the caller (see ref).
func (f *FS) store(p string, e vfs.Entry, epoch uint64, pin bool) bool {
	if e.EntryTimeout <= 0 {
		return false
	}
	now := f.now()
	var forget []uint64
	f.mu.Lock()
	if f.epoch != epoch {
		f.mu.Unlock()
		return false
	}
	if old, ok := f.paths[p]; ok {
		forget = f.releaseLocked(forget, old.id)
	}
	if len(f.paths) >= maxCached {
		for k, c := range f.paths {
			if !now.Before(c.expires) {
				forget = f.releaseLocked(forget, c.id)
				delete(f.paths, k)
			}
		}
		if len(f.paths) >= maxCached {
			for _, c := range f.paths {
				forget = f.releaseLocked(forget, c.id)
			}
			f.paths = make(map[string]cached)
		}
	}
	f.paths[p] = cached{id: e.ID, expires: now.Add(e.EntryTimeout)}
	if pin {
		f.pins[e.ID]++
	}
	f.mu.Unlock()
	f.forget(forget)
	return true
}

// drop forgets clean path p and every cached path beneath it.
func (f *FS) drop(p string) {
	prefix := p + "/"
	if p == "/" {
		prefix = "/"
	}
	var forget []uint64
	f.mu.Lock()
	f.epoch++
	for k, c := range f.paths {
		if k == p || strings.HasPrefix(k, prefix) {
			forget = f.releaseLocked(forget, c.id)
			delete(f.paths, k)
		}
	}
	f.mu.Unlock()
	f.forget(forget)
}

// resolvePath cleans and resolves a driver's path.
func (f *FS) resolvePath(ctx context.Context, p string) (ref, error) {
	cp, err := clean(p)
	if err != nil {
		return ref{}, err
	}
	return f.resolve(ctx, cp)
}

// resolveParent cleans p and resolves its parent directory; it returns
// the clean path and the last component too.
func (f *FS) resolveParent(ctx context.Context, p string) (parent ref, cp, name string, err error) {
	cp, err = clean(p)
	if err != nil {
		return ref{}, "", "", err
	}
	pp, name, err := split(cp)
	if err != nil {
		return ref{}, "", "", err
	}
	parent, err = f.resolve(ctx, pp)
	return parent, cp, name, err
}

// keep caches a new entry (from create, mkdir, link, ...) under cp, or
// gives its lookup reference back.
func (f *FS) keep(cp string, e vfs.Entry) {
	f.mu.Lock()
	epoch := f.epoch
	f.mu.Unlock()
	if !f.store(cp, e, epoch, false) {
		f.v.Forget(e.ID, 1)
	}
}

// handleNode returns the node of open handle fh.
func (f *FS) handleNode(fh uint64) (uint64, bool) {
	if fh == NoHandle {
		return 0, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.handles[fh]
	return id, ok
}

func (f *FS) addHandle(fh, id uint64) {
	f.mu.Lock()
	f.handles[fh] = id
	f.mu.Unlock()
}

func (f *FS) removeHandle(fh uint64) {
	f.mu.Lock()
	delete(f.handles, fh)
	f.mu.Unlock()
}

// OpenHandles returns how many handles are open through the FS.
func (f *FS) OpenHandles() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.handles)
}
