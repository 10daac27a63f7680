//go:build linux

package bazil

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/platform/mounttest"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// gaps are the mount suite's tests this driver cannot pass, and why.
var gaps = mounttest.Skip{
	"RenameNoReplace": "bazil.org/fuse does not decode FUSE_RENAME2: renameat2 flags get EINVAL",
	"RenameExchange":  "bazil.org/fuse does not decode FUSE_RENAME2: renameat2 flags get EINVAL",
	"Chmod":           "bazil.org/fuse drops the sticky bit from attributes it sends the kernel",
	"Permissions":     "bazil.org/fuse drops the sticky bit, so the kernel does not enforce sticky directories",
}

// mountVFS mounts v with this driver in a temporary directory and
// unmounts it when the test ends, whatever happened.
func mountVFS(t *testing.T, v *vfs.VFS, opts core.MountOptions) (string, core.Mounted) {
	t.Helper()
	if err := (Driver{}).Available(); err != nil {
		t.Fatalf("driver unavailable: %v", err)
	}
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := Driver{}.Mount(ctx, v, mnt, opts)
	if err != nil {
		t.Fatalf("mount: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		if err := m.Unmount(ctx, false); err != nil {
			t.Errorf("unmount: %v", err)
			if err := m.Unmount(ctx, true); err != nil {
				t.Errorf("lazy unmount: %v", err)
			}
		}
		select {
		case <-m.Done():
		case <-time.After(10 * time.Second):
			t.Errorf("serve loop still running 10s after unmount")
		}
		if err := m.Err(); err != nil {
			t.Errorf("mount ended with %v", err)
		}
		if err := v.Close(ctx); err != nil {
			t.Errorf("close vfs: %v", err)
		}
		if n := v.OpenHandles(); n != 0 {
			t.Errorf("%d handles open after unmount", n)
		}
	})
	return mnt, m
}

// memVFS is a VFS over a fresh in-process memfs.
func memVFS(opts vfs.Options) *vfs.VFS {
	be := memfs.New()
	return vfs.New(be, sdk.DetectFeatures(be), opts)
}

// TestMountSuite runs the shared mount suite through a real kernel mount
// served by a child process (see serveChild).
func TestMountSuite(t *testing.T) {
	mounttest.RunAll(t, mountChild(t, "allow_other"), gaps)
}

// TestMountFSX runs the integrity checker through a real kernel mount
// served by a child process.
func TestMountFSX(t *testing.T) {
	mounttest.RunFSX(t, mountChild(t, ""), mounttest.FSXConfig{})
}

// TestBasicOps checks a few operations end to end, and what
// /proc/self/mountinfo says about the mount.
func TestBasicOps(t *testing.T) {
	mnt, m := mountVFS(t, memVFS(vfs.Options{}), core.MountOptions{FSName: "memfs", Subtype: "plugfs"})
	if m.Point() != mnt {
		t.Errorf("Point() = %q, want %q", m.Point(), mnt)
	}
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(string(info), "\n") {
		if f := strings.Fields(l); len(f) > 4 && f[4] == mnt {
			line = l
		}
	}
	if !strings.Contains(line, "fuse.plugfs") || !strings.Contains(line, " memfs ") {
		t.Errorf("mountinfo line %q: want type fuse.plugfs and source memfs", line)
	}

	p := filepath.Join(mnt, "d", "f")
	if err := os.Mkdir(filepath.Dir(p), 0o750); err != nil {
		t.Fatal(err)
	}
	want := bytes.Repeat([]byte("plugfs"), 100000)
	if err := os.WriteFile(p, want, 0o640); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read back %d bytes (%v), want %d", len(got), err, len(want))
	}
	if err := os.Rename(filepath.Join(mnt, "d"), filepath.Join(mnt, "e")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(mnt, "e", "f"))
	if err != nil || st.Size() != int64(len(want)) || st.Mode().Perm() != 0o640 {
		t.Fatalf("stat after rename: %v %v", st, err)
	}
	var sfs syscall.Statfs_t
	if err := syscall.Statfs(mnt, &sfs); err != nil || sfs.Namelen == 0 {
		t.Errorf("statfs: %+v %v", sfs, err)
	}
	if err := os.RemoveAll(filepath.Join(mnt, "e")); err != nil {
		t.Fatal(err)
	}
}

// TestUmask checks that the caller's umask shapes new files' modes.
func TestUmask(t *testing.T) {
	mnt, _ := mountVFS(t, memVFS(vfs.Options{}), core.MountOptions{})
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	if err := os.Mkdir(filepath.Join(mnt, "d"), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mnt, "f"), nil, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(mnt, "p"), 0o666); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{"d": 0o750, "f": 0o640, "p": 0o640} {
		st, err := os.Lstat(filepath.Join(mnt, name))
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", name, st.Mode().Perm(), err, want)
		}
	}
}

// TestReadOnly checks that a read-only VFS mounts read-only.
func TestReadOnly(t *testing.T) {
	mnt, _ := mountVFS(t, memVFS(vfs.Options{ReadOnly: true}), core.MountOptions{})
	err := os.WriteFile(filepath.Join(mnt, "f"), nil, 0o644)
	if !errors.Is(err, syscall.EROFS) {
		t.Errorf("write on a read-only mount: %v, want EROFS", err)
	}
}

// TestExternalUnmount checks that Done closes when someone else unmounts.
func TestExternalUnmount(t *testing.T) {
	v := memVFS(vfs.Options{})
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	m, err := Driver{}.Mount(context.Background(), v, mnt, core.MountOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Unmount(context.Background(), true) // in case the test fails
	if err := syscall.Unmount(mnt, 0); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done not closed 10s after an external unmount")
	}
	if err := m.Unmount(context.Background(), false); err != nil {
		t.Errorf("Unmount after an external unmount: %v", err)
	}
}

// TestBusyUnmount checks that a busy mount refuses a plain unmount with
// ErrBusy and goes with a lazy one.
func TestBusyUnmount(t *testing.T) {
	v := memVFS(vfs.Options{})
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := Driver{}.Mount(ctx, v, mnt, core.MountOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Unmount(ctx, true)
	f, err := os.Create(filepath.Join(mnt, "f"))
	if err != nil {
		t.Fatal(err)
	}
	err = m.Unmount(ctx, false)
	if !errors.Is(err, sdk.ErrBusy) || !strings.Contains(err.Error(), mnt) {
		t.Errorf("unmount with an open file: %v, want ErrBusy naming %s", err, mnt)
	}
	if err := m.Unmount(ctx, true); err != nil {
		t.Errorf("lazy unmount: %v", err)
	}
	f.Close()
	select {
	case <-m.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done not closed 10s after the last file closed on a lazily unmounted mount")
	}
}

// TestMountErrors checks that a bad mounting point fails before mounting
// and leaves nothing behind.
func TestMountErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for point, want := range map[string]error{
		filepath.Join(dir, "missing"): core.ErrMountPointMissing,
		filepath.Join(dir, "x"):       core.ErrMountPointNotDir,
		dir:                           core.ErrMountPointNotEmpty,
	} {
		m, err := Driver{}.Mount(ctx, memVFS(vfs.Options{}), point, core.MountOptions{})
		if !errors.Is(err, want) {
			t.Errorf("mount on %s: %v, want %v", point, err, want)
		}
		if m != nil {
			m.Unmount(ctx, true)
		}
	}
}
