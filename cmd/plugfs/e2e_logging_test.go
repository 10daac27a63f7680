//go:build linux

package main

import (
	"encoding/json"
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

// TestDaemonLogFormat: daemon.log_format json writes one JSON object per
// line; an unknown format is refused with its key and line.
func TestDaemonLogFormat(t *testing.T) {
	dir, mnt := t.TempDir(), t.TempDir()
	sock, cfg := filepath.Join(dir, "plugfs.sock"), filepath.Join(dir, "config.yaml")
	writeConfig(t, cfg, fmt.Sprintf("daemon:\n  log_format: json\nvolumes:\n  - name: v\n    plugin: memfs\n    mountpoints: [%s]\n", mnt))
	d := startDaemon(t, cfg, sock, "--log-level", "info")
	d.stop(t, 30*time.Second)
	lines := strings.Split(strings.TrimSpace(d.stderr.String()), "\n")
	sawReady := false
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Errorf("not a JSON line: %q (%v)", l, err)
			continue
		}
		if rec["msg"] == "ready" && rec["level"] == "INFO" {
			sawReady = true
		}
	}
	if !sawReady {
		t.Errorf("no JSON ready line:\n%s", d.stderr.String())
	}
	bad := filepath.Join(dir, "bad.yaml")
	writeConfig(t, bad, "daemon:\n  log_format: xml\nvolumes: []\n")
	r := plugfs(t, nil, "config", "check", bad)
	if r.code != exitConfigInvalid {
		t.Errorf("config check with log_format xml: exit %d, want %d", r.code, exitConfigInvalid)
	}
	mustContain(t, "log_format refusal", r.stderr, "daemon.log_format", "bad.yaml:2", "text or json")
}
