//go:build linux

package main

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestDaemonDirtyStart kills a daemon and its plugin outright, leaving a
// dead FUSE mount, and checks that the next daemon detaches it and mounts
// the volume again within seconds.
func TestDaemonDirtyStart(t *testing.T) {
	dir := t.TempDir()
	mnt := t.TempDir()
	t.Cleanup(func() { forceUnmount(t, mnt) })
	sock := filepath.Join(dir, "plugfs.sock")
	cfg := filepath.Join(dir, "config.yaml")
	writeConfig(t, cfg, "volumes:\n  - name: scratch\n    plugin: memfs\n    mountpoints: ["+mnt+"]\n")
	d := startDaemon(t, cfg, sock)
	if err := os.WriteFile(filepath.Join(mnt, "before"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	plugin := daemonRow(t, sock, mnt).PluginPID
	if plugin <= 0 {
		t.Fatalf("no plugin pid for %s", mnt)
	}
	if err := d.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-d.done
	_ = syscall.Kill(plugin, syscall.SIGKILL)
	waitGone(t, plugin, 5*time.Second)
	if _, err := os.Stat(mnt); !errors.Is(err, syscall.ENOTCONN) {
		t.Fatalf("after SIGKILL, stat %s = %v; want ENOTCONN (a dead mount)", mnt, err)
	}

	start := time.Now()
	d2 := startDaemon(t, cfg, sock)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("dirty start took %v", took)
	}
	if err := os.WriteFile(filepath.Join(mnt, "after"), []byte("y"), 0o644); err != nil {
		t.Fatalf("write after the dirty start: %v\n%s", err, d2.stderr.String())
	}
	if _, err := os.Stat(filepath.Join(mnt, "before")); !os.IsNotExist(err) {
		t.Errorf("memfs content survived its plugin's death: %v", err)
	}
	if row := daemonRow(t, sock, mnt); row.ServerPID != d2.cmd.Process.Pid || row.State != "mounted" {
		t.Errorf("after the dirty start: %+v", row)
	}
	mustContain(t, "daemon log", d2.stderr.String(), "stale plugfs mount")
	d2.stop(t, 15*time.Second)
	assertNotMounted(t, mnt)
}
