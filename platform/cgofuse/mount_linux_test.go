//go:build linux && cgo && cgofuse

package cgofuse

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/platform/mounttest"
	"github.com/plugfs/plugfs/sdk"
)

// gaps are the mount-suite tests libfuse's high-level API, as cgofuse
// drives it, cannot pass; WinFsp and macFUSE are not bound by them.
var gaps = mounttest.Skip(KnownGaps)

func mountAt(t *testing.T, fsys *vfs.VFS, opts core.MountOptions) (string, core.Mounted) {
	t.Helper()
	if err := (Driver{}).Available(); err != nil {
		t.Fatalf("the cgofuse driver is built but cannot run here: %v", err)
	}
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("PLUGFS_TEST_DEBUG") != "" {
		opts.Debug = func(msg string) { t.Log(msg) }
	}
	if opts.MaxIO == 0 {
		opts.MaxIO = 1 << 20 // as the engine sets it from the plugin's features
	}
	if opts.FSName == "" {
		opts.FSName, opts.Subtype = "memfs", "plugfs"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	m, err := Driver{}.Mount(ctx, fsys, mnt, opts)
	if err != nil {
		t.Fatalf("mount: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := m.Unmount(ctx, true); err != nil {
			t.Errorf("unmount: %v", err)
		}
		if mounted(mnt) {
			t.Errorf("%s is still mounted after Unmount", mnt)
		}
	})
	return mnt, m
}

func mounted(dir string) bool {
	info, _ := os.ReadFile("/proc/self/mountinfo")
	for _, l := range strings.Split(string(info), "\n") {
		if f := strings.Fields(l); len(f) > 4 && f[4] == dir {
			return true
		}
	}
	return false
}

// TestMountSuite runs the shared mount suite through libfuse3's
// high-level API: the adapter WinFsp and macFUSE use, executed.
func TestMountSuite(t *testing.T) {
	mounttest.RunAll(t, childMount(t), gaps)
}

// TestMountFSX runs the integrity checker through the adapter.
func TestMountFSX(t *testing.T) {
	mnt := childMount(t)
	// libfuse's high-level API hides open files that lose a name (see
	// KnownGaps), and gives each name of a hard-linked file its own kernel
	// inode, so a change through one name leaves stale pages cached under
	// another (seen: an mmap read after a truncate through the other name).
	mounttest.RunFSX(t, mnt, mounttest.FSXConfig{KeepOpenNamed: true, NoLinks: true})
}

// TestSeveralPointsShareOneVFS mounts one VFS twice: what one point
// writes, the other reads.
func TestSeveralPointsShareOneVFS(t *testing.T) {
	fsys := memVFS()
	a, _ := mountAt(t, fsys, core.MountOptions{})
	b, _ := mountAt(t, fsys, core.MountOptions{})
	if err := os.WriteFile(filepath.Join(a, "f"), []byte("shared"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(b, "f"))
	if err != nil || string(got) != "shared" {
		t.Fatalf("read through the second point: %q, %v", got, err)
	}
	if err := os.Remove(filepath.Join(b, "f")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(a, "f")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("removed through b, still seen through a: %v", err)
	}
}

// TestUnmountBusyAndLazy: a busy mount refuses a plain unmount and stays
// usable; a lazy one detaches it and the loop ends after the last close.
func TestUnmountBusyAndLazy(t *testing.T) {
	mnt, m := mountAt(t, memVFS(), core.MountOptions{})
	f, err := os.Create(filepath.Join(mnt, "open"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := m.Unmount(ctx, false); !errors.Is(err, sdk.ErrBusy) && !errors.Is(err, core.ErrMountPointBusy) {
		t.Errorf("unmount with a file open: %v, want busy", err)
	}
	if _, err := f.WriteString("still here"); err != nil {
		t.Errorf("write after the refused unmount: %v", err)
	}
	if err := m.Unmount(ctx, true); err != nil {
		t.Errorf("lazy unmount with a file open: %v", err)
	}
	select {
	case <-m.Done():
		t.Errorf("the FUSE loop ended while a file was still open")
	case <-time.After(200 * time.Millisecond):
	}
	if mounted(mnt) {
		t.Errorf("%s is still in mountinfo after a lazy unmount", mnt)
	}
	f.Close()
	select {
	case <-m.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the FUSE loop did not end after the last close")
	}
	if err := m.Err(); err != nil {
		t.Errorf("Err after a clean unmount: %v", err)
	}
}

// TestBadMountPoints: the driver refuses what mountdir refuses and leaves
// nothing mounted.
func TestBadMountPoints(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full")
	if err := os.MkdirAll(filepath.Join(full, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		point string
		want  error
	}{
		{filepath.Join(dir, "absent"), core.ErrMountPointMissing},
		{file, core.ErrMountPointNotDir},
		{full, core.ErrMountPointNotEmpty},
	} {
		_, err := Driver{}.Mount(context.Background(), memVFS(), c.point, core.MountOptions{})
		if !errors.Is(err, c.want) {
			t.Errorf("mount on %s: %v, want %v", c.point, err, c.want)
		}
		if mounted(c.point) {
			t.Errorf("%s is mounted after a refused mount", c.point)
		}
	}
}
