//go:build linux

package bazil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/platform/fusedev"
	"github.com/plugfs/plugfs/platform/mounttest"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// gaps are the mount suite's tests this driver cannot pass, and why.
var gaps = mounttest.Skip(KnownGaps)

// memVFS is a VFS over a fresh in-process memfs.
func memVFS(opts vfs.Options) *vfs.VFS {
	be := memfs.New()
	return vfs.New(be, sdk.DetectFeatures(be), opts)
}

// TestMountSuite runs the shared mount suite through a real kernel mount.
func TestMountSuite(t *testing.T) {
	mounttest.RunAll(t, startServer(t, "allow_other").mnt, gaps)
}

// TestMountFSX runs the integrity checker through a real kernel mount.
func TestMountFSX(t *testing.T) {
	mounttest.RunFSX(t, startServer(t, "").mnt, mounttest.FSXConfig{})
}

// TestBasicOps checks a few operations end to end, and what
// /proc/self/mountinfo says about the mount.
func TestBasicOps(t *testing.T) {
	mnt := startServer(t, "").mnt
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
	// The kernel's read-ahead window, widened from its 128 KiB default.
	if ra, err := fusedev.ReadAhead(mnt); err != nil || ra != maxReadahead {
		t.Errorf("read-ahead window %d, %v; want %d", ra, err, maxReadahead)
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
	mnt := startServer(t, "").mnt
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
	mnt := startServer(t, "readonly").mnt
	err := os.WriteFile(filepath.Join(mnt, "f"), nil, 0o644)
	if !errors.Is(err, syscall.EROFS) {
		t.Errorf("write on a read-only mount: %v, want EROFS", err)
	}
	if err := os.Mkdir(filepath.Join(mnt, "d"), 0o755); !errors.Is(err, syscall.EROFS) {
		t.Errorf("mkdir on a read-only mount: %v, want EROFS", err)
	}
}

// TestExternalUnmount checks that Done closes when someone else unmounts.
func TestExternalUnmount(t *testing.T) {
	s := startServer(t, "")
	if err := syscall.Unmount(s.mnt, 0); err != nil {
		t.Fatal(err)
	}
	if got := s.done(t); got != "ok" {
		t.Errorf("serve loop after an external unmount: %s", got)
	}
}

// TestUnmount checks that Unmount unmounts and Done follows.
func TestUnmount(t *testing.T) {
	s := startServer(t, "")
	if got := s.unmount(t, false); got != "ok" {
		t.Fatalf("unmount: %s", got)
	}
	if got := s.done(t); got != "ok" {
		t.Errorf("serve loop after unmount: %s", got)
	}
	if err := syscall.Rmdir(s.mnt); err != nil {
		t.Errorf("the mount point after unmount: %v", err)
	}
}

// TestBusyUnmount checks that a busy mount refuses a plain unmount with
// ErrBusy naming who holds it, and goes with a lazy one.
func TestBusyUnmount(t *testing.T) {
	s := startServer(t, "")
	f, err := os.Create(filepath.Join(s.mnt, "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	self := fmt.Sprintf("pid %d (", os.Getpid())
	if got := s.unmount(t, false); !strings.Contains(got, sdk.ErrBusy.Error()) ||
		!strings.Contains(got, s.mnt) || !strings.Contains(got, self) {
		t.Errorf("unmount with an open file: %s; want %q naming %s and %s", got, sdk.ErrBusy, s.mnt, self)
	}
	if got := s.unmount(t, true); got != "ok" {
		t.Errorf("lazy unmount: %s", got)
	}
	if _, err := f.WriteString("still works"); err != nil {
		t.Errorf("write to a file open on a lazily unmounted mount: %v", err)
	}
	f.Close()
	if got := s.done(t); got != "ok" {
		t.Errorf("serve loop after the last file closed: %s", got)
	}
}

// TestMountErrors checks that a bad mounting point fails before mounting.
// Nothing is mounted, so it runs in the test process.
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
			t.Errorf("mount on %s returned a mount", point)
			m.Unmount(ctx, true)
		}
	}
}

// TestAvailable checks the driver's registration and availability.
func TestAvailable(t *testing.T) {
	if err := (Driver{}).Available(); err != nil {
		t.Fatalf("available: %v", err) // this machine has /dev/fuse and fusermount3
	}
	d, err := core.LookupDriver(Name)
	if err != nil || d.Name() != Name {
		t.Errorf("LookupDriver(%q) = %v, %v", Name, d, err)
	}
	t.Setenv("PATH", t.TempDir())
	if err := (Driver{}).Available(); !errors.Is(err, core.ErrDriverUnavailable) || !strings.Contains(err.Error(), "fuse3") {
		t.Errorf("available without fusermount3: %v", err)
	}
}

// TestUnmountAfterExternalUnmount checks the Mounted API in process: after
// someone else unmounted, Done closes, Err is nil and Unmount is a no-op.
// The test process never touches the mount, so serving it here is safe.
func TestUnmountAfterExternalUnmount(t *testing.T) {
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	v := memVFS(vfs.Options{})
	m, err := Driver{}.Mount(ctx, v, mnt, core.MountOptions{FSName: "memfs"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Unmount(ctx, true) // if the test fails early
	if m.Point() != mnt {
		t.Errorf("Point() = %q, want %q", m.Point(), mnt)
	}
	select {
	case <-m.Done():
		t.Fatal("Done closed while mounted")
	default:
	}
	if err := syscall.Unmount(mnt, 0); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done not closed 10s after an external unmount")
	}
	if err := m.Err(); err != nil {
		t.Errorf("Err after an external unmount: %v", err)
	}
	if err := m.Unmount(ctx, false); err != nil {
		t.Errorf("Unmount after an external unmount: %v", err)
	}
	if err := v.Close(ctx); err != nil {
		t.Errorf("close: %v", err)
	}
}

// TestNegativeEntries checks that a failed lookup is cached for
// NegativeTimeout, and not at all by default.
func TestNegativeEntries(t *testing.T) {
	for opts, cached := range map[string]bool{"": false, "negative": true} {
		t.Run(fmt.Sprintf("cached=%v", cached), func(t *testing.T) {
			s := startServer(t, opts)
			p := filepath.Join(s.mnt, "late")
			if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("lstat before the file exists: %v", err)
			}
			if _, err := fmt.Fprintln(s.in, "touch late"); err != nil {
				t.Fatal(err)
			}
			if got := s.next(t, "touch: "); got != "touch: ok" {
				t.Fatal(got)
			}
			_, err := os.Lstat(p)
			if cached && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("lstat within the negative timeout: %v, want the cached ENOENT", err)
			}
			if !cached && err != nil {
				t.Errorf("lstat without negative caching: %v", err)
			}
		})
	}
}
