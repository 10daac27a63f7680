package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core/daemon"
)

func TestParseConfig(t *testing.T) {
	lc, err := parseConfigBytes("c.yaml", []byte(`
daemon:
  socket: /run/x.sock
  shutdown_timeout: 10s
volumes:
  - name: a
    plugin: memfs
    options: {size: 1G, n: 3, flag: true, empty: }
    mountpoints: [/mnt/a, /mnt/b]
    mount:
      read_only: true
      allow_other: false
      attr_timeout: 0
      op_timeout: 1m
      data_plane: shm
      passthrough: false
      writeback: on
      readahead: true
    restart: {backoff_min: 50ms, backoff_max: 2s, wait: 1s}
  - name: b
    plugin: /opt/p
    mountpoints: [/mnt/c]
`))
	if err != nil {
		t.Fatal(err)
	}
	if lc.Daemon.Socket != "/run/x.sock" || lc.Daemon.ShutdownTimeout != 10*time.Second {
		t.Errorf("daemon section %+v", lc.Daemon)
	}
	if len(lc.Volumes.Volumes) != 2 {
		t.Fatalf("volumes %+v", lc.Volumes)
	}
	a, b := lc.Volumes.Volumes[0], lc.Volumes.Volumes[1]
	if a.Options["size"] != "1G" || a.Options["n"] != "3" || a.Options["flag"] != "true" || a.Options["empty"] != "" {
		t.Errorf("options %v", a.Options)
	}
	if !a.Mount.ReadOnly || a.Mount.AllowOther == nil || *a.Mount.AllowOther || a.Mount.AttrTimeout != -1 || a.Mount.OpTimeout != time.Minute {
		t.Errorf("mount %+v", a.Mount)
	}
	if a.Mount.DataPlane != "shm" || !a.Mount.NoPassthrough || a.Mount.Writeback != "on" || !a.Mount.ReadAhead || a.Mount.NoReadAhead {
		t.Errorf("data plane %q, no passthrough %v, writeback %q, read-ahead %v", a.Mount.DataPlane, a.Mount.NoPassthrough, a.Mount.Writeback, a.Mount.ReadAhead)
	}
	if a.Mount.EntryTimeout != time.Second || a.Mount.StartTimeout != 10*time.Second {
		t.Errorf("defaults not applied: %+v", a.Mount)
	}
	if a.Restart != (daemon.RestartSpec{BackoffMin: 50 * time.Millisecond, BackoffMax: 2 * time.Second, Wait: time.Second}) {
		t.Errorf("restart %+v", a.Restart)
	}
	if b.Mount.AllowOther != nil || b.Mount.AttrTimeout != time.Second || b.Plugin != "/opt/p" || b.Mount.DataPlane != "" || b.Mount.NoPassthrough || b.Mount.ReadAhead || b.Mount.NoReadAhead {
		t.Errorf("second volume %+v", b)
	}
	if lc.dec.lineOf("volumes[1].mountpoints[0]") != 22 || lc.dec.lineOf("volumes[0].mount.nosuch") != 10 {
		t.Errorf("lines: %d %d", lc.dec.lineOf("volumes[1].mountpoints[0]"), lc.dec.lineOf("volumes[0].mount.nosuch"))
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"", ""}, // empty: no volumes, valid
		{"volumes: []\n---\nvolumes: []\n", "c.yaml:2: more than one YAML document"},
		{"volumes: {a: 1}\n", "c.yaml:1: volumes: want a list, got a mapping"},
		{"volumes:\n  - name: [x]\n", "c.yaml:2: volumes[0].name: want a string, got a list"},
		{"volumes:\n  - options: {a: [1]}\n", "c.yaml:2: volumes[0].options.a: want a plain value"},
		{"volumes:\n  - restart: {wait: soon}\n", `c.yaml:2: volumes[0].restart.wait: want a duration such as 30s or 1m30s (with a unit), got "soon"`},
		{"daemon: {<<: {socket: x}}\n", "merge keys"},
		{"volumes:\n  - name: a\n    plugin: p\n    mountpoints: [rel]\n", `c.yaml:4: volumes[0].mountpoints[0]: "rel" is not an absolute path`},
		{"volumes:\n  - name: a\n    plugin: p\n    mountpoints: [/a]\n    mount: {attr_timeout: -1s}\n", "c.yaml:5: volumes[0].mount.attr_timeout: negative duration (0s turns the cache off)"},
		{"volumes:\n  - name: a\n    plugin: p\n    mountpoints: [/a]\n    mount: {data_plane: fast}\n", `c.yaml:5: volumes[0].mount.data_plane: unknown data plane "fast": use auto, shm, messages or grpc`},
		{"volumes:\n  - name: a\n    plugin: p\n    mountpoints: [/a]\n    mount: {passthrough: maybe}\n", "c.yaml:5: volumes[0].mount.passthrough: want true or false"},
		{"volumes:\n  - name: a\n    plugin: p\n    mountpoints: [/a]\n    mount: {writeback: always}\n", `c.yaml:5: volumes[0].mount.writeback: unknown writeback setting "always": use auto, on or off`},
		{"volumes:\n  - name: a\n    plugin: p\n    mountpoints: [/a]\n    mount: {lazy: true, idle_timeout: -5m}\n", "c.yaml:5: volumes[0].mount.idle_timeout: negative duration"},
		{"volumes:\n  - name: a\n    plugin: p\n    mountpoints: [/a]\n    mount: {lazy: true, idle_timeout: 5m}\n", ""},
	} {
		_, err := parseConfigBytes("c.yaml", []byte(c.text))
		if c.want == "" {
			if err != nil {
				t.Errorf("%q: %v", c.text, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.text, err, c.want)
		}
		if err != nil && (!errors.Is(err, errConfigInvalid) || exitCode(err) != exitConfigInvalid) {
			t.Errorf("%q: exit code %d for %v", c.text, exitCode(err), err)
		}
	}
}

func TestParseConfigSeveralProblems(t *testing.T) {
	_, err := parseConfigBytes("c.yaml", []byte("volumes:\n  - name: a\n    plugin: p\n  - name: a\n    mountpoints: [/m]\n"))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"3 problems", "c.yaml:2: volumes[0].mountpoints", "c.yaml:4: volumes[1].name", "c.yaml:4: volumes[1].plugin"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v\ndoes not say %q", err, want)
		}
	}
}
