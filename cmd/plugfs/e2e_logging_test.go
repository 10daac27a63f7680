//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDaemonPerVolumeDebug: mount.debug logs every operation of that
// volume, with its volume, plugin and operation fields, and nothing of
// the other volume's operations; the daemon's lines are slog key=value.
// (The loud memfs has a size limit, so its writes reach the plugin: it
// would otherwise donate memory files, which the kernel writes itself.)
func TestDaemonPerVolumeDebug(t *testing.T) {
	dir, loud, quiet := t.TempDir(), t.TempDir(), t.TempDir()
	sock, cfg := filepath.Join(dir, "plugfs.sock"), filepath.Join(dir, "config.yaml")
	writeConfig(t, cfg, fmt.Sprintf(`volumes:
  - name: loud
    plugin: memfs
    options: {size: 1G}
    mountpoints: [%s]
    mount: {debug: true}
  - name: quiet
    plugin: memfs
    mountpoints: [%s]
`, loud, quiet))
	d := startDaemon(t, cfg, sock, "--log-level", "info")
	for _, mnt := range []string{loud, quiet} {
		if err := os.WriteFile(filepath.Join(mnt, "f"), []byte("hello"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	var log string
	for {
		log = d.stderr.String()
		if strings.Contains(log, "op=Write") || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var ops []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "msg=operation") {
			ops = append(ops, line)
		}
	}
	if len(ops) == 0 {
		t.Fatalf("no operation lines in the daemon's log:\n%s", log)
	}
	sawWrite := false
	for _, line := range ops {
		if !strings.Contains(line, "volume=loud") || !strings.Contains(line, "plugin=memfs") || !strings.Contains(line, " result=") {
			t.Errorf("operation line without the loud volume's fields: %s", line)
		}
		if strings.Contains(line, "volume=quiet") {
			t.Errorf("the quiet volume's operation was logged: %s", line)
		}
		if strings.Contains(line, "op=Write") && strings.Contains(line, "bytes=5") {
			sawWrite = true
		}
	}
	if !sawWrite {
		t.Errorf("no op=Write bytes=5 line:\n%s", strings.Join(ops, "\n"))
	}
	if !strings.Contains(log, "level=INFO msg=ready") {
		t.Errorf("the daemon's lines are not slog key=value:\n%s", log)
	}
}
