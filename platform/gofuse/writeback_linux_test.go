//go:build linux

package gofuse

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// writeCounting is memfs counting the plugin's Write calls, whose
// write-only handles cannot be read, as an OS file opened O_WRONLY
// cannot (EBADF): a plugin serving files of its own, or a donated one.
type writeCounting struct {
	*memfs.FS
	writes atomic.Int64
	mu     sync.Mutex
	wronly map[sdk.Handle]bool
}

func newWriteCounting() *writeCounting {
	return &writeCounting{FS: memfs.New(), wronly: make(map[sdk.Handle]bool)}
}

func (c *writeCounting) Open(ctx context.Context, p string, flags sdk.OpenFlags, mode os.FileMode) (sdk.Handle, sdk.Attr, error) {
	h, a, err := c.FS.Open(ctx, p, flags, mode)
	if err == nil && flags&sdk.AccessMode == sdk.WriteOnly {
		c.mu.Lock()
		c.wronly[h] = true
		c.mu.Unlock()
	}
	return h, a, err
}

func (c *writeCounting) Read(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	c.mu.Lock()
	wo := c.wronly[h]
	c.mu.Unlock()
	if wo {
		return 0, sdk.ErrBadHandle
	}
	return c.FS.Read(ctx, h, p, off)
}

func (c *writeCounting) Write(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	c.writes.Add(1)
	return c.FS.Write(ctx, h, p, off)
}

func (c *writeCounting) Release(ctx context.Context, h sdk.Handle) error {
	c.mu.Lock()
	delete(c.wronly, h)
	c.mu.Unlock()
	return c.FS.Release(ctx, h)
}

// content is the file at p as the plugin holds it.
func (c *writeCounting) content(t *testing.T, p string) []byte {
	t.Helper()
	ctx := context.Background()
	h, a, err := c.FS.Open(ctx, p, sdk.ReadOnly, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.FS.Release(ctx, h)
	buf := make([]byte, a.Size)
	n, err := c.FS.Read(ctx, h, buf, 0)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n]
}

// mountWriteCounting mounts c with opts; it returns the mount point and
// the mount.
func mountWriteCounting(t *testing.T, c *writeCounting, opts core.MountOptions) (string, *mount) {
	t.Helper()
	if err := (Driver{}).Available(); err != nil {
		t.Skip(err)
	}
	mnt := t.TempDir()
	// The VFS's own write coalescing is off: these tests count what the
	// kernel's writeback cache gathers (coalesce_test.go tests the VFS's).
	v := vfs.New(c, sdk.DetectFeatures(c), vfs.Options{NoWriteCoalesce: true})
	m, err := Driver{}.Mount(context.Background(), v, mnt, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Unmount(context.Background(), true); err != nil {
			t.Errorf("unmount: %v", err)
		}
		<-m.Done()
	})
	return mnt, m.(*mount)
}

// pattern is n bytes that differ page to page and within a page.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i/4096) ^ byte(i*7) ^ seed
	}
	return b
}

