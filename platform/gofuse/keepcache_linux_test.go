//go:build linux

package gofuse

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// readCounting is memfs counting the plugin reads; with shared false it
// does not declare ExclusiveData (as a plugin whose files change behind
// the host's back).
type readCounting struct {
	*memfs.FS
	reads     atomic.Int64
	exclusive bool
}

func (c *readCounting) Read(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	c.reads.Add(1)
	return c.FS.Read(ctx, h, p, off)
}

func (c *readCounting) Describe() sdk.Declared {
	d := c.FS.Describe()
	d.ExclusiveData = c.exclusive
	return d
}

// putFile writes data to p straight into the plugin, as a change made
// through another mount of the volume would reach it.
func (c *readCounting) putFile(t *testing.T, p string, data []byte) {
	t.Helper()
	ctx := context.Background()
	h, _, err := c.FS.Open(ctx, p, sdk.ReadWrite|sdk.Create, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.FS.Write(ctx, h, data, 0); err != nil {
		t.Fatal(err)
	}
	if err := c.FS.Release(ctx, h); err != nil {
		t.Fatal(err)
	}
}

func mountReadCounting(t *testing.T, c *readCounting, v *vfs.VFS) string {
	t.Helper()
	return mountVFS(t, v, core.MountOptions{})
}

// mountVFS mounts v with opts on a fresh directory, unmounted at cleanup.
func mountVFS(t *testing.T, v *vfs.VFS, opts core.MountOptions) string {
	t.Helper()
	if err := (Driver{}).Available(); err != nil {
		t.Skip(err)
	}
	mnt := t.TempDir()
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
	return mnt
}

// readAgain reads p twice and returns how many plugin reads the second
// read cost, failing if either read did not return want.
func readAgain(t *testing.T, c *readCounting, p string, want []byte) int64 {
	t.Helper()
	if got, err := os.ReadFile(p); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("first read of %s: %d bytes, %v", p, len(got), err)
	}
	before := c.reads.Load()
	if got, err := os.ReadFile(p); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("second read of %s: %d bytes, %v", p, len(got), err)
	}
	return c.reads.Load() - before
}

// TestKeepCache: a plugin that declares ExclusiveData has a file read
// again served from the kernel's page cache (no plugin read), until its
// contents change: a change the plugin got from elsewhere (another
// mount) is read, not the stale pages. Without the declaration, or with
// NoKeepCache, every open reads from the plugin again.
func TestKeepCache(t *testing.T) {
	old := bytes.Repeat([]byte("old-"), 256<<10) // 1 MiB
	fresh := bytes.Repeat([]byte("new-"), 256<<10)
	for _, tc := range []struct {
		name      string
		exclusive bool
		opts      vfs.Options
		keep      bool
	}{
		{"exclusive data", true, vfs.Options{}, true},
		{"shared data", false, vfs.Options{}, false},
		{"exclusive, NoKeepCache", true, vfs.Options{NoKeepCache: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &readCounting{FS: memfs.New(), exclusive: tc.exclusive}
			c.putFile(t, "/f", old)
			v := vfs.New(c, sdk.DetectFeatures(c), tc.opts)
			mnt := mountReadCounting(t, c, v)
			p := filepath.Join(mnt, "f")
			n := readAgain(t, c, p, old)
			switch {
			case tc.keep && n != 0:
				t.Errorf("second read of an unchanged file cost %d plugin reads, want 0 (page cache kept)", n)
			case !tc.keep && n == 0:
				t.Errorf("second read cost no plugin read: pages were kept without ExclusiveData or with NoKeepCache")
			}
			// Same size, changed behind this mount: the next open must
			// not serve the old pages.
			time.Sleep(2 * time.Millisecond)
			c.putFile(t, "/f", fresh)
			if got, err := os.ReadFile(p); err != nil || !bytes.Equal(got, fresh) {
				t.Fatalf("read after a change elsewhere: %q..., %v: stale pages served", got[:min(8, len(got))], err)
			}
		})
	}
}

// TestKeepCacheTwoMounts: two mounts of one volume have two page caches.
// A write through one is read through the other, though the other kept
// its pages of the file before.
func TestKeepCacheTwoMounts(t *testing.T) {
	c := &readCounting{FS: memfs.New(), exclusive: true}
	old := bytes.Repeat([]byte("a"), 64<<10)
	c.putFile(t, "/f", old)
	v := vfs.New(c, sdk.DetectFeatures(c), vfs.Options{})
	a, b := mountReadCounting(t, c, v), mountReadCounting(t, c, v)
	if n := readAgain(t, c, filepath.Join(b, "f"), old); n != 0 {
		t.Errorf("second read through b cost %d plugin reads, want 0", n)
	}
	if n := readAgain(t, c, filepath.Join(a, "f"), old); n != 0 {
		t.Errorf("second read through a cost %d plugin reads, want 0", n)
	}
	fresh := bytes.Repeat([]byte("b"), 64<<10)
	if err := os.WriteFile(filepath.Join(a, "f"), fresh, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(b, "f")); err != nil || !bytes.Equal(got, fresh) {
		t.Errorf("read through b after a write through a: %q..., %v: b served its stale pages", got[:min(8, len(got))], err)
	}
	if got, err := os.ReadFile(filepath.Join(a, "f")); err != nil || !bytes.Equal(got, fresh) {
		t.Errorf("read through a after its own write: %q..., %v", got[:min(8, len(got))], err)
	}
}
