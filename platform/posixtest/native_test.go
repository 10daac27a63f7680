//go:build linux

package posixtest

import (
	"syscall"
	"testing"
)

// TestNative proves the suite against the kernel's own tmpfs: a test that
// fails there is wrong, not the file system under test.
func TestNative(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=8g"); err != nil {
		t.Fatalf("mount tmpfs (the suite runs as root): %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	RunAll(t, dir, nil)
	t.Run("FSX", func(t *testing.T) { RunFSX(t, dir, FSXConfig{}) })
}
