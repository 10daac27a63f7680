package memfs

import (
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// inode is one file system object. Its attributes, data and xattrs are
// guarded by mu; its directory entries (for a directory) by FS.mu. atime is
// atomic so that readers, which hold mu only for reading, can update it.
type inode struct {
	ino uint64

	mu    sync.RWMutex
	mode  fs.FileMode
	nlink uint32
	uid   uint32
	gid   uint32
	rdev  uint32
	mtime time.Time
	ctime time.Time
	btime time.Time
	atime atomic.Int64 // unix nanoseconds
	size  int64        // regular files: logical size; symlinks: len(target)
	data  chunks       // regular files only
	mfd   *os.File     // regular files whose contents moved to a memory file (DonateFile); then data is empty
	// kmtime and kctime are the memory file's mtime and ctime as memfs
	// left them after its own last change of it: when the memory file's
	// differ, the kernel wrote it since (see attrLocked).
	kmtime, kctime time.Time
	target         string // symlinks only
	xattrs         map[string][]byte
	opens          int // open handles, so an unlinked file's data lives until the last release

	dir *dir // directories only; guarded by FS.mu
}

// newInode returns an inode with all timestamps set to now.
func newInode(ino uint64, mode fs.FileMode, uid, gid uint32, now time.Time) *inode {
	n := &inode{ino: ino, mode: mode, nlink: 1, uid: uid, gid: gid, mtime: now, ctime: now, btime: now}
	n.atime.Store(now.UnixNano())
	if mode.IsDir() {
		n.nlink = 2
		n.dir = newDir()
	}
	return n
}

// attrLocked returns the attributes of n; n.mu must be held.
func (n *inode) attrLocked() sdk.Attr {
	a := sdk.Attr{
		Ino:   n.ino,
		Size:  uint64(n.size),
		Mode:  n.mode,
		Nlink: n.nlink,
		Uid:   n.uid,
		Gid:   n.gid,
		Rdev:  n.rdev,
		Atime: time.Unix(0, n.atime.Load()),
		Mtime: n.mtime,
		Ctime: n.ctime,
		Btime: n.btime,
	}
	switch {
	case n.mode.IsDir():
		a.Size = 4096
		a.Blocks = 8
	case n.mode.IsRegular():
		a.Blocks = uint64(n.data.stored+511) / 512
	}
	if n.mfd != nil {
		// The kernel writes the memory file directly: its size is the
		// file's. Its times come from the kernel's coarse clock, memfs's
		// from Go's: while the memory file's mtime and ctime are as memfs
		// left them, memfs's own times stand; once the kernel has written
		// the file, they move past memfs's (never back).
		if st, err := statMemfd(n.mfd); err == nil {
			a.Size, a.Blocks = uint64(st.size), uint64(st.blocks)
			a.Atime = later(a.Atime, st.atime)
			if !st.mtime.Equal(n.kmtime) || !st.ctime.Equal(n.kctime) {
				a.Mtime = later(st.mtime, n.mtime.Add(time.Nanosecond))
				a.Ctime = later(st.ctime, n.ctime.Add(time.Nanosecond))
			}
		}
	}
	return a
}

// memfdChangedLocked records the memory file's times after memfs itself
// changed it (content moved in, truncate, times set, a write by call),
// with memfs's own times now the file's; n.mu must be held for writing.
func (n *inode) memfdChangedLocked(now time.Time, touched bool) {
	if touched {
		n.touch(now)
	}
	if st, err := statMemfd(n.mfd); err == nil {
		n.kmtime, n.kctime = st.mtime, st.ctime
	}
}

// syncTimesLocked takes the times attrLocked reports as memfs's own,
// before memfs changes them; n.mu must be held for writing.
func (n *inode) syncTimesLocked() {
	if n.mfd == nil {
		return
	}
	a := n.attrLocked()
	n.mtime, n.ctime = a.Mtime, a.Ctime
	n.atime.Store(a.Atime.UnixNano())
	n.memfdChangedLocked(time.Time{}, false)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// atimeTime is n's access time as memfs keeps it.
func (n *inode) atimeTime() time.Time { return time.Unix(0, n.atime.Load()) }

// attr returns the attributes of n, taking its lock.
func (n *inode) attr() sdk.Attr {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.attrLocked()
}

// touch sets mtime and ctime to now; n.mu must be held for writing.
func (n *inode) touch(now time.Time) {
	n.mtime = now
	n.ctime = now
}
