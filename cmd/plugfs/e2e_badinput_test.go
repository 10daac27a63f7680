//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/internal/testplugin"
	"github.com/plugfs/plugfs/platform/unmount"
)

// TestBadInput checks that every kind of bad input fails with its own exit
// code and a message naming the problem, and leaves no mount, no record and
// no plugin process behind.
func TestBadInput(t *testing.T) {
	type tc struct {
		name   string
		setup  func(t *testing.T) string // returns the mount point
		plugin string
		args   []string
		env    []string
		code   int
		say    []string
		within time.Duration
	}
	emptyDir := func(t *testing.T) string { return t.TempDir() }
	tests := []tc{
		{name: "mountpoint missing", setup: func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") },
			plugin: "memfs", code: exitMountPointMissing, say: []string{"does not exist", "mkdir"}},
		{name: "mountpoint is a file", setup: func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "file")
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}, plugin: "memfs", code: exitMountPointNotDir, say: []string{"not a directory"}},
		{name: "mountpoint not empty", setup: func(t *testing.T) string {
			d := t.TempDir()
			if err := os.WriteFile(filepath.Join(d, "x"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			return d
		}, plugin: "memfs", code: exitMountPointNotEmpty, say: []string{"not empty"}},
		{name: "mountpoint already a mount", setup: func(t *testing.T) string {
			d := t.TempDir()
			if err := syscall.Mount("tmpfs", d, "tmpfs", 0, "size=1m"); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = syscall.Unmount(d, syscall.MNT_DETACH) })
			return d
		}, plugin: "memfs", code: exitMountPointBusy, say: []string{"already"}},
		{name: "unknown plugin", setup: emptyDir, plugin: "nosuchfs", code: exitPluginUnknown,
			say: []string{"nosuchfs", "memfs", "local"}},
		{name: "plugin path missing", setup: emptyDir, plugin: "/nonexistent/plugin", code: exitPluginUnknown,
			say: []string{"does not exist"}},
		{name: "plugin exits at start", setup: emptyDir, plugin: "TESTPLUGIN", env: []string{testplugin.ModeEnv + "=" + testplugin.ModeExit},
			code: exitPluginStart, say: []string{"cannot open my database"}},
		{name: "plugin hangs at start", setup: emptyDir, plugin: "TESTPLUGIN", env: []string{testplugin.ModeEnv + "=" + testplugin.ModeHang},
			args: []string{"--start-timeout", "1s"}, code: exitPluginTimeout, say: []string{"timeout"}, within: 6 * time.Second},
		{name: "plugin hangs in Init", setup: emptyDir, plugin: "TESTPLUGIN", args: []string{"--start-timeout", "1s", "--opt", "hang_init=true"},
			code: exitPluginTimeout, within: 6 * time.Second},
		{name: "wrong magic cookie", setup: emptyDir, plugin: "TESTPLUGIN", env: []string{testplugin.ModeEnv + "=" + testplugin.ModeCookie},
			code: exitPluginProtocol, say: []string{"magic cookie"}},
		{name: "wrong protocol version", setup: emptyDir, plugin: "TESTPLUGIN", env: []string{testplugin.ModeEnv + "=" + testplugin.ModeVersion},
			code: exitPluginProtocol, say: []string{"version"}},
		{name: "not a plugin", setup: emptyDir, plugin: "TESTPLUGIN", env: []string{testplugin.ModeEnv + "=" + testplugin.ModeGarbage},
			code: exitPluginProtocol, say: []string{"hello, I am not a plugin"}},
		{name: "unknown plugin option", setup: emptyDir, plugin: "memfs", args: []string{"--opt", "colour=blue"},
			code: exitPluginOption, say: []string{"colour", "known options"}},
		{name: "malformed plugin option", setup: emptyDir, plugin: "memfs", args: []string{"--opt", "size"},
			code: exitUsage, say: []string{"key=value"}},
		{name: "bad option value", setup: emptyDir, plugin: "memfs", args: []string{"--opt", "size=lots"},
			code: exitPluginOption, say: []string{"size"}},
		{name: "unknown mount option", setup: emptyDir, plugin: "memfs", args: []string{"-o", "turbo"},
			code: exitUsage, say: []string{"turbo", "allow_other"}},
		{name: "local root missing", setup: emptyDir, plugin: "local", args: []string{"--opt", "root=/nonexistent/data"},
			code: exitPluginOption, say: []string{"/nonexistent/data"}},
		{name: "local root not given", setup: emptyDir, plugin: "local",
			code: exitPluginOption, say: []string{"root", "required"}},
		{name: "writeback for files that change elsewhere", setup: emptyDir, plugin: "local", args: []string{"--opt", "root=" + os.TempDir(), "-o", "writeback=on"},
			code: exitPluginOption, say: []string{"writeback=on", "exclusive data", "auto or off"}},
		{name: "unknown driver", setup: emptyDir, plugin: "memfs", args: []string{"--driver", "warp"},
			code: exitDriverUnknown, say: []string{"warp"}},
		{name: "flags on a directory", setup: emptyDir, plugin: "memfs", args: []string{"--point-flags", "hidden"},
			code: exitMountPointInvalid, say: []string{"hidden", "a directory takes none"}},
		{name: "unknown point flag", setup: emptyDir, plugin: "memfs", args: []string{"--point-flags", "sparkly"},
			code: exitUsage, say: []string{"sparkly", "known"}},
		{name: "drive letter outside Windows", setup: emptyDir, plugin: "memfs", args: []string{"Z:"},
			code: exitMountPointInvalid, say: []string{"only Windows has"}},
	}
	for _, tc := range tests {
		for _, bg := range []bool{false, true} {
			name := tc.name
			if bg {
				name += "/background"
			}
			t.Run(name, func(t *testing.T) {
				mnt := tc.setup(t)
				plugin := tc.plugin
				if plugin == "TESTPLUGIN" {
					plugin = testPluginBin
				}
				args := append([]string{"mount", plugin, mnt}, tc.args...)
				if bg {
					args = append(args, "--background")
				}
				began := time.Now()
				r := plugfs(t, tc.env, args...)
				if r.code != tc.code {
					t.Fatalf("exit %d, want %d; stderr: %s", r.code, tc.code, r.stderr)
				}
				mustContain(t, "message", r.stderr, tc.say...)
				if tc.within > 0 && time.Since(began) > tc.within {
					t.Errorf("took %v, want under %v", time.Since(began), tc.within)
				}
				if typ, mounted := unmount.FSType(mnt); mounted && strings.HasPrefix(typ, "fuse") {
					t.Errorf("a %s mount is left at %s", typ, mnt)
					_ = unmount.Unmount(mnt, true)
				}
				if rows := listRows(t); len(rows) != 0 {
					t.Errorf("plugfs list shows %v after a failed mount", rows)
				}
				assertNoStrayPlugin(t)
			})
		}
	}
}

// assertNoStrayPlugin fails if a plugin process of ours outlives a failed
// mount: the test plugin's binary, or a built-in served by plugfs itself.
func assertNoStrayPlugin(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		stray := strayPlugins()
		if len(stray) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("plugin processes left running: %v", stray)
			for _, pid := range stray {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func strayPlugins() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid := 0
		for _, c := range e.Name() {
			if c < '0' || c > '9' {
				pid = -1
				break
			}
			pid = pid*10 + int(c-'0')
		}
		if pid <= 0 {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		args := strings.Split(string(cmdline), "\x00")
		if args[0] == testPluginBin || (args[0] == plugfsBin && len(args) > 1) {
			// a zombie reaped late is not a stray process
			if st, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil && strings.Contains(string(st), ") Z ") {
				continue
			}
			out = append(out, pid)
		}
	}
	return out
}
