//go:build linux

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// waitPluginPID waits until mnt's listed plugin pid satisfies ok.
func waitPluginPID(t *testing.T, mnt, what string, ok func(pid int) bool) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pid := recordOf(t, mnt).PluginPID
		if ok(pid) {
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: plugin pid is %d after 10s", what, pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLazyVolume: with --lazy the mounting point is there at once and the
// plugin is not running; the first access starts it, an open file keeps
// it, and --idle-timeout stops it again once unused; the data (local's,
// on disk) is there each time it wakes.
func TestLazyVolume(t *testing.T) {
	root := t.TempDir()
	mnt := mountBackground(t, "local", "--opt", "root="+root, "--lazy", "--idle-timeout", "700ms")
	// The plugin's announce run has ended, and mounting itself did not
	// wake it (go-fuse's poll hack opens a name on the new mount, which
	// asks for the root's attributes).
	for end := time.Now().Add(400 * time.Millisecond); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if pid := recordOf(t, mnt).PluginPID; pid != 0 {
			t.Fatalf("the plugin of a lazy volume was started (pid %d) by the mount, with no access", pid)
		}
	}

	if err := os.WriteFile(filepath.Join(mnt, "f"), []byte("woken"), 0o644); err != nil {
		t.Fatalf("first access to a lazy volume: %v", err)
	}
	first := waitPluginPID(t, mnt, "no plugin after the first access", func(pid int) bool { return pid != 0 })
	waitPluginPID(t, mnt, "idle plugin still running", func(pid int) bool { return pid == 0 })
	// The record drops the pid as the stop begins; the process may take a
	// moment more to exit and be reaped.
	for deadline := time.Now().Add(3 * time.Second); syscall.Kill(first, 0) == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("plugin %d still alive 3s after it was stopped for idleness", first)
			break
		}
	}

	f, err := os.Open(filepath.Join(mnt, "f"))
	if err != nil {
		t.Fatalf("open after the plugin stopped: %v", err)
	}
	second := waitPluginPID(t, mnt, "no plugin after the next access", func(pid int) bool { return pid != 0 })
	time.Sleep(2 * time.Second) // well past the idle timeout, with the file open
	if pid := recordOf(t, mnt).PluginPID; pid != second {
		t.Errorf("plugin %d stopped (now %d) while a file was open", second, pid)
	}
	buf := make([]byte, 16)
	n, err := f.Read(buf)
	if err != nil || string(buf[:n]) != "woken" {
		t.Errorf("read through the open file: %q %v", buf[:n], err)
	}
	f.Close()
	waitPluginPID(t, mnt, "plugin still running after the last close", func(pid int) bool { return pid == 0 })

	r := plugfs(t, nil, "mount", "local", t.TempDir(), "--opt", "root="+root, "--idle-timeout", "-1s")
	if r.code != exitUsage {
		t.Errorf("a negative idle timeout: exit %d: %s", r.code, r.stderr)
	}
}
