package vfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// handle is one open file or directory.
type handle struct {
	node  *node
	flags sdk.OpenFlags
	dir   bool
	raw   bool           // writable, and the plugin donated the file (see VFS.rawWriters)
	ver   ContentVersion // the file's contents as the open found them (OpenVersion)
	verOK bool

	mu sync.Mutex
	bh sdk.Handle // the plugin's handle; replaced on reopen

	wmu sync.Mutex    // guards wb's contents; held across its plugin writes
	wb  *writeBuffer  // gathered writes (coalesce.go); nil when not coalescing
	gen atomic.Uint64 // the plugin generation bh was opened in
	ra  *readAhead    // prefetched reads (readahead.go); nil when not reading ahead

	// directory listing state, guarded by mu
	entries []DirEntry          // the snapshot; kernel offsets index it
	cookie  uint64              // the plugin's position after entries
	eof     bool                // the plugin said the listing ended
	epoch   uint64              // bumped when the listing restarts (rewind, reopen)
	skip    map[string]struct{} // after a reopen: names already in entries
}

func (h *handle) backend() sdk.Handle {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.bh
}

// DirEntry is one entry of a directory listing.
type DirEntry struct {
	Name string
	Mode fs.FileMode // type bits
	Ino  uint64      // for d_ino: the plugin's number, or 0 if unknown
	// Attr is what the plugin's listing said of the entry
	// (sdk.DirEntry.Attr), as it said it (Ino is the plugin's number);
	// nil when it said nothing, and for "." and "..". Read only. A driver
	// hands it to the kernel through BindEntry, never directly.
	Attr *sdk.Attr

	listed *listed // when and in which state of the VFS Attr was read
}

// listed stamps a page of a plugin's listing with the state it was read in.
type listed struct {
	changes uint64    // VFS.changes before the plugin call
	gen     uint64    // the plugin's generation before the call
	at      time.Time // when the call began
}

