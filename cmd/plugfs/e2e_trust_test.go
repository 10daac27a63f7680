//go:build linux

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// installHello installs the hello example into a fresh plugin directory
// and returns the directory and the --plugin-dir argument.
func installHello(t *testing.T) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "plugins")
	flag := "--plugin-dir=" + dir
	r := plugfs(t, nil, flag, "plugin", "install", helloBin)
	if r.code != 0 {
		t.Fatalf("plugin install: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	st, err := os.Stat(filepath.Join(dir, "hello"))
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("installed hello: %v, %v; want mode 0755", st, err)
	}
	b, _ := os.ReadFile(helloBin)
	sum := sha256.Sum256(b)
	mustContain(t, "install output", r.stdout, hex.EncodeToString(sum[:]))
	idx, err := os.ReadFile(filepath.Join(dir, "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "catalog.json", string(idx), hex.EncodeToString(sum[:]))
	return dir, flag
}

// TestPluginTrust installs a plugin, mounts it, then spoils it in each
// way the trust policy refuses and checks mount, verify and list say so.
func TestPluginTrust(t *testing.T) {
	dir, flag := installHello(t)
	exe := filepath.Join(dir, "hello")
	if r := plugfs(t, nil, flag, "plugin", "verify"); r.code != 0 || !strings.Contains(r.stdout, "ok   hello") {
		t.Fatalf("verify of a fresh install: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	mnt := mountBackground(t, "hello", flag)
	if b, err := os.ReadFile(filepath.Join(mnt, "hello.txt")); err != nil || !strings.Contains(string(b), "Hello") {
		t.Fatalf("read through the installed plugin: %q, %v", b, err)
	}
	forceUnmount(t, mnt)

	orig, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	restore := func() {
		os.Remove(exe)
		if err := os.WriteFile(exe, orig, 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chmod(exe, 0o755)
	}
	for _, tc := range []struct {
		name  string
		spoil func()
		code  int
		say   []string
	}{
		{"tampered", func() {
			b := append([]byte(nil), orig...)
			b[len(b)/2] ^= 0xff
			os.WriteFile(exe, b, 0o755)
		}, exitPluginTampered, []string{"does not match its pinned sha256", exe, "catalog.json", "reinstall"}},
		{"symlink", func() {
			os.Remove(exe)
			os.Symlink(helloBin, exe)
		}, exitPluginUntrusted, []string{"not trusted", exe, "symbolic link", "install the file itself"}},
		{"group-writable", func() { os.Chmod(exe, 0o775) }, exitPluginUntrusted, []string{"not trusted", exe, "group-writable", "chmod go-w " + exe}},
		{"world-writable", func() { os.Chmod(exe, 0o757) }, exitPluginUntrusted, []string{"world-writable", "chmod go-w"}},
		{"wrong owner", func() { os.Chown(exe, 65534, 65534) }, exitPluginUntrusted, []string{"not trusted", exe, "owned by uid 65534", "chown root " + exe}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer restore()
			tc.spoil()
			m := t.TempDir()
			r := plugfs(t, nil, flag, "mount", "hello", m, "--background")
			if r.code != tc.code {
				forceUnmount(t, m)
				t.Fatalf("mount: exit %d, want %d: %s%s", r.code, tc.code, r.stdout, r.stderr)
			}
			mustContain(t, "mount error", r.stderr, tc.say...)
			r = plugfs(t, nil, flag, "plugin", "verify", "hello")
			if r.code != tc.code {
				t.Errorf("verify: exit %d, want %d: %s", r.code, tc.code, r.stdout)
			}
			mustContain(t, "verify output", r.stdout, append([]string{"FAIL hello"}, tc.say...)...)
			r = plugfs(t, nil, flag, "plugin", "list")
			mustContain(t, "list output", r.stdout, "REFUSED")
		})
	}
	// Development mode lets a group-writable plugin run, but not a tampered one.
	os.Chmod(exe, 0o775)
	insecure := []string{"PLUGFS_ALLOW_INSECURE_PLUGINS=true"}
	if r := plugfs(t, insecure, flag, "plugin", "verify", "hello"); r.code != 0 {
		t.Errorf("verify with PLUGFS_ALLOW_INSECURE_PLUGINS: exit %d: %s", r.code, r.stdout)
	}
	os.WriteFile(exe, append(orig, 0), 0o775)
	if r := plugfs(t, insecure, flag, "plugin", "verify", "hello"); r.code != exitPluginTampered {
		t.Errorf("tampered with PLUGFS_ALLOW_INSECURE_PLUGINS: exit %d, want %d", r.code, exitPluginTampered)
	}
}

// TestPluginPinByName pins by PLUGIN@sha256:HEX on the command line.
func TestPluginPinByName(t *testing.T) {
	b, err := os.ReadFile(helloBin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	good := hex.EncodeToString(sum[:])
	bad := strings.Repeat("0", 64)
	if r := plugfs(t, nil, "plugin", "verify", helloBin+"@sha256:"+good); r.code != 0 {
		t.Errorf("verify with the right pin: exit %d: %s", r.code, r.stdout)
	}
	r := plugfs(t, nil, "mount", helloBin+"@sha256:"+bad, t.TempDir(), "--background")
	if r.code != exitPluginTampered {
		t.Fatalf("mount with a wrong pin: exit %d: %s", r.code, r.stderr)
	}
	mustContain(t, "mount error", r.stderr, helloBin, "@sha256: pins "+bad)
	mnt := mountBackground(t, helloBin+"@sha256:"+good)
	if _, err := os.Stat(filepath.Join(mnt, "hello.txt")); err != nil {
		t.Errorf("pinned mount: %v", err)
	}
}

// TestPluginEnv checks that plugins get only the passed variables.
func TestPluginEnv(t *testing.T) {
	t.Setenv("E2E_SECRET_TOKEN", "secret")
	t.Setenv("E2E_PASSED", "passed")
	t.Setenv("PLUGFS_PLUGIN_ENV", "E2E_PASSED")
	mnt := mountBackground(t, "memfs")
	pid := recordOf(t, mnt).PluginPID
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		t.Fatal(err)
	}
	env := string(b)
	mustContain(t, "plugin environment", env, "PATH=", "E2E_PASSED=passed", "PLUGIN_CLIENT_CERT=")
	if strings.Contains(env, "E2E_SECRET_TOKEN") {
		t.Errorf("the plugin inherited E2E_SECRET_TOKEN")
	}
}
