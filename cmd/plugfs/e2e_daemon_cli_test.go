//go:build linux

package main

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestMountThroughDaemon: with a daemon at PLUGFS_SOCKET, plugfs mount and
// unmount go through it; its errors keep their exit codes; --standalone
// serves from the command's own process.
func TestMountThroughDaemon(t *testing.T) {
	dir, a, b, ro, solo := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	sock, cfg := filepath.Join(dir, "plugfs.sock"), filepath.Join(dir, "config.yaml")
	writeConfig(t, cfg, "volumes: []\n")
	env := []string{"PLUGFS_SOCKET=" + sock}
	startDaemon(t, cfg, sock)

	r := plugfs(t, env, "mount", "memfs", a)
	if r.code != 0 {
		t.Fatalf("mount through the daemon: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	t.Cleanup(func() { forceUnmount(t, a) })
	mustContain(t, "mount output", r.stdout, "through the plugfs daemon", "volume memfs")
	if err := os.WriteFile(filepath.Join(a, "f"), []byte("served by the daemon"), 0o644); err != nil {
		t.Fatal(err)
	}
	row := daemonRow(t, sock, a)
	if row.Volume != "memfs" || row.PluginPID <= 0 {
		t.Errorf("daemon row %+v: want volume memfs with a plugin", row.Record)
	}

	// A second mount of the same plugin gets the next free name.
	r = plugfs(t, env, "mount", "memfs", b, "--opt", "size=1M")
	if r.code != 0 {
		t.Fatalf("second mount: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	t.Cleanup(func() { forceUnmount(t, b) })
	if row := daemonRow(t, sock, b); row.Volume != "memfs-2" {
		t.Errorf("second volume named %q, want memfs-2", row.Volume)
	}

	// Mount options reach the daemon.
	r = plugfs(t, env, "mount", "memfs", ro, "-o", "ro", "--name", "readonly")
	if r.code != 0 {
		t.Fatalf("read-only mount: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	t.Cleanup(func() { forceUnmount(t, ro) })
	if err := os.WriteFile(filepath.Join(ro, "f"), nil, 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write on the daemon's -o ro mount: %v, want EROFS", err)
	}

	// Errors found by the daemon keep their exit codes (the plugin
	// refuses the option: 24), and nothing is left mounted.
	bad := t.TempDir()
	r = plugfs(t, env, "mount", "memfs", bad, "--opt", "colour=blue")
	if r.code != exitPluginOption {
		t.Errorf("unknown plugin option through the daemon: exit %d, want %d: %s", r.code, exitPluginOption, r.stderr)
	}
	mustContain(t, "refused option", r.stderr, "colour")
	if mounted(bad) {
		t.Errorf("%s left mounted after a refused mount", bad)
	}
	// A name the daemon already runs, chosen by the user: the volume
	// state error (exit 1), not a silent rename.
	r = plugfs(t, env, "mount", "memfs", bad, "--name", "memfs")
	if r.code == 0 || mounted(bad) {
		t.Errorf("mount with a taken --name: exit %d, mounted %v", r.code, mounted(bad))
	}
	// Flags for the serving process are refused, naming --standalone.
	r = plugfs(t, env, "mount", "memfs", bad, "--log-file", filepath.Join(dir, "log"))
	if r.code != exitUsage {
		t.Errorf("--log-file through the daemon: exit %d, want %d", r.code, exitUsage)
	}
	mustContain(t, "--log-file refusal", r.stderr, "--standalone")

	// unmount goes through the daemon, which stops the volume.
	r = plugfs(t, env, "unmount", a)
	if r.code != 0 {
		t.Fatalf("unmount through the daemon: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	mustContain(t, "unmount output", r.stdout, "stopped volume memfs")
	if mounted(a) {
		t.Errorf("%s still mounted after unmount", a)
	}
	r = plugfs(t, env, "list", "--json")
	for _, row := range parseRows(t, r.stdout) {
		if row.Volume == "memfs" {
			t.Errorf("volume memfs still listed after unmount: %+v", row)
		}
	}

	// --standalone: served by the command itself, with a run record.
	r = plugfs(t, env, "mount", "--standalone", "--background", "memfs", solo)
	if r.code != 0 {
		t.Fatalf("standalone mount: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	t.Cleanup(func() { forceUnmount(t, solo) })
	rec := recordOf(t, solo)
	if rec.Daemon || rec.ServerPID <= 0 {
		t.Errorf("standalone mount listed as %+v, want its own server", rec)
	}
	if r = plugfs(t, env, "unmount", solo); r.code != 0 || mounted(solo) {
		t.Errorf("unmount of the standalone mount: exit %d, mounted %v: %s", r.code, mounted(solo), r.stderr)
	}
}