// addHandle registers an open handle of n. a is what the open found (nil
// for a directory): with ExclusiveData, a regular file's content version
// is recorded for OpenVersion, under the same lock as the handle.
func (v *VFS) addHandle(n *node, bh sdk.Handle, flags sdk.OpenFlags, dir bool, a *sdk.Attr) uint64 {
	donated := false
	if d, ok := v.be.(fileDonor); ok && !dir {
		donated = d.File(bh) != nil
	}
	raw := donated && flags.Writable()
	h := &handle{node: n, bh: bh, flags: flags, dir: dir, raw: raw}
	if !dir && v.coalesces(flags, donated) {
		h.wb = &writeBuffer{}
	}
	if !dir && v.readsAhead(flags, donated) {
		h.ra = &readAhead{eof: -1}
	}
	h.gen.Store(v.generation())
	if a != nil && v.feat.ExclusiveData && a.Mode.IsRegular() {
		h.ver, h.verOK = contentVersion(*a), true
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.nextFH++
	v.handles[v.nextFH] = h
	n.open++
	if raw {
		v.rawWriters++
		n.raw++
	}
	return v.nextFH
}

func (v *VFS) handle(fh uint64) (*handle, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	h, ok := v.handles[fh]
	if !ok {
		return nil, fmt.Errorf("handle %d: %w", fh, sdk.ErrBadHandle)
	}
	return h, nil
}

// withHandle runs op on h's plugin handle; if the plugin restarted since
// the handle was opened, it reopens the node by path and runs op again.
func (v *VFS) withHandle(ctx context.Context, h *handle, op func(sdk.Handle) error) error {
	bh := h.backend()
	err := op(bh)
	if !errors.Is(err, sdk.ErrStale) {
		return err
	}
	nbh, rerr := v.reopen(ctx, h, bh)
	if rerr != nil {
		return sdk.NewError(sdk.CodeIO, fmt.Sprintf("reopen after plugin restart: %v", rerr))
	}
	return op(nbh)
}

// reopen replaces h's plugin handle stale (unless another goroutine did).
func (v *VFS) reopen(ctx context.Context, h *handle, stale sdk.Handle) (sdk.Handle, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.bh != stale {
		return h.bh, nil
	}
	v.mu.Lock()
	path, err := v.pathLocked(h.node)
	v.mu.Unlock()
	if err != nil {
		return 0, err
	}
	var nbh sdk.Handle
	if h.dir {
		nbh, err = v.be.OpenDir(ctx, path)
		if err == nil {
			h.resumeLocked()
		}
	} else {
		nbh, _, err = v.be.Open(ctx, path, backendFlags(h.flags)&^(sdk.Create|sdk.Exclusive|sdk.Truncate), 0)
	}
	if err != nil {
		return 0, err
	}
	_ = v.be.Release(context.WithoutCancel(ctx), stale) // forgets the stale number
	h.bh = nbh
	h.gen.Store(v.generation())
	return nbh, nil
}

// backendFlags are the flags the plugin's handle is opened with. Append is
// dropped: the kernel already places appending writes at the end of file,
// and it also writes mmap'd pages back through whichever handle is open for
// writing, at their own offsets, which an appending handle would move.
func backendFlags(f sdk.OpenFlags) sdk.OpenFlags { return f &^ sdk.Append }

// Open opens node id with flags and returns a host file handle, valid
// until Release. Writing flags on a read-only volume fail with
// ErrReadOnly. The node is opened by its current path; Create and
// Exclusive are ignored (the file exists).
func (v *VFS) Open(ctx context.Context, id uint64, flags sdk.OpenFlags) (uint64, error) {
	if flags.Writable() || flags&sdk.Truncate != 0 {
		if err := v.mutable(v.feat.Write, sdk.ErrReadOnly); err != nil {
			return 0, err
		}
	}
	n, path, err := v.nodePath(id)
	if err != nil {
		return 0, err
	}
	v.flushNode(ctx, n) // another opener sees what was written
	st := v.stamp()
	bh, a, err := v.be.Open(ctx, path, backendFlags(flags)&^(sdk.Create|sdk.Exclusive), 0)
	if flags&sdk.Truncate != 0 {
		defer v.noteChange()
	}
	if err != nil {
		return 0, err
	}
	v.mu.Lock()
	if flags&sdk.Truncate != 0 {
		v.staleLocked(n) // a change to n, as for Setattr
	}
	v.fillLocked(n, a, st)
	v.mu.Unlock()
	return v.addHandle(n, bh, flags, false, &a), nil
}

// Create creates (or, without Exclusive, opens) regular file name in
// parent and opens it.
func (v *VFS) Create(ctx context.Context, parent uint64, name string, flags sdk.OpenFlags, mode fs.FileMode) (Entry, uint64, error) {
	var bh sdk.Handle
	e, err := v.create(ctx, parent, name, v.feat.Write, flags&sdk.Exclusive != 0, func(ctx context.Context, path string) (sdk.Attr, error) {
		h, a, err := v.be.Open(ctx, path, backendFlags(flags)|sdk.Create, sdk.PermMode(mode))
		bh = h
		return a, err
	})
	if err != nil {
		return Entry{}, 0, err
	}
	v.mu.Lock()
	n := v.nodes[e.ID]
	if flags&sdk.Truncate != 0 && flags&sdk.Exclusive == 0 {
		// It may have truncated a file that existed: a change to n, as
		// for Open with O_TRUNC (prefetched bytes and fills that raced
		// it are void). The attributes just bound are the call's own,
		// after the truncation, and stay.
		n.mods++
	}
	v.mu.Unlock()
	return e, v.addHandle(n, bh, flags, false, &e.Attr.Attr), nil
}

// Read reads into dest at off from handle fh and returns how many bytes
// it read (fewer only at end of file). A stale plugin handle is reopened
// once (see Plugin restarts).
func (v *VFS) Read(ctx context.Context, fh uint64, dest []byte, off int64) (int, error) {
	h, err := v.handle(fh)
	if err != nil {
		return 0, err
	}
	v.flushNode(ctx, h.node) // reads see buffered writes
	if h.ra != nil {
		return v.readAheadRead(ctx, h, dest, off)
	}
	var n int
	err = v.withHandle(ctx, h, func(bh sdk.Handle) error {
		var e error
		n, e = v.be.Read(ctx, bh, dest, off)
		return e
	})
	return n, err
}

// Write writes data at off through handle fh and returns how many bytes
// it wrote. Appending handles write at the offset given: the kernel has
// already placed the write at end of file.
func (v *VFS) Write(ctx context.Context, fh uint64, data []byte, off int64) (int, error) {
	if err := v.mutable(v.feat.Write, sdk.ErrReadOnly); err != nil {
		return 0, err
	}
	h, err := v.handle(fh)
	if err != nil {
		return 0, err
	}
	if h.wb != nil {
		return v.bufferWrite(ctx, h, data, off)
	}
	return v.writeThrough(ctx, h, data, off)
}

// Flush is called on each close(2) of a descriptor of fh: it sends fh's
// gathered writes, reports a delayed write's failure, and calls the
// plugin's Flush if it has one.
func (v *VFS) Flush(ctx context.Context, fh uint64) error {
	h, err := v.handle(fh)
	if err != nil {
		return err
	}
	if err := v.flushHandle(ctx, h); err != nil || !v.feat.Flush {
		return err
	}
	if h.flags.Writable() {
		defer v.noteChange() // a plugin may store the file now
	}
	return v.withHandle(ctx, h, func(bh sdk.Handle) error { return v.be.(sdk.Flusher).Flush(ctx, bh) })
}

// Fsync makes fh's data durable (fsync and fdatasync with dataOnly):
// it sends fh's gathered writes, then calls the plugin's Fsync if it has
// one (never for directories).
func (v *VFS) Fsync(ctx context.Context, fh uint64, dataOnly bool) error {
	h, err := v.handle(fh)
	if err != nil {
		return err
	}
	if err := v.flushHandle(ctx, h); err != nil || !v.feat.Fsync {
		return err
	}
	if h.dir {
		return nil // directories: the plugin's namespace changes are durable as it returns
	}
	if h.flags.Writable() {
		defer v.noteChange()
	}
	return v.withHandle(ctx, h, func(bh sdk.Handle) error { return v.be.(sdk.Fsyncer).Fsync(ctx, bh, dataOnly) })
}

// Release closes fh (a file or directory handle) and its plugin handle.
// The plugin is called even if ctx is cancelled; a plugin handle that died
// with a plugin restart is not an error.
func (v *VFS) Release(ctx context.Context, fh uint64) error {
	var werr error // a delayed write's failure, reported here at the latest
	if h, err := v.handle(fh); err == nil {
		werr = v.flushHandle(context.WithoutCancel(ctx), h)
	}
	v.mu.Lock()
	h, ok := v.handles[fh]
	if ok {
		delete(v.handles, fh)
		h.node.open--
		if h.raw {
			v.rawWriters--
			if h.node.raw--; h.node.raw == 0 {
				v.staleLocked(h.node) // its writes bypassed the VFS
			}
		}
		v.dropIfUnusedLocked(h.node)
	}
	v.mu.Unlock()
	if !ok {
		return fmt.Errorf("handle %d: %w", fh, sdk.ErrBadHandle)
	}
	v.stopReadAhead(h)
	var po *sdk.PostOp
	st := v.stamp()
	v.mu.Lock()
	mods := h.node.mods
	v.mu.Unlock()
	if h.flags.Writable() {
		defer v.noteChange() // a plugin may store the file now
		// Its writes made the attributes stale: bring them back with the
		// release, for the metadata cache.
		if po = v.postOp(); po != nil {
			po.ReleasePath, _ = v.pathOf(h.node)
		}
	}
	err := v.be.Release(sdk.WithPostOp(context.WithoutCancel(ctx), po), h.backend())
	if errors.Is(err, sdk.ErrStale) || errors.Is(err, sdk.ErrUnavailable) {
		return werr // its plugin is gone, and the handle with it
	}
	if err == nil && po != nil && po.Self != nil {
		v.mu.Lock()
		if h.node.raw == 0 && len(h.node.links) > 0 {
			v.fillNodeLocked(h.node, *po.Self, st, mods)
		}
		v.mu.Unlock()
	}
	if werr != nil {
		return werr
	}
	return err
}

// OpenDir opens directory id for listing (see ReadDir) and returns a host
// handle, closed by Release.
func (v *VFS) OpenDir(ctx context.Context, id uint64) (uint64, error) {
	n, path, err := v.nodePath(id)
	if err != nil {
		return 0, err
	}
	bh, err := v.be.OpenDir(ctx, path)
	if err != nil {
		return 0, err
	}
	return v.addHandle(n, bh, sdk.ReadOnly, true, nil), nil
}

// dirPageSize is how many entries the VFS asks the plugin for at once.
const dirPageSize = 512

// ReadDir returns the entries of directory handle fh from index from on
// ("." and ".." are entries 0 and 1), fetching more from the plugin as
// needed. An empty result means the listing is complete; the result is
// shared with the VFS and must not be modified. The listing is a
// snapshot that grows as the kernel reads on, so an index keeps naming the
// same entry (telldir/seekdir); from 0 starts a fresh snapshot (rewinddir).
// Entries carry the attributes the plugin listed, if any (see BindEntry).
func (v *VFS) ReadDir(ctx context.Context, fh uint64, from int) ([]DirEntry, error) {
	h, err := v.handle(fh)
	if err != nil {
		return nil, err
	}
	if !h.dir {
		return nil, fmt.Errorf("handle %d is not a directory: %w", fh, sdk.ErrNotDir)
	}
	if from < 0 {
		return nil, fmt.Errorf("directory offset %d: %w", from, sdk.ErrInvalid)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if from == 0 || h.entries == nil {
		h.rewindLocked(v.dots(h.node))
	}
	for from >= len(h.entries) && !h.eof {
		epoch, cookie := h.epoch, h.cookie
		h.mu.Unlock()
		page, stamp, err := v.dirPage(ctx, h)
		h.mu.Lock()
		if err != nil {
			return nil, err
		}
		if h.epoch != epoch || h.cookie != cookie {
			continue // restarted or advanced meanwhile: the page is stale
		}
		h.addPageLocked(page, stamp)
	}
	if from >= len(h.entries) {
		return nil, nil
	}
	n := len(h.entries)
	return h.entries[from:n:n], nil // shared, never written again: read only
}

// dirPage fetches the page after h's current cookie, stamped with the
// state of the VFS before the call. If the plugin restarted, the handle is
// reopened and the page fetched again from the restarted listing's cookie.
func (v *VFS) dirPage(ctx context.Context, h *handle) ([]sdk.DirEntry, *listed, error) {
	stamp := &listed{changes: v.changes.Load(), gen: v.generation(), at: time.Now()}
	var page []sdk.DirEntry
	err := v.withHandle(ctx, h, func(bh sdk.Handle) error {
		h.mu.Lock()
		cookie := h.cookie
		h.mu.Unlock()
		var e error
		page, e = v.be.ReadDir(ctx, bh, cookie, dirPageSize)
		return e
	})
	return page, stamp, err
}

// addPageLocked appends a page of the plugin's listing to the snapshot.
func (h *handle) addPageLocked(page []sdk.DirEntry, stamp *listed) {
	if len(page) == 0 {
		h.eof, h.skip = true, nil
		return
	}
	for _, e := range page {
		if _, dup := h.skip[e.Name]; dup {
			continue
		}
		h.entries = append(h.entries, DirEntry{Name: e.Name, Mode: e.Mode.Type(), Ino: e.Ino, Attr: e.Attr, listed: stamp})
	}
	h.cookie = page[len(page)-1].Cookie
}

// rewindLocked starts a fresh snapshot holding only dots.
func (h *handle) rewindLocked(dots []DirEntry) {
	h.entries, h.cookie, h.eof, h.skip = dots, 0, false, nil
	h.epoch++
}

// resumeLocked restarts the plugin's listing after a reopen, keeping what
// the kernel has seen: the entries already in the snapshot keep their
// offsets and are not listed twice; the rest follows them.
func (h *handle) resumeLocked() {
	h.skip = make(map[string]struct{}, len(h.entries))
	for _, e := range h.entries {
		h.skip[e.Name] = struct{}{}
	}
	h.cookie, h.eof = 0, false
	h.epoch++
}

// RewindDir starts directory handle fh's listing afresh.
func (v *VFS) RewindDir(fh uint64) {
	h, err := v.handle(fh)
	if err != nil || !h.dir {
		return
	}
	dots := v.dots(h.node)
	h.mu.Lock()
	h.rewindLocked(dots)
	h.mu.Unlock()
}

// dots returns "." and ".." of directory n with their inode numbers.
func (v *VFS) dots(n *node) []DirEntry {
	v.mu.Lock()
	defer v.mu.Unlock()
	parent := n
	if len(n.links) > 0 {
		parent = n.links[0].parent
	}
	return []DirEntry{
		{Name: ".", Mode: fs.ModeDir, Ino: v.attrOfLocked(n).Ino},
		{Name: "..", Mode: fs.ModeDir, Ino: v.attrOfLocked(parent).Ino},
	}
}

// BindEntry makes entry e of directory handle fh's listing, as ReadDir
// returned it, a kernel entry the way Lookup does, but from the
// attributes the listing carried instead of a plugin call: the name joins
// its node (a hard link joins the node of its other names, as with
// Lookup) and the node gains one kernel reference, released by Forget.
//
// It reports false, and changes nothing, when those attributes cannot be
// trusted as a fresh Lookup's answer: the plugin listed none (and never
// for "." and ".."); a change has gone through the VFS, or been reported
// by the plugin, since they were read; the plugin restarted since; they
// are older than the attribute timeout (at least a second); a donated
// file is open for writing (its writes may bypass the VFS); or the
// directory has been removed. The driver then hands the kernel the name
// alone, and the kernel looks it up when it needs it.
//
// A driver calls it only for an entry it has already placed in its reply,
// so that every reference taken reaches the kernel (READDIRPLUS: the
// kernel takes one reference for every entry with a node id in a reply).
func (v *VFS) BindEntry(fh uint64, e DirEntry) (Entry, bool) {
	st := e.listed
	if e.Attr == nil || st == nil || e.Name == "" || e.Name == "." || e.Name == ".." || strings.ContainsRune(e.Name, '/') {
		return Entry{}, false
	}
	if time.Since(st.at) > max(v.opts.AttrTimeout, time.Second) {
		return Entry{}, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	h := v.handles[fh]
	if h == nil || !h.dir || v.rawWriters > 0 || v.changes.Load() != st.changes || v.generation() != st.gen {
		return Entry{}, false
	}
	if c := h.node.children[e.Name]; c != nil && c.dirty > 0 {
		return Entry{}, false // its size is in a write buffer
	}
	if _, err := v.pathLocked(h.node); err != nil {
		return Entry{}, false // an unlinked directory: Lookup would fail
	}
	return v.bindLocked(h.node, e.Name, *e.Attr, readStamp{changes: st.changes, at: st.at}, false), true
}
