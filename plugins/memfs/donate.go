package memfs

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// maxMemfds bounds the memory files memfs keeps (one per regular file it
// ever donated, open or not), so a tree of many files cannot use up the
// process's descriptors; beyond it, opens are served by calls.
const maxMemfds = 1 << 15

// DonateFile implements sdk.FileDonor: on Linux, a file's contents move
// into a memory file (memfd) the first time the host asks, and every open
// of the file donates that memory file itself (read-write; the host reads
// and writes at explicit offsets, and only through handles opened for
// writing). Reopening it per handle with the handle's access mode, through
// /proc, cost a path walk per open for nothing the host uses. The host
// then hands it to the kernel (FUSE passthrough), so reads, writes and
// mmap of memfs files never leave the kernel; memfs still answers every
// metadata call, from the memory file's own size and times.
//
// memfs declines (the host then moves the bytes through calls) without
// memfd_create, with a size limit (writes by the kernel could not be
// counted against it), for appending opens, and past maxMemfds files.
func (f *FS) DonateFile(ctx context.Context, h sdk.Handle) (*os.File, error) {
	if !memfdSupported || f.limit != 0 {
		return nil, sdk.ErrNotSupported
	}
	hd, err := f.fileHandle("donate", h)
	if err != nil {
		return nil, err
	}
	if hd.flags&sdk.Append != 0 {
		return nil, sdk.ErrNotSupported
	}
	n := hd.node
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.mode.IsRegular() {
		return nil, sdk.ErrNotSupported
	}
	if n.mfd == nil {
		if err := f.toMemfd(n); err != nil {
			return nil, err
		}
	}
	return n.mfd, nil
}

// memfdAt is the size at which a file written by calls (not donated: the
// shared-memory and message data planes) moves into a memory file. Below
// it, chunks of the Go heap are cheaper (no descriptor, no system call per
// write); above it, kernel pages win: a first write into fresh Go heap
// takes a user page fault per 4 KiB page, which on virtual machines with
// software-managed page tables costs more than the copy (sequential write
// of 256 MiB over shared memory: 131-212 MiB/s into fresh heap, 677 MiB/s
// into heap reused from a deleted file), and the file's bytes do not
// count towards the heap the garbage collector paces itself by (which let
// the plugin's RSS reach 1.8 GiB for a 1 GiB file).
const memfdAt = 1 << 20

// memfdFor says whether a write of size bytes at off should first move
// n's contents into a memory file; n.mu must be held.
func (f *FS) memfdFor(n *inode, off int64, size int, flags sdk.OpenFlags) bool {
	if !memfdSupported || f.limit != 0 {
		return false
	}
	if flags&sdk.Append != 0 {
		off = n.size
	}
	return off+int64(size) >= memfdAt
}

// toMemfd moves n's contents and times into a new memory file, which is
// the file's storage from then on; n.mu must be held for writing.
func (f *FS) toMemfd(n *inode) error {
	f.mfdMu.Lock()
	full := len(f.mfds) >= maxMemfds
	f.mfdMu.Unlock()
	if full {
		return sdk.ErrNotSupported
	}
	mf, err := newMemfd(fmt.Sprintf("memfs:%d", n.ino))
	if err != nil {
		return err
	}
	fail := func(err error) error {
		mf.Close()
		return fmt.Errorf("memfs: move inode %d to a memory file: %w", n.ino, err)
	}
	if err := mf.Truncate(n.size); err != nil {
		return fail(err)
	}
	for idx, ch := range n.data.m {
		if _, err := mf.WriteAt(ch.b, idx*chunkSize+int64(ch.lo)); err != nil {
			return fail(err)
		}
	}
	if err := setMemfdTimes(mf, n.atimeTime(), n.mtime); err != nil {
		return fail(err)
	}
	f.used.Add(-n.data.release())
	n.mfd = mf
	n.memfdChangedLocked(time.Time{}, false) // moving the content is no change of the file
	f.mfdMu.Lock()
	if f.mfds == nil {
		f.mfds = make(map[*inode]struct{})
	}
	f.mfds[n] = struct{}{}
	f.mfdMu.Unlock()
	return nil
}

// dropMemfd closes n's memory file when its contents are freed; n.mu must
// be held for writing.
func (f *FS) dropMemfd(n *inode) {
	if n.mfd == nil {
		return
	}
	n.mfd.Close()
	n.mfd = nil
	f.mfdMu.Lock()
	delete(f.mfds, n)
	f.mfdMu.Unlock()
}

// memfdBytes is what the memory files hold, for Statfs. The set is
// copied first: n.mu is taken before f.mfdMu elsewhere.
func (f *FS) memfdBytes() int64 {
	f.mfdMu.Lock()
	nodes := make([]*inode, 0, len(f.mfds))
	for n := range f.mfds {
		nodes = append(nodes, n)
	}
	f.mfdMu.Unlock()
	var total int64
	for _, n := range nodes {
		n.mu.RLock()
		if n.mfd != nil {
			if st, err := statMemfd(n.mfd); err == nil {
				total += st.blocks * 512
			}
		}
		n.mu.RUnlock()
	}
	return total
}
