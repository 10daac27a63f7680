// Package memfs is plugfs's in-memory backend: a complete POSIX file system
// (hard links, symbolic links, special files, extended attributes, sparse
// files, unlinked-but-open files) that lives as long as its process.
//
// Plugin returns it as an sdk.Plugin for sdk.Serve; New builds one directly
// for tests and embedding.
//
// # Locking
//
// FS.mu guards the namespace: every directory's entries. Each object has its
// own lock for its attributes, data and extended attributes, taken after
// FS.mu when both are needed and never two at a time. Reads and writes of
// open files take only the object's lock (and briefly the handle table's),
// so I/O on different files runs in parallel and never waits for namespace
// changes.
//
// # Storage
//
// File content is a sparse map of 64 KiB chunks; holes take no memory. The
// size limit (WithSize) counts stored bytes: written chunks, not the
// logical size of sparse files. A file's bytes are freed when its last name
// is removed and its last handle released.
//
// On Linux without a size limit, a file the host asks to be donated
// (DonateFile) moves into a memory file (memfd) for good: the kernel then
// reads and writes it directly (FUSE passthrough), and memfs takes the
// file's size, blocks and times from the memory file. A file written by
// calls moves there too once it reaches memfdAt (1 MiB).
package memfs

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// nameMax is the longest name memfs accepts, as on most Unix file systems.
const nameMax = 255

// maxLinks bounds the link count of a file.
const maxLinks = 65000

// FS is an in-memory file system. It implements sdk.FileSystem and every
// optional interface of the sdk. Its methods are safe for concurrent use.
type FS struct {
	mu   sync.RWMutex // the namespace: every directory's entries
	root *inode

	inos  atomic.Uint64 // last inode number handed out
	nodes atomic.Int64  // live objects, for Statfs
	limit int64         // maximum stored bytes; 0: unlimited
	used  atomic.Int64  // stored bytes

	hmu     sync.RWMutex
	handles map[sdk.Handle]*handle
	nextH   sdk.Handle

	mfdMu sync.Mutex
	mfds  map[*inode]struct{} // inodes whose contents are in a memory file
}

// handle is an open file or directory.
type handle struct {
	node  *inode
	flags sdk.OpenFlags
	isDir bool
}

// Option configures New.
type Option func(*config)

type config struct {
	size     int64
	rootMode fs.FileMode
	owner    sdk.Caller
}

// WithSize limits the bytes of file content the file system stores; writes
// beyond it fail with sdk.ErrNoSpace. 0 (the default) means no limit.
func WithSize(bytes int64) Option { return func(c *config) { c.size = bytes } }

// WithRootMode sets the permission bits (including setuid, setgid and
// sticky) of the root directory; the default is 0755.
func WithRootMode(m fs.FileMode) Option { return func(c *config) { c.rootMode = sdk.PermMode(m) } }

// WithRootOwner sets the uid and gid of the root directory; the default is 0/0.
func WithRootOwner(uid, gid uint32) Option {
	return func(c *config) { c.owner = sdk.Caller{Uid: uid, Gid: gid} }
}

// New returns an empty file system: a root directory and nothing else.
func New(opts ...Option) *FS {
	c := config{rootMode: 0o755}
	for _, o := range opts {
		o(&c)
	}
	f := &FS{limit: c.size, handles: make(map[sdk.Handle]*handle)}
	f.root = newInode(f.inos.Add(1), fs.ModeDir|c.rootMode, c.owner.Uid, c.owner.Gid, time.Now())
	f.nodes.Store(1)
	return f
}

// Describe implements sdk.Describer.
func (f *FS) Describe() sdk.Declared {
	return sdk.Declared{RenameNoReplace: true, RenameExchange: true, StableIno: true, ExclusiveData: true}
}

// Close implements sdk.Closer: it drops every open handle.
func (f *FS) Close(ctx context.Context) error {
	f.hmu.Lock()
	hs := f.handles
	f.handles = make(map[sdk.Handle]*handle)
	f.hmu.Unlock()
	for _, h := range hs {
		f.closeHandle(h)
	}
	return nil
}

// Statfs implements sdk.Statfser. Without a size limit it reports a 1 PiB
// volume.
func (f *FS) Statfs(ctx context.Context) (sdk.Statfs, error) {
	const bs = 4096
	total := f.limit
	if total == 0 {
		total = 1 << 50
	}
	free := max(total-f.used.Load()-f.memfdBytes(), 0)
	const files = 1 << 32
	return sdk.Statfs{
		BlockSize:   bs,
		Blocks:      uint64(total / bs),
		BlocksFree:  uint64(free / bs),
		BlocksAvail: uint64(free / bs),
		Files:       files,
		FilesFree:   uint64(max(files-f.nodes.Load(), 0)),
		NameMax:     nameMax,
	}, nil
}

// checkName validates one path element.
func checkName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return sdk.ErrInvalid
	case len(name) > nameMax:
		return sdk.ErrNameTooLong
	}
	return nil
}

// lookup resolves p to its object; f.mu must be held.
func (f *FS) lookup(p string) (*inode, error) {
	if p == "/" {
		return f.root, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, sdk.ErrInvalid
	}
	n, rest := f.root, p[1:]
	for {
		name, tail, more := strings.Cut(rest, "/")
		if err := checkName(name); err != nil {
			return nil, err
		}
		if n.dir == nil {
			return nil, sdk.ErrNotDir
		}
		if n = n.dir.lookup(name); n == nil {
			return nil, sdk.ErrNotExist
		}
		if !more {
			return n, nil
		}
		rest = tail
	}
}

