package vfs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// readCounting is memfs counting plugin reads and the reads in flight at
// each release; failAt, when set, makes reads reaching past it fail with
// EIO, and delay slows every read.
type readCounting struct {
	*memfs.FS
	reads, inflight, lateReads atomic.Int64
	failAt                     atomic.Int64
	delay                      time.Duration
}

func (r *readCounting) Read(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	r.reads.Add(1)
	r.inflight.Add(1)
	defer r.inflight.Add(-1)
	time.Sleep(r.delay)
	if f := r.failAt.Load(); f > 0 && off+int64(len(p)) > f {
		return 0, sdk.ErrIO
	}
	return r.FS.Read(ctx, h, p, off)
}

func (r *readCounting) Release(ctx context.Context, h sdk.Handle) error {
	r.lateReads.Add(r.inflight.Load())
	return r.FS.Release(ctx, h)
}

// misses counts NoteCache's read-ahead misses.
type misses struct {
	mu   sync.Mutex
	n, h int
}

func (m *misses) note(cache string, hit bool) {
	if cache != vfs.CacheReadAhead {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if hit {
		m.h++
	} else {
		m.n++
	}
}

// newReadAhead returns a VFS on a counting memfs holding /f with data.
func newReadAhead(t *testing.T, opts vfs.Options, data []byte) (*vfs.VFS, *readCounting, uint64) {
	t.Helper()
	be := &readCounting{FS: memfs.New()}
	v := vfs.New(be, sdk.DetectFeatures(be.FS), opts)
	e, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	writeChunks(t, v, fh, data, 1<<20)
	if err := v.Release(ctx, fh); err != nil {
		t.Fatal(err)
	}
	return v, be, e.ID
}

// readStream reads fh sequentially in requests of size and returns the bytes.
func readStream(t *testing.T, v *vfs.VFS, fh uint64, size int) []byte {
	t.Helper()
	var out []byte
	buf := make([]byte, size)
	for off := int64(0); ; {
		n, err := v.Read(ctx, fh, buf, off)
		if err != nil {
			t.Fatalf("read at %d: %v", off, err)
		}
		out = append(out, buf[:n]...)
		off += int64(n)
		if n < size {
			return out
		}
	}
}

// A sequential read of 16 MiB in 128 KiB requests (the kernel's) waits
// for the plugin only until read-ahead starts, asks it for each byte
// once, and returns the file exactly.
func TestReadAhead(t *testing.T) {
	data := pattern(16<<20 + 12345)
	for _, tc := range []struct {
		name               string
		opts               vfs.Options
		maxMisses, maxRead int64
	}{
		{"on", vfs.Options{ReadAhead: true}, 3, 17 + 4},
		{"off", vfs.Options{}, 0, 130},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m misses
			tc.opts.OnCache = m.note
			v, be, id := newReadAhead(t, tc.opts, data)
			be.reads.Store(0)
			fh, err := v.Open(ctx, id, sdk.ReadOnly)
			if err != nil {
				t.Fatal(err)
			}
			got := readStream(t, v, fh, 128<<10)
			if err := v.Release(ctx, fh); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("read %d bytes, want %d, equal %v", len(got), len(data), bytes.Equal(got, data))
			}
			reads := be.reads.Load()
			t.Logf("%d plugin reads, %d waited for, %d served from read-ahead", reads, m.n, m.h)
			if reads > tc.maxRead {
				t.Errorf("%d plugin reads for 16 MiB, want at most %d", reads, tc.maxRead)
			}
			if tc.name == "on" && (int64(m.n) > tc.maxMisses || m.h < 120) {
				t.Errorf("%d reads waited for the plugin and %d came from read-ahead, want at most %d and at least 120", m.n, m.h, tc.maxMisses)
			}
			if tc.name == "off" && m.h+m.n != 0 {
				t.Errorf("read-ahead off reported %d hits and %d misses", m.h, m.n)
			}
		})
	}
}

