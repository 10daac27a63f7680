//go:build linux

package mounttest

import (
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// mountTmpfs mounts a fresh tmpfs in a temporary directory and unmounts
// it when the test ends.
func mountTmpfs(t *testing.T) string {
	t.Helper()
	mnt := filepath.Join(t.TempDir(), "tmpfs")
	check(t, unix.Mkdir(mnt, 0o755), "mkdir mount point")
	if err := unix.Mount("mounttest", mnt, "tmpfs", 0, "mode=0755"); err != nil {
		t.Fatalf("mount tmpfs on %s (this test needs root): %v", mnt, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(mnt, 0); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	return mnt
}

// TestTmpfs proves the suite against the reference: the kernel's tmpfs.
// Everything must pass here; a failure is a bug in the suite.
func TestTmpfs(t *testing.T) {
	RunAll(t, mountTmpfs(t))
}

// TestDisk runs the suite on a directory of the root disk.
func TestDisk(t *testing.T) {
	RunAll(t, t.TempDir())
}

// TestFSXTmpfs runs the integrity checker on tmpfs.
func TestFSXTmpfs(t *testing.T) {
	RunFSX(t, mountTmpfs(t), FSXConfig{})
}

// TestFSXDisk runs the integrity checker on the root disk.
func TestFSXDisk(t *testing.T) {
	RunFSX(t, t.TempDir(), FSXConfig{})
}
