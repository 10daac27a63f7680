package vfs

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// RootID is the node id of the volume's root directory.
const RootID uint64 = 1

// Options tune the VFS.
type Options struct {
	// EntryTimeout is how long the kernel may cache a name → node binding.
	// Default 1s.
	EntryTimeout time.Duration
	// AttrTimeout is how long the kernel may cache
	// attributes. Default 1s.
	AttrTimeout time.Duration
	// NegativeTimeout is how long the kernel may cache that a name does
	// not exist. Default 0: another process changing the plugin's data
	// must not be hidden.
	NegativeTimeout time.Duration
	// NoKeepCache makes the kernel drop a file's cached pages at every
	// open even when the plugin declares sdk.Declared.ExclusiveData.
	NoKeepCache bool
	// OnCache, if set, is told of every hit and miss of the caches that
	// save plugin calls (see NoteCache).
	OnCache func(cache string, hit bool)
	// ReadOnly refuses every change with sdk.ErrReadOnly.
	ReadOnly bool
	// NoWriteCoalesce sends every write of a file the plugin did not
	// donate to the plugin as it comes, instead of gathering sequential
	// writes into calls of up to MaxIO (see coalesce.go).
	NoWriteCoalesce bool
	// ReadAhead makes the VFS read ahead of sequential reads of files the
	// plugin did not donate, beyond the kernel's own read-ahead (see
	// readahead.go): for plugins whose reads wait on a network or a
	// device. Off by default: with a plugin that answers from memory it
	// costs more than it saves.
	ReadAhead bool
	// CacheNodes is how many nodes the kernel has forgotten the VFS keeps
	// to answer lookups and getattrs without a plugin call while their
	// metadata is fresh (see the package doc). 0 means 32768; negative
	// keeps none. An EntryTimeout below 0 turns the cache off.
	CacheNodes int
}

func (o Options) withDefaults() Options {
	if o.EntryTimeout == 0 {
		o.EntryTimeout = time.Second
	}
	if o.AttrTimeout == 0 {
		o.AttrTimeout = time.Second
	}
	if o.EntryTimeout < 0 {
		o.EntryTimeout = 0
	}
	if o.AttrTimeout < 0 {
		o.AttrTimeout = 0
	}
	return o
}

// Entry is the answer to a name lookup: a node and its attributes.
type Entry struct {
	ID           uint64 // node id for the kernel
	Generation   uint64
	Attr         Attr
	EntryTimeout time.Duration
}

// Attr is a node's attributes as the kernel sees them, with how long they
// may be cached.
type Attr struct {
	sdk.Attr
	Timeout time.Duration
}

// VFS is the inode-level view of one volume.
type VFS struct {
	be   sdk.FileSystem
	feat sdk.Features
	opts Options

	mu      sync.Mutex
	nodes   map[uint64]*node
	byIno   map[inoKey]*node // plugin inode number → node, with StableIno
	nextID  uint64
	handles map[uint64]*handle
	nextFH  uint64
	lru     lruList // nodes kept for the metadata cache alone, most recent first

	invalidators map[*int]Invalidator // by SetInvalidator's key

	// changes counts the changes that have gone through the VFS (or were
	// reported by the plugin); attributes a listing carried are handed
	// to the kernel only while it is unchanged (BindEntry). Bumped under
	// mu where the node table changes with it.
	changes atomic.Uint64
	// rawWriters counts the writable handles of files the plugin donated:
	// their writes may never pass through the VFS (FUSE passthrough).
	rawWriters int
	// buffered counts the bytes all write buffers hold (coalesce.go).
	buffered atomic.Int64
	// prefetched counts the bytes all read-ahead chunks hold (readahead.go).
	prefetched atomic.Int64
	// chunks holds read-ahead buffers for reuse (*[]byte).
	chunks sync.Pool
}

// New returns a VFS serving backend, whose features are feat.
func New(backend sdk.FileSystem, feat sdk.Features, opts Options) *VFS {
	v := &VFS{
		be: backend, feat: feat, opts: opts.withDefaults(),
		nodes: make(map[uint64]*node), byIno: make(map[inoKey]*node),
		handles: make(map[uint64]*handle), nextID: RootID,
	}
	root := &node{id: RootID, lookups: 1, isDir: true}
	v.nodes[RootID] = root
	return v
}

// Features returns the plugin's features.
func (v *VFS) Features() sdk.Features { return v.feat }

// SeedRoot gives the root the attributes a, read at at from a plugin the
// host has since parked (host.Host.ParkedRoot): they are answered, as
// cached attributes, until the attribute timeout runs out or the plugin
// is woken (its generation changes), so asking for the root right after
// mounting does not start the plugin.
func (v *VFS) SeedRoot(a sdk.Attr, at time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.setAttrLocked(v.nodes[RootID], a, at, true)
}

// ReadsAhead reports whether the VFS reads ahead of sequential readers
// (Options.ReadAhead).
func (v *VFS) ReadsAhead() bool { return v.opts.ReadAhead }

// ReadOnly reports whether the volume refuses changes.
func (v *VFS) ReadOnly() bool { return v.opts.ReadOnly || v.feat.ReadOnly }

// Close releases every handle still open (a lazy unmount or a crash of
// the kernel side can leave some) and returns the errors joined.
func (v *VFS) Close(ctx context.Context) error {
	v.mu.Lock()
	hs := make([]*handle, 0, len(v.handles))
	for fh, h := range v.handles {
		hs = append(hs, h)
		delete(v.handles, fh)
	}
	v.mu.Unlock()
	var errs []error
	for _, h := range hs {
		if err := v.flushHandle(ctx, h); err != nil {
			errs = append(errs, err)
		}
		v.stopReadAhead(h)
		if err := v.be.Release(ctx, h.backend()); err != nil && !errors.Is(err, sdk.ErrUnavailable) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// OpenHandles returns how many handles are open.
func (v *VFS) OpenHandles() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.handles)
}

// Nodes returns how many nodes the kernel or an open handle refers to,
// with the directories on their paths, the root included. Nodes the
// metadata cache alone keeps are not counted (see Kept).
func (v *VFS) Nodes() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.referencedLocked()
}

// Kept returns how many nodes the VFS keeps for the metadata cache alone.
func (v *VFS) Kept() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.nodes) - v.referencedLocked()
}

func (v *VFS) referencedLocked() int {
	in := make(map[*node]bool)
	var mark func(n *node)
	mark = func(n *node) {
		if in[n] {
			return
		}
		in[n] = true
		for _, l := range n.links {
			mark(l.parent)
		}
	}
	for _, n := range v.nodes {
		if n.id == RootID || n.lookups > 0 || n.open > 0 {
			mark(n)
		}
	}
	return len(in)
}

// noteChange records that a change has completed (see VFS.changes).
func (v *VFS) noteChange() { v.changes.Add(1) }

// mutable fails with ErrReadOnly on a read-only volume and with the
// documented fallback when the plugin lacks the operation.
func (v *VFS) mutable(has bool, missing error) error {
	if v.ReadOnly() {
		return sdk.ErrReadOnly
	}
	if !has {
		return missing
	}
	return nil
}