// Random 4 KiB reads of a large file do not start read-ahead: the plugin
// is asked once per read and nothing more.
func TestReadAheadRandom(t *testing.T) {
	v, be, id := newReadAhead(t, vfs.Options{ReadAhead: true}, pattern(64<<20))
	fh, err := v.Open(ctx, id, sdk.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Release(ctx, fh)
	be.reads.Store(0)
	buf := make([]byte, 4096)
	offs := []int64{40 << 20, 3 << 20, 60 << 20, 17 << 20, 9 << 20, 33 << 20, 1 << 20, 50 << 20}
	for _, off := range offs {
		if _, err := v.Read(ctx, fh, buf, off); err != nil {
			t.Fatal(err)
		}
	}
	if n := be.reads.Load(); n != int64(len(offs)) {
		t.Errorf("%d plugin reads for %d random reads, want one each", n, len(offs))
	}
}

// Prefetched bytes never hide a change: a write through another handle,
// and a change the plugin reports (Changed), are seen by the next read.
func TestReadAheadCoherence(t *testing.T) {
	data := pattern(8 << 20)
	v, be, id := newReadAhead(t, vfs.Options{ReadAhead: true}, data)
	fh, err := v.Open(ctx, id, sdk.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Release(ctx, fh)
	buf := make([]byte, 128<<10)
	for off := int64(0); off < 1<<20; off += int64(len(buf)) { // a stream: chunks ahead
		if _, err := v.Read(ctx, fh, buf, off); err != nil {
			t.Fatal(err)
		}
	}
	wh, err := v.Open(ctx, id, sdk.WriteOnly)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Write(ctx, wh, []byte("through the VFS"), 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := v.Release(ctx, wh); err != nil {
		t.Fatal(err)
	}
	if n, err := v.Read(ctx, fh, buf, 1<<20); err != nil || string(buf[:15]) != "through the VFS" {
		t.Errorf("after a write through another handle: %q (%d, %v)", buf[:15], n, err)
	}
	for off := int64(1<<20 + len(buf)); off < 2<<20; off += int64(len(buf)) {
		if _, err := v.Read(ctx, fh, buf, off); err != nil {
			t.Fatal(err)
		}
	}
	// Behind the VFS's back, then reported as a watching plugin would.
	ph, _, err := be.FS.Open(ctx, "/f", sdk.WriteOnly, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := be.FS.Write(ctx, ph, []byte("behind its back"), 2<<20); err != nil {
		t.Fatal(err)
	}
	be.FS.Release(ctx, ph)
	v.Changed(sdk.Change{Kind: sdk.ChangeModified, Path: "/f"})
	if n, err := v.Read(ctx, fh, buf, 2<<20); err != nil || string(buf[:15]) != "behind its back" {
		t.Errorf("after a reported change: %q (%d, %v)", buf[:15], n, err)
	}
	// Truncated by a create of its name (O_CREAT|O_TRUNC without
	// O_EXCL, as when another mounting point made the name between the
	// kernel's lookup and its create): nothing prefetched is left.
	for off := int64(2<<20 + len(buf)); off < 3<<20; off += int64(len(buf)) {
		if _, err := v.Read(ctx, fh, buf, off); err != nil {
			t.Fatal(err)
		}
	}
	_, ch, err := v.Create(ctx, vfs.RootID, "f", sdk.WriteOnly|sdk.Truncate, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	v.Release(ctx, ch)
	if n, err := v.Read(ctx, fh, buf, 3<<20); err != nil || n != 0 {
		t.Errorf("after a truncating create: read %d bytes (%v), want none", n, err)
	}
}

// A prefetch that fails is not reported by itself: the read it would have
// served asks the plugin and gets the error; bytes before it are intact.
// Release waits for prefetches in flight.
func TestReadAheadErrorAndRelease(t *testing.T) {
	data := pattern(8 << 20)
	v, be, id := newReadAhead(t, vfs.Options{ReadAhead: true}, data)
	be.delay = 2 * time.Millisecond
	fh, err := v.Open(ctx, id, sdk.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	be.failAt.Store(4 << 20)
	buf := make([]byte, 128<<10)
	var off int64
	for ; ; off += int64(len(buf)) {
		n, err := v.Read(ctx, fh, buf, off)
		if err != nil {
			if !errors.Is(err, sdk.ErrIO) {
				t.Fatalf("read at %d: %v, want EIO", off, err)
			}
			break
		}
		if !bytes.Equal(buf[:n], data[off:off+int64(n)]) {
			t.Fatalf("read at %d: wrong bytes", off)
		}
	}
	if off+int64(len(buf)) <= 4<<20 {
		t.Errorf("EIO at %d, before the failing range at %d", off, 4<<20)
	}
	be.failAt.Store(0)
	for o := int64(0); o < 2<<20; o += int64(len(buf)) { // prefetches in flight again
		if _, err := v.Read(ctx, fh, buf, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Release(ctx, fh); err != nil {
		t.Fatal(err)
	}
	if n := be.lateReads.Load(); n != 0 {
		t.Errorf("%d plugin reads in flight when the handle was released", n)
	}
}

// BenchmarkSequentialRead reads a 32 MiB file in 1 MiB requests (the
// kernel's, with the drivers' read-ahead window) from a plugin answering
// from memory and from one whose every read waits 1 ms (a network
// backend), with and without the VFS's read-ahead.
func BenchmarkSequentialRead(b *testing.B) {
	data := pattern(32 << 20)
	for _, delay := range []time.Duration{0, time.Millisecond} {
		for _, ra := range []bool{false, true} {
			b.Run(fmt.Sprintf("latency=%v/readahead=%v", delay, ra), func(b *testing.B) {
				be := &readCounting{FS: memfs.New(), delay: delay}
				v := vfs.New(be, sdk.DetectFeatures(be.FS), vfs.Options{ReadAhead: ra})
				e, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := v.Write(ctx, fh, data, 0); err != nil {
					b.Fatal(err)
				}
				v.Release(ctx, fh)
				buf := make([]byte, 1<<20)
				b.SetBytes(int64(len(data)))
				b.ResetTimer()
				for range b.N {
					rh, err := v.Open(ctx, e.ID, sdk.ReadOnly)
					if err != nil {
						b.Fatal(err)
					}
					for off := int64(0); off < int64(len(data)); off += int64(len(buf)) {
						if _, err := v.Read(ctx, rh, buf, off); err != nil {
							b.Fatal(err)
						}
					}
					v.Release(ctx, rh)
				}
			})
		}
	}
}
