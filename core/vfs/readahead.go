package vfs

import (
	"context"
	"sync"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// Read-ahead (Options.ReadAhead, off by default). The kernel reads ahead
// itself, in MaxIO requests once the driver widened its window
// (platform/fusedev.SetReadAhead), but keeps only a request or two in
// flight: a plugin whose every read waits on a network or a device is
// then idle while the kernel and the application work. Once a handle has
// read sequentially twice, the VFS reads ahead of it: it asks the plugin
// for the next chunks (of MaxIO) before the kernel does, at most
// maxPrefetches at a time, keeping up to a window ahead that doubles with
// every sequential read from 2 chunks to maxWindow. A read the chunks
// cover waits for them instead of calling the plugin. With a plugin that
// answers from memory the extra copy and the goroutines cost more than
// the overlap saves (measured: memfs over shared memory 1.66 GB/s
// without, 1.37 with), hence off by default.
//
// Prefetched bytes are what the plugin held when they were read. They are
// dropped when the node changes through the VFS or the plugin reports a
// change (node.mods moves), when the plugin restarts, when a read does not
// follow on, and, unless the plugin owns its data (ExclusiveData), once
// they are older than maxChunkAge, so a change made behind the plugin's
// back shows within the same bound as a cached attribute. A prefetch that
// fails is dropped too: the read it would have served asks the plugin
// itself and reports the error. All handles' chunks together stay under
// maxPrefetched bytes. Release waits for a handle's prefetches.

const (
	maxPrefetches = 4        // chunks in flight per handle
	maxWindow     = 8 << 20  // the most bytes kept ahead of a handle's reads
	maxPrefetched = 64 << 20 // bytes held by all handles' chunks
	maxChunkAge   = time.Second
)

// CacheReadAhead is the cache NoteCache reports on for a sequential read:
// a hit when prefetched chunks served it whole, a miss when the plugin
// was asked.
const CacheReadAhead = "readahead"

// readAhead is one handle's sequential-read state and prefetched chunks.
type readAhead struct {
	mu     sync.Mutex
	next   int64    // where the next sequential read begins
	seq    int      // sequential reads in a row
	window int64    // bytes to keep ahead of next
	end    int64    // where the last chunk issued ends
	eof    int64    // a chunk came back short here; -1 while unknown
	mods   uint64   // node.mods eof was found in
	chunks []*chunk // in offset order, back to back
	wg     sync.WaitGroup
}

// chunk is one prefetched range.
type chunk struct {
	off    int64
	length int64 // bytes asked for
	buf    []byte
	n      int // bytes read; final once done is closed
	err    error
	done   chan struct{}
	mods   uint64 // node.mods when issued
	gen    uint64 // plugin generation when issued
	at     time.Time

	// Guarded by the handle's ra.mu: buf goes back to the VFS's pool once
	// the chunk is dropped, its read finished and no reader copies from
	// it. Reused buffers matter: a fresh MiB costs the host 256 page
	// faults, which made read-ahead slower than none on shared memory.
	users    int
	dropped  bool
	finished bool
}

func (c *chunk) size() int64 { return c.length }

// readsAhead reports whether a handle opened with flags, on a plugin
// handle donated or not, reads ahead.
func (v *VFS) readsAhead(flags sdk.OpenFlags, donated bool) bool {
	return !donated && v.opts.ReadAhead && flags&sdk.Direct == 0 && flags.Readable()
}

// chunkSize is the size of one prefetch: the plugin's MaxIO.
func (v *VFS) chunkSize() int64 {
	if v.feat.MaxIO > 0 {
		return int64(v.feat.MaxIO)
	}
	return sdk.DefaultMaxIO
}

// readAheadRead is Read for a handle that reads ahead.
func (v *VFS) readAheadRead(ctx context.Context, h *handle, dest []byte, off int64) (int, error) {
	ra := h.ra
	got, atEOF := v.fromChunks(ctx, h, dest, off)
	var err error
	if got < len(dest) && !atEOF {
		var n int
		err = v.withHandle(ctx, h, func(bh sdk.Handle) error {
			var e error
			n, e = v.be.Read(ctx, bh, dest[got:], off+int64(got))
			return e
		})
		if err != nil {
			return 0, err
		}
		if v.sequential(ra, off) {
			v.NoteCache(CacheReadAhead, false)
		}
		got += n
	} else {
		v.NoteCache(CacheReadAhead, true)
	}
	v.observe(ctx, h, off, len(dest), got)
	return got, nil
}

// sequential reports whether a read at off follows on the handle's last.
func (v *VFS) sequential(ra *readAhead, off int64) bool {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	return ra.seq > 0 && ra.follows(off, v.chunkSize())
}

// follows reports whether a read at off continues the stream. The kernel
// sends a file's read-ahead requests (of up to a chunk each)
// concurrently, so they may arrive a little out of order: a read within
// two chunks of where the stream stands follows on. ra.mu must be held.
func (ra *readAhead) follows(off, chunk int64) bool {
	return off <= ra.next+2*chunk && off >= ra.next-2*chunk
}

// fromChunks copies into dest what the chunks hold from off, waiting for
// those in flight. It reports how many bytes it copied and whether they
// end at end of file. Chunks that are no longer valid are dropped.
func (v *VFS) fromChunks(ctx context.Context, h *handle, dest []byte, off int64) (int, bool) {
	ra := h.ra
	got := 0
	for got < len(dest) {
		pos := off + int64(got)
		ra.mu.Lock()
		c := ra.findLocked(pos)
		if c != nil {
			c.users++
		}
		ra.mu.Unlock()
		if c == nil {
			return got, false
		}
		k, ok := v.copyChunk(ctx, h, c, dest[got:], pos)
		if !ok {
			v.dropChunks(h)
			return got, false
		}
		got += k
		if int64(c.n) < c.length && off+int64(got) >= c.off+int64(c.n) {
			return got, true // the chunk met end of file
		}
		if k == 0 {
			return got, false
		}
	}
	return got, false
}

// copyChunk waits for c, which the caller counted among its users, and
// copies what it holds from pos into dest; !ok when it failed or is no
// longer valid.
func (v *VFS) copyChunk(ctx context.Context, h *handle, c *chunk, dest []byte, pos int64) (k int, ok bool) {
	defer func() {
		h.ra.mu.Lock()
		c.users--
		v.recycleLocked(c)
		h.ra.mu.Unlock()
	}()
	select {
	case <-c.done:
	case <-ctx.Done():
		return 0, false
	}
	if c.err != nil || !v.chunkValid(h, c) {
		return 0, false
	}
	if rel := pos - c.off; rel < int64(c.n) {
		k = copy(dest, c.buf[rel:c.n])
	}
	return k, true
}

// findLocked returns the chunk holding pos, or nil.
func (ra *readAhead) findLocked(pos int64) *chunk {
	for _, c := range ra.chunks {
		if pos >= c.off && pos < c.off+c.size() {
			return c
		}
	}
	return nil
}

// chunkValid reports whether c's bytes may still be handed out.
func (v *VFS) chunkValid(h *handle, c *chunk) bool {
	v.mu.Lock()
	mods, raw := h.node.mods, h.node.raw
	v.mu.Unlock()
	if mods != c.mods || raw > 0 || c.gen != v.generation() {
		return false
	}
	return v.feat.ExclusiveData || time.Since(c.at) < maxChunkAge
}

// observe records a read of want bytes at off that returned got, and
// issues the prefetches a sequential stream needs.
func (v *VFS) observe(ctx context.Context, h *handle, off int64, want, got int) {
	ra := h.ra
	ra.mu.Lock()
	defer ra.mu.Unlock()
	if ra.seq > 0 && !ra.follows(off, v.chunkSize()) {
		ra.dropLocked(v)
		ra.seq = 0
	}
	if ra.seq == 0 {
		ra.next = off
	}
	ra.seq++
	ra.next = max(ra.next, off+int64(got))
	// behind: chunks wholly before this read are spent.
	for len(ra.chunks) > 0 && ra.chunks[0].off+ra.chunks[0].size() <= off {
		v.release(ra.chunks[0])
		ra.chunks = ra.chunks[1:]
	}
	if got < want || ra.seq < 2 {
		return // end of file, or not yet a stream
	}
	size := v.chunkSize()
	switch {
	case ra.window == 0:
		ra.window = 2 * size
	case ra.window < maxWindow:
		ra.window = min(2*ra.window, max(maxWindow, 2*size))
	}
	v.issueLocked(ctx, h, size)
}

// issueLocked starts prefetches until the window ahead of ra.next is
// covered, maxPrefetches are in flight or maxPrefetched is reached.
func (v *VFS) issueLocked(ctx context.Context, h *handle, size int64) {
	ra := h.ra
	if len(ra.chunks) == 0 || ra.end < ra.next {
		ra.end = ra.next
	}
	if len(ra.chunks) > 0 && ra.chunks[0].off > ra.next {
		return // the stream moved back; let it reach the chunks
	}
	inflight := 0
	for _, c := range ra.chunks {
		select {
		case <-c.done:
		default:
			inflight++
		}
	}
	v.mu.Lock()
	mods := h.node.mods
	raw := h.node.raw
	v.mu.Unlock()
	if raw > 0 {
		return
	}
	if mods != ra.mods {
		ra.eof, ra.mods = -1, mods // the file may have grown
	}
	gen := h.gen.Load()
	if gen != v.generation() {
		return // the handle is reopened by the next read, not here
	}
	bh := h.backend()
	pctx := context.WithoutCancel(ctx)
	for inflight < maxPrefetches && ra.end < ra.next+ra.window && (ra.eof < 0 || ra.end < ra.eof) {
		if v.prefetched.Add(size) > maxPrefetched {
			v.prefetched.Add(-size)
			return
		}
		c := &chunk{off: ra.end, length: size, buf: v.chunkBuffer(size), done: make(chan struct{}), mods: mods, gen: gen, at: time.Now()}
		ra.chunks = append(ra.chunks, c)
		ra.end += size
		inflight++
		ra.wg.Add(1)
		go func() {
			defer ra.wg.Done()
			n, err := v.be.Read(pctx, bh, c.buf, c.off)
			ra.mu.Lock()
			c.n, c.err, c.finished = n, err, true
			if err == nil && int64(n) < c.length && (ra.eof < 0 || c.off+int64(n) < ra.eof) {
				ra.eof = c.off + int64(n)
			}
			v.recycleLocked(c)
			ra.mu.Unlock()
			close(c.done)
		}()
	}
}

// dropChunks forgets h's prefetched chunks.
func (v *VFS) dropChunks(h *handle) {
	h.ra.mu.Lock()
	h.ra.dropLocked(v)
	h.ra.mu.Unlock()
}

// dropLocked forgets every chunk; those in flight finish unread.
func (ra *readAhead) dropLocked(v *VFS) {
	for _, c := range ra.chunks {
		v.release(c)
	}
	ra.chunks = nil
	ra.end = ra.next
	ra.eof = -1
	ra.window = 0
}

// release takes c out of its handle's chunks: its bytes leave the
// maxPrefetched budget, and its buffer is reused once nothing reads into
// or from it. The handle's ra.mu must be held.
func (v *VFS) release(c *chunk) {
	v.prefetched.Add(-c.size())
	c.dropped = true
	v.recycleLocked(c)
}

// recycleLocked puts a dropped chunk's buffer back in the pool when its
// read finished and no reader uses it. The handle's ra.mu must be held.
func (v *VFS) recycleLocked(c *chunk) {
	if c.dropped && c.finished && c.users == 0 && c.buf != nil {
		b := c.buf
		c.buf = nil
		v.chunks.Put(&b)
	}
}

// chunkBuffer returns a buffer of size bytes from the pool, or a new one.
func (v *VFS) chunkBuffer(size int64) []byte {
	if p, ok := v.chunks.Get().(*[]byte); ok && int64(cap(*p)) >= size {
		return (*p)[:size]
	}
	return make([]byte, size)
}

// stopReadAhead drops h's chunks and waits for its prefetches, before the
// plugin handle they read is released.
func (v *VFS) stopReadAhead(h *handle) {
	if h.ra == nil {
		return
	}
	v.dropChunks(h)
	h.ra.wg.Wait()
}
