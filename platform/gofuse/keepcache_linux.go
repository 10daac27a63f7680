package gofuse

import (
	"sync"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/plugfs/plugfs/core/vfs"
)

// keepCache decides FOPEN_KEEP_CACHE for one kernel mount. It remembers,
// per node, the content version the mount last opened the file at: the
// kernel's page cache of that inode holds that version (writes through
// this mount go through the page cache too, and change the version, so
// the next open drops the pages once). Another mount of the same volume
// has its own page cache and its own keepCache.
type keepCache struct {
	mu  sync.Mutex
	ver map[uint64]vfs.ContentVersion
}

// open sets FOPEN_KEEP_CACHE on out when node's cached pages are current,
// and records the version fh was opened at. Files the kernel reads
// through passthrough keep no FUSE page cache of their own.
func (k *keepCache) open(fs *vfs.VFS, node, fh uint64, out *fuse.OpenOut) {
	ver, ok := fs.OpenVersion(fh)
	k.mu.Lock()
	defer k.mu.Unlock()
	if !ok || out.OpenFlags&fuse.FOPEN_PASSTHROUGH != 0 {
		delete(k.ver, node)
		return
	}
	if k.ver == nil {
		k.ver = make(map[uint64]vfs.ContentVersion)
	}
	old, had := k.ver[node]
	hit := had && old == ver
	if hit {
		out.OpenFlags |= fuse.FOPEN_KEEP_CACHE
	}
	k.ver[node] = ver
	fs.NoteCache(vfs.CachePage, hit)
}

// forget drops what is known of node: the kernel evicted its inode, and
// its page cache with it.
func (k *keepCache) forget(node uint64) {
	k.mu.Lock()
	delete(k.ver, node)
	k.mu.Unlock()
}
