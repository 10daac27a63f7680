package vfs_test

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// writeCounting is memfs counting plugin writes; failAt, when set, makes
// writes at or past that offset fail with EIO.
type writeCounting struct {
	*memfs.FS
	writes atomic.Int64
	failAt atomic.Int64
}

func (w *writeCounting) Write(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	w.writes.Add(1)
	if f := w.failAt.Load(); f > 0 && off+int64(len(p)) > f {
		return 0, sdk.ErrIO
	}
	return w.FS.Write(ctx, h, p, off)
}

func newCoalescing(t *testing.T, opts vfs.Options) (*vfs.VFS, *writeCounting) {
	t.Helper()
	be := &writeCounting{FS: memfs.New()}
	return vfs.New(be, sdk.DetectFeatures(be.FS), opts), be
}

// writeChunks writes data through fh in chunks of size.
func writeChunks(t *testing.T, v *vfs.VFS, fh uint64, data []byte, size int) {
	t.Helper()
	for off := 0; off < len(data); off += size {
		end := min(off+size, len(data))
		if n, err := v.Write(ctx, fh, data[off:end], int64(off)); err != nil || n != end-off {
			t.Fatalf("write at %d: %d, %v", off, n, err)
		}
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>12)
	}
	return b
}

// 4 KiB sequential writes reach the plugin as MaxIO-sized calls, and the
// file holds exactly what was written.
func TestWriteCoalescing(t *testing.T) {
	for _, tc := range []struct {
		name       string
		opts       vfs.Options
		maxWrites  int64
		minWrites  int64
		coalescing bool
	}{
		{"on", vfs.Options{}, 3, 1, true},
		{"off", vfs.Options{NoWriteCoalesce: true}, 512, 512, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, be := newCoalescing(t, tc.opts)
			data := pattern(2 << 20) // 512 writes of 4 KiB
			e, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			writeChunks(t, v, fh, data, 4096)
			if err := v.Release(ctx, fh); err != nil {
				t.Fatal(err)
			}
			if n := be.writes.Load(); n < tc.minWrites || n > tc.maxWrites {
				t.Errorf("%d plugin writes for 512 writes of 4 KiB, want %d–%d", n, tc.minWrites, tc.maxWrites)
			}
			rh, err := v.Open(ctx, e.ID, sdk.ReadOnly)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Release(ctx, rh)
			got := make([]byte, len(data)+1)
			n, err := v.Read(ctx, rh, got, 0)
			if err != nil || !bytes.Equal(got[:n], data) {
				t.Fatalf("read back %d bytes, %v; equal %v", n, err, bytes.Equal(got[:n], data))
			}
		})
	}
}

// Gathered writes are seen before they are sent: by a read through
// another handle, by getattr, by a lookup after the kernel forgot the
// node, and a write that does not follow on sends the buffer first.
func TestWriteCoalescingVisibility(t *testing.T) {
	v, be := newCoalescing(t, vfs.Options{CacheNodes: -1})
	e, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Release(ctx, fh)
	early, err := v.Open(ctx, e.ID, sdk.ReadOnly) // open before the writes
	if err != nil {
		t.Fatal(err)
	}
	defer v.Release(ctx, early)
	writeChunks(t, v, fh, []byte("hello"), 5)
	if n := be.writes.Load(); n != 0 {
		t.Fatalf("%d plugin writes before anything needed them, want 0", n)
	}
	buf := make([]byte, 32)
	if n, err := v.Read(ctx, early, buf, 0); err != nil || string(buf[:n]) != "hello" {
		t.Errorf("read through a handle opened before the writes: %q, %v; want %q", buf[:n], err, "hello")
	}
	if _, err := v.Write(ctx, fh, []byte(" world"), 5); err != nil {
		t.Fatal(err)
	}
	if a, err := v.Getattr(ctx, e.ID, 0); err != nil || a.Size != 11 {
		t.Errorf("getattr: size %d, %v; want 11", a.Size, err)
	}
	if _, err := v.Write(ctx, fh, []byte("HELLO"), 0); err != nil { // not following on
		t.Fatal(err)
	}
	rh, err := v.Open(ctx, e.ID, sdk.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Release(ctx, rh)
	if n, err := v.Read(ctx, rh, buf, 0); err != nil || string(buf[:n]) != "HELLO world" {
		t.Errorf("read through another handle: %q, %v; want %q", buf[:n], err, "HELLO world")
	}
	if _, err := v.Write(ctx, fh, []byte("!"), 11); err != nil {
		t.Fatal(err)
	}
	v.Forget(e.ID, 1)
	if got, err := v.Lookup(ctx, vfs.RootID, "f"); err != nil || got.Attr.Size != 12 {
		t.Errorf("lookup: size %d, %v; want 12", got.Attr.Size, err)
	}
}

// A gathered write that fails is reported by the handle's next flush
// (close), once, and data written before it is intact.
func TestWriteCoalescingDelayedError(t *testing.T) {
	v, be := newCoalescing(t, vfs.Options{})
	_, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	be.failAt.Store(100)
	writeChunks(t, v, fh, pattern(4096), 512) // answered: buffered
	if err := v.Flush(ctx, fh); !errors.Is(err, sdk.ErrIO) {
		t.Errorf("flush after a failed delayed write: %v, want EIO", err)
	}
	if err := v.Flush(ctx, fh); err != nil {
		t.Errorf("second flush: %v, want the error reported once", err)
	}
	be.failAt.Store(0)
	writeChunks(t, v, fh, []byte("ok"), 2)
	if err := v.Fsync(ctx, fh, false); err != nil {
		t.Errorf("fsync: %v", err)
	}
	if err := v.Release(ctx, fh); err != nil {
		t.Errorf("release: %v", err)
	}
}

// A delayed write sent because another handle read the node, and that
// failed, is reported by the writing handle's release.
func TestWriteCoalescingErrorAtRelease(t *testing.T) {
	v, be := newCoalescing(t, vfs.Options{})
	e, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	writeChunks(t, v, fh, []byte("data"), 4)
	be.failAt.Store(1)
	if _, err := v.Getattr(ctx, e.ID, 0); err != nil {
		t.Fatal(err)
	}
	if err := v.Release(ctx, fh); !errors.Is(err, sdk.ErrIO) {
		t.Errorf("release after a failed delayed write: %v, want EIO", err)
	}
}
