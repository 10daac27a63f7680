//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/plugfs/plugfs/platform/runstate"
	"github.com/plugfs/plugfs/platform/unmount"
)

// withMountHelper links /sbin/mount.plugfs to the test binary for the
// test, if no mount.plugfs is installed.
func withMountHelper(t *testing.T) {
	t.Helper()
	helper := "/sbin/" + mountHelperName
	if _, err := os.Lstat(helper); err == nil {
		t.Fatalf("%s exists already: the test will not replace it", helper)
	}
	if err := os.Symlink(plugfsBin, helper); err != nil {
		t.Fatalf("link %s (needs root): %v", helper, err)
	}
	t.Cleanup(func() { os.Remove(helper) })
}

// runMount runs mount(8) or umount(8) and fails the test on error.
func runMount(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v: %s", name, args, err, out)
	}
}

// umountAndWait unmounts mnt with umount(8) and waits for its server.
func umountAndWait(t *testing.T, mnt string) {
	t.Helper()
	rec, err := runstate.Get(runDir, mnt)
	if err != nil {
		t.Fatalf("no run record for %s: %v", mnt, err)
	}
	runMount(t, "umount", mnt)
	waitGone(t, rec.ServerPID, 10*time.Second)
	assertNotMounted(t, mnt)
}

// TestMountHelper mounts through the real mount(8): by type on the command
// line, then from an fstab file with options mount(8) and systemd use.
func TestMountHelper(t *testing.T) {
	withMountHelper(t)
	mnt := t.TempDir()
	t.Cleanup(func() { forceUnmount(t, mnt) })
	runMount(t, "mount", "-t", "plugfs", "memfs", mnt, "-o", "opt.size=8M")
	if typ, ok := unmount.FSType(mnt); !ok || typ != "fuse.plugfs" {
		t.Fatalf("after mount -t plugfs: type %q mounted=%v", typ, ok)
	}
	if err := os.WriteFile(filepath.Join(mnt, "f"), []byte("x"), 0o644); err != nil {
		t.Fatalf("write through the helper's mount: %v", err)
	}
	umountAndWait(t, mnt)

	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "data"), []byte("from fstab"), 0o644); err != nil {
		t.Fatal(err)
	}
	fstab := filepath.Join(t.TempDir(), "fstab")
	line := "# test fstab\nlocal#" + src + " " + mnt + " plugfs ro,noauto,nofail,_netdev,x-systemd.automount,defaults 0 0\n"
	if err := os.WriteFile(fstab, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	runMount(t, "mount", "-T", fstab, mnt)
	b, err := os.ReadFile(filepath.Join(mnt, "data"))
	if err != nil || string(b) != "from fstab" {
		t.Fatalf("read through the fstab mount: %q, %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(mnt, "new"), nil, 0o644); err == nil {
		t.Errorf("the fstab line says ro, but a file could be created")
	}
	umountAndWait(t, mnt)
}