// parent resolves the directory that holds p and p's last element; f.mu
// must be held. The root has no parent: ErrBusy.
func (f *FS) parent(p string) (*inode, string, error) {
	if p == "/" {
		return nil, "", sdk.ErrBusy
	}
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return nil, "", sdk.ErrInvalid
	}
	dp := "/"
	if i > 0 {
		dp = p[:i]
	}
	name := p[i+1:]
	if err := checkName(name); err != nil {
		return nil, "", err
	}
	d, err := f.lookup(dp)
	if err != nil {
		return nil, "", err
	}
	if d.dir == nil {
		return nil, "", sdk.ErrNotDir
	}
	return d, name, nil
}

// stat resolves p under the namespace read lock.
func (f *FS) stat(p string) (*inode, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.lookup(p)
}

// newChild creates an object of mode named name in directory d, owned by
// the caller in ctx (gid and setgid inherited from a setgid directory);
// f.mu must be held for writing and name must be free.
func (f *FS) newChild(ctx context.Context, d *inode, name string, mode fs.FileMode) *inode {
	c, _ := sdk.CallerFrom(ctx)
	now := time.Now()
	d.mu.Lock()
	uid, gid := c.Uid, c.Gid
	if d.mode&fs.ModeSetgid != 0 {
		gid = d.gid
		if mode.IsDir() {
			mode |= fs.ModeSetgid
		}
	}
	n := newInode(f.inos.Add(1), mode, uid, gid, now)
	d.dir.add(name, n)
	if mode.IsDir() {
		d.nlink++
	}
	d.touch(now)
	d.mu.Unlock()
	f.nodes.Add(1)
	return n
}

// unlinked drops one link of n (all links of a directory) after its name
// was removed, and frees its data when nothing refers to it any more.
func (f *FS) unlinked(n *inode, now time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.dir != nil {
		n.nlink = 0
	} else if n.nlink > 0 {
		n.nlink--
	}
	n.ctime = now
	f.freeIfUnused(n)
}

// freeIfUnused releases n's data when it has no name and no handle; n.mu
// must be held.
func (f *FS) freeIfUnused(n *inode) {
	if n.nlink == 0 && n.opens == 0 {
		f.used.Add(-n.data.release())
		f.dropMemfd(n)
		n.xattrs = nil
		f.nodes.Add(-1)
	}
}

// reserve accounts for n more stored bytes, or fails with ErrNoSpace.
func (f *FS) reserve(n int64) error {
	if n <= 0 {
		return nil
	}
	if f.limit == 0 {
		f.used.Add(n)
		return nil
	}
	for {
		u := f.used.Load()
		if u+n > f.limit {
			return sdk.ErrNoSpace
		}
		if f.used.CompareAndSwap(u, u+n) {
			return nil
		}
	}
}

// open registers a handle to n; f.mu must be held (for reading at least)
// so that n cannot be freed before its count of handles goes up.
func (f *FS) open(n *inode, flags sdk.OpenFlags, isDir bool) sdk.Handle {
	n.mu.Lock()
	n.opens++
	n.mu.Unlock()
	f.hmu.Lock()
	defer f.hmu.Unlock()
	f.nextH++
	f.handles[f.nextH] = &handle{node: n, flags: flags, isDir: isDir}
	return f.nextH
}

// handle returns the open handle h.
func (f *FS) handle(h sdk.Handle) (*handle, error) {
	f.hmu.RLock()
	hd := f.handles[h]
	f.hmu.RUnlock()
	if hd == nil {
		return nil, fmt.Errorf("memfs: handle %d: %w", h, sdk.ErrBadHandle)
	}
	return hd, nil
}

// closeHandle drops hd's reference to its object.
func (f *FS) closeHandle(hd *handle) {
	n := hd.node
	n.mu.Lock()
	n.opens--
	f.freeIfUnused(n)
	n.mu.Unlock()
}

// Release implements sdk.FileSystem.
func (f *FS) Release(ctx context.Context, h sdk.Handle) error {
	f.hmu.Lock()
	hd := f.handles[h]
	delete(f.handles, h)
	f.hmu.Unlock()
	if hd == nil {
		return fmt.Errorf("memfs: release %d: %w", h, sdk.ErrBadHandle)
	}
	f.closeHandle(hd)
	return nil
}

// pathErr wraps err with the operation and path.
func pathErr(op, p string, err error) error {
	return fmt.Errorf("memfs: %s %s: %w", op, p, err)
}

// Every operation plugfs knows is implemented, but Flush (no work to do:
// see file.go).
var (
	_ sdk.FileSystem   = (*FS)(nil)
	_ sdk.Writer       = (*FS)(nil)
	_ sdk.Setattrer    = (*FS)(nil)
	_ sdk.Mkdirer      = (*FS)(nil)
	_ sdk.Remover      = (*FS)(nil)
	_ sdk.Renamer      = (*FS)(nil)
	_ sdk.Symlinker    = (*FS)(nil)
	_ sdk.Readlinker   = (*FS)(nil)
	_ sdk.Linker       = (*FS)(nil)
	_ sdk.Mknoder      = (*FS)(nil)
	_ sdk.Statfser     = (*FS)(nil)
	_ sdk.Xattrer      = (*FS)(nil)
	_ sdk.HandleStater = (*FS)(nil)
	_ sdk.Describer    = (*FS)(nil)
	_ sdk.Closer       = (*FS)(nil)
	_ sdk.FileDonor    = (*FS)(nil)
	_ sdk.Fsyncer      = (*FS)(nil)
)