// TestWriteback: with the writeback cache, 4 KiB writes reach the plugin
// as a few large WRITEs, and what was written is the plugin's after close,
// after fsync, through a write-only open that touches part of a page,
// with O_APPEND and through a shared mapping.
func TestWriteback(t *testing.T) {
	c := newWriteCounting()
	mnt, m := mountWriteCounting(t, c, core.MountOptions{Writeback: core.WritebackOn})
	if !m.writeback {
		t.Fatal("writeback=on for a plugin declaring ExclusiveData: the mount has no writeback cache")
	}

	t.Run("batched", func(t *testing.T) {
		const size, chunk = 4 << 20, 4 << 10
		data := pattern(size, 1)
		before := c.writes.Load()
		f, err := os.OpenFile(filepath.Join(mnt, "batched"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < size; off += chunk {
			if _, err := f.Write(data[off : off+chunk]); err != nil {
				t.Fatal(err)
			}
		}
		if st, err := f.Stat(); err != nil || st.Size() != size {
			t.Errorf("fstat while the pages are dirty: size %d, %v; want %d (the kernel's)", st.Size(), err, size)
		}
		if err := f.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		n := c.writes.Load() - before
		t.Logf("%d writes of 4 KiB reached the plugin as %d WRITEs", size/chunk, n)
		if n*16 > size/chunk {
			t.Errorf("%d plugin writes for %d writes of 4 KiB: want at most 1/16 as many (the writeback cache batches them)", n, size/chunk)
		}
		if got := c.content(t, "/batched"); !bytes.Equal(got, data) {
			t.Errorf("after close the plugin has %d bytes, not the %d written", len(got), len(data))
		}
	})

	t.Run("fsync", func(t *testing.T) {
		data := pattern(300<<10, 2)
		f, err := os.OpenFile(filepath.Join(mnt, "synced"), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		const at = 1<<20 + 3 // not page aligned; the file has a hole before it
		for off := 0; off < len(data); off += 4096 {
			if _, err := f.WriteAt(data[off:min(off+4096, len(data))], at+int64(off)); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Sync(); err != nil {
			t.Fatalf("fsync: %v", err)
		}
		got := c.content(t, "/synced") // before close
		if len(got) != at+len(data) || !bytes.Equal(got[at:], data) || !bytes.Equal(got[:at], make([]byte, at)) {
			t.Errorf("after fsync the plugin has %d bytes, want %d with the data at %d", len(got), at+len(data), at)
		}
	})

	t.Run("write-only partial page", func(t *testing.T) {
		old := pattern(10000, 3)
		if err := os.WriteFile(filepath.Join(mnt, "partial"), old, 0o644); err != nil {
			t.Fatal(err)
		}
		dropCaches(t)
		f, err := os.OpenFile(filepath.Join(mnt, "partial"), os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt([]byte("XYZ"), 5000); err != nil {
			t.Fatalf("write into part of a page through a write-only open: %v", err)
		}
		if err := f.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		want := append([]byte{}, old...)
		copy(want[5000:], "XYZ")
		if got := c.content(t, "/partial"); !bytes.Equal(got, want) {
			t.Errorf("the plugin has %d bytes; the rest of the page was not kept around the write", len(got))
		}
	})

	t.Run("append", func(t *testing.T) {
		p := filepath.Join(mnt, "appended")
		if err := os.WriteFile(p, []byte("head;"), 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.OpenFile(p, os.O_RDWR|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []byte("head;")
		for i := range 50 {
			w := a
			if i%2 == 1 {
				w = b
			}
			line := bytes.Repeat([]byte{'a' + byte(i%26)}, 100+i*37)
			if _, err := w.Write(line); err != nil {
				t.Fatal(err)
			}
			want = append(want, line...)
		}
		for _, f := range []*os.File{a, b} {
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if got := c.content(t, "/appended"); !bytes.Equal(got, want) {
			t.Errorf("appending through two opens: the plugin has %d bytes, want %d in order", len(got), len(want))
		}
		if got, err := os.ReadFile(p); err != nil || !bytes.Equal(got, want) {
			t.Errorf("read back through the mount: %d bytes, %v", len(got), err)
		}
	})

	t.Run("mmap", func(t *testing.T) {
		f, err := os.OpenFile(filepath.Join(mnt, "mapped"), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		const size = 3*4096 + 100
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		mem, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
		if err != nil {
			t.Fatalf("mmap: %v", err)
		}
		want := make([]byte, size)
		for _, off := range []int{0, 4095, 8192, size - 7} {
			copy(mem[off:], "mapped!")
			copy(want[off:], "mapped!")
		}
		if err := syscall.Munmap(mem); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if got := c.content(t, "/mapped"); !bytes.Equal(got, want) {
			t.Errorf("after munmap and close the plugin has %d bytes, not what was mapped", len(got))
		}
	})
}

// dropCaches makes the kernel forget clean pages, so the next write into
// part of a page must read the page first.
func dropCaches(t *testing.T) {
	t.Helper()
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0); err != nil {
		t.Logf("drop caches: %v", err)
	}
}

// TestWritebackOff: without the writeback cache every write(2) is a
// plugin Write before it returns (the contrast TestWriteback measures).
func TestWritebackOff(t *testing.T) {
	c := newWriteCounting()
	mnt, m := mountWriteCounting(t, c, core.MountOptions{Writeback: core.WritebackOff})
	if m.writeback {
		t.Fatal("writeback=off, and the mount caches writes")
	}
	f, err := os.Create(filepath.Join(mnt, "f"))
	if err != nil {
		t.Fatal(err)
	}
	before := c.writes.Load()
	for range 64 {
		if _, err := f.Write(make([]byte, 4096)); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.writes.Load() - before; n != 64 {
		t.Errorf("64 writes made %d plugin writes, want 64 (write-through)", n)
	}
	f.Close()
}

// TestWritebackChoice: which mounts get the writeback cache.
func TestWritebackChoice(t *testing.T) {
	exclusive := vfs.New(memfs.New(), sdk.DetectFeatures(memfs.New()), vfs.Options{})
	shared := &readCounting{FS: memfs.New()} // does not declare ExclusiveData
	sharedVFS := vfs.New(shared, sdk.DetectFeatures(shared), vfs.Options{})
	for _, tc := range []struct {
		name  string
		fsys  *vfs.VFS
		opts  core.MountOptions
		ptOff bool
		want  bool
		err   error
	}{
		{"auto, files may go to passthrough", exclusive, core.MountOptions{}, false, false, nil},
		{"auto, passthrough off", exclusive, core.MountOptions{}, true, true, nil},
		{"auto, no donated files", exclusive, core.MountOptions{DataPlane: core.DataPlaneSharedMemory}, false, true, nil},
		{"auto, shared data", sharedVFS, core.MountOptions{DataPlane: core.DataPlaneSharedMemory}, true, false, nil},
		{"auto, read-only", exclusive, core.MountOptions{ReadOnly: true, DataPlane: core.DataPlaneGRPC}, false, false, nil},
		{"on, passthrough available", exclusive, core.MountOptions{Writeback: core.WritebackOn}, false, true, nil},
		{"on, shared data", sharedVFS, core.MountOptions{Writeback: core.WritebackOn}, true, false, core.ErrPluginOption},
		{"off", exclusive, core.MountOptions{Writeback: core.WritebackOff, DataPlane: core.DataPlaneSharedMemory}, true, false, nil},
	} {
		got, err := useWriteback(tc.opts, tc.fsys, tc.ptOff)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("%s: %v, %v; want %v, %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

// TestWritebackRefused: writeback=on for a plugin whose files may change
// behind the host fails the mount, naming the option.
func TestWritebackRefused(t *testing.T) {
	if err := (Driver{}).Available(); err != nil {
		t.Skip(err)
	}
	c := &readCounting{FS: memfs.New()}
	_, err := Driver{}.Mount(context.Background(), vfs.New(c, sdk.DetectFeatures(c), vfs.Options{}), t.TempDir(), core.MountOptions{Writeback: core.WritebackOn})
	if !errors.Is(err, core.ErrPluginOption) || !bytes.Contains([]byte(err.Error()), []byte("writeback=on")) {
		t.Fatalf("mount: %v; want an ErrPluginOption naming writeback=on", err)
	}
}

// TestWritebackExcludesPassthrough: the kernel refuses a backing file on
// a connection that negotiated the writeback cache, which is why auto
// leaves the cache off where passthrough would serve donated files.
func TestWritebackExcludesPassthrough(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("backing files need CAP_SYS_ADMIN")
	}
	backing, err := os.CreateTemp(t.TempDir(), "backing")
	if err != nil {
		t.Fatal(err)
	}
	defer backing.Close()
	for _, wb := range []core.Writeback{core.WritebackOff, core.WritebackOn} {
		_, m := mountWriteCounting(t, newWriteCounting(), core.MountOptions{Writeback: wb, DataPlane: core.DataPlaneSharedMemory})
		if m.srv.KernelSettings().Flags64()&fuse.CAP_PASSTHROUGH == 0 {
			t.Skip("this kernel offers no passthrough")
		}
		id, errno := m.srv.RegisterBackingFd(&fuse.BackingMap{Fd: int32(backing.Fd())})
		if errno == 0 {
			m.srv.UnregisterBackingFd(id)
		}
		t.Logf("writeback %v: backing file: %v", wb, errno)
		if (errno == 0) == (wb == core.WritebackOn) {
			t.Errorf("writeback %v: registering a backing file: %v", wb, errno)
		}
	}
}

// TestWritebackTwoMounts: two writeback mounts of one volume. A kernel
// with the writeback cache keeps the size it knows of an inode, whatever
// GETATTR says, so a file grown or truncated through one mount shows its
// new size through the other only because the first tells the other to
// drop the inode (vfs.VFS.WrittenThrough).
func TestWritebackTwoMounts(t *testing.T) {
	if err := (Driver{}).Available(); err != nil {
		t.Skip(err)
	}
	c := newWriteCounting()
	v := vfs.New(c, sdk.DetectFeatures(c), vfs.Options{})
	var pts []string
	for range 2 {
		mnt := t.TempDir()
		m, err := Driver{}.Mount(context.Background(), v, mnt, core.MountOptions{Writeback: core.WritebackOn})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = m.Unmount(context.Background(), true); <-m.Done() })
		pts = append(pts, mnt)
	}
	a, b := filepath.Join(pts[0], "f"), filepath.Join(pts[1], "f")
	// seen waits for b to read want (the notice travels after the
	// writer's release).
	seen := func(want []byte) {
		t.Helper()
		var got []byte
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			got, _ = os.ReadFile(b)
			if bytes.Equal(got, want) {
				return
			}
		}
		t.Fatalf("b reads %q, want %q: it kept the size it knew", got, want)
	}
	if err := os.WriteFile(a, []byte("short"), 0o644); err != nil {
		t.Fatal(err)
	}
	seen([]byte("short"))
	if err := os.WriteFile(a, []byte("a much longer content"), 0o644); err != nil {
		t.Fatal(err)
	}
	seen([]byte("a much longer content"))
	if err := os.Truncate(a, 6); err != nil {
		t.Fatal(err)
	}
	seen([]byte("a much"))
}
