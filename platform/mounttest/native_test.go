//go:build linux

package mounttest

import (
	"os"
	"path/filepath"
	"strings"
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

// TestMountedDir runs the suite and the integrity checker against a
// directory on any mounted file system, named by PLUGFS_MOUNTTEST_DIR, for
// trying a mount by hand; PLUGFS_MOUNTTEST_SKIP lists tests (comma
// separated) to skip. Without PLUGFS_MOUNTTEST_DIR it is skipped.
func TestMountedDir(t *testing.T) {
	dir := os.Getenv("PLUGFS_MOUNTTEST_DIR")
	if dir == "" {
		t.Skip("set PLUGFS_MOUNTTEST_DIR to run the suite against a mounted directory")
	}
	skip := Skip{}
	for _, name := range strings.Split(os.Getenv("PLUGFS_MOUNTTEST_SKIP"), ",") {
		if name != "" {
			skip[name] = "skipped by PLUGFS_MOUNTTEST_SKIP"
		}
	}
	RunAll(t, dir, skip)
	t.Run("FSX", func(t *testing.T) {
		fsxDir := filepath.Join(dir, "fsx")
		check(t, os.Mkdir(fsxDir, 0o755), "mkdir")
		t.Cleanup(func() { os.Remove(fsxDir) }) // after RunFSX's own cleanup
		RunFSX(t, fsxDir, FSXConfig{})
	})
}
