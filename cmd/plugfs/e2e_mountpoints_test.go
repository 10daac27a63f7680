//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plugfs/plugfs/platform/runstate"
	"github.com/plugfs/plugfs/platform/unmount"
)

// mountinfoHas reports whether /proc/self/mountinfo lists a mount at p
// (read here directly, not through the code under test).
func mountinfoHas(t *testing.T, p string) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == p {
			return true
		}
	}
	return false
}

// childrenOf returns the pids of pid's child processes.
func childrenOf(t *testing.T, pid int) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, e := range ents {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		rest := string(b[bytes.LastIndexByte(b, ')')+1:])
		if f := strings.Fields(rest); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMountSeveralPoints mounts one memfs volume at two directories:
// one server, one plugin process, the same files through both, both
// listed, and `plugfs unmount` of one point unmounts both.
func TestMountSeveralPoints(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	r := plugfs(t, nil, "mount", "memfs", a, b, "--background")
	if r.code != 0 {
		t.Fatalf("mount memfs at two points: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	t.Cleanup(func() { forceUnmount(t, a); forceUnmount(t, b) })
	if !mountinfoHas(t, a) || !mountinfoHas(t, b) {
		t.Fatalf("mountinfo: %s %v, %s %v", a, mountinfoHas(t, a), b, mountinfoHas(t, b))
	}

	if err := os.WriteFile(filepath.Join(a, "f"), []byte("through a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(b, "f")); got != "through a" {
		t.Errorf("read through %s: %q", b, got)
	}
	if err := os.Mkdir(filepath.Join(b, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(a, "d")); err != nil || !st.IsDir() {
		t.Errorf("directory made through %s, seen through %s: %v", b, a, err)
	}

	ra, rb := recordOf(t, a), recordOf(t, b)
	if ra.PluginPID == 0 || ra.PluginPID != rb.PluginPID || ra.ServerPID != rb.ServerPID || ra.Volume != rb.Volume {
		t.Errorf("list rows do not share one server and plugin: %+v / %+v", ra.Record, rb.Record)
	}
	if ra.State != "mounted" || rb.State != "mounted" {
		t.Errorf("states %q %q", ra.State, rb.State)
	}
	if want := []string{a, b}; !slices.Equal(ra.Points, want) || !slices.Equal(rb.Points, want) {
		t.Errorf("recorded points %v / %v, want %v", ra.Points, rb.Points, want)
	}
	if kids := childrenOf(t, ra.ServerPID); !slices.Equal(kids, []int{ra.PluginPID}) {
		t.Errorf("server %d has children %v, want the one plugin %d", ra.ServerPID, kids, ra.PluginPID)
	}

	r = plugfs(t, nil, "unmount", b)
	if r.code != 0 {
		t.Fatalf("unmount %s: exit %d: %s%s", b, r.code, r.stdout, r.stderr)
	}
	mustContain(t, "unmount output", r.stdout, a, b)
	waitGone(t, ra.ServerPID, 10*time.Second)
	waitGone(t, ra.PluginPID, 10*time.Second)
	for _, p := range []string{a, b} {
		if mountinfoHas(t, p) {
			t.Errorf("%s is still in /proc/self/mountinfo", p)
		}
		assertNotMounted(t, p)
	}
}

// TestMountSeveralPointsRefused: a bad second point leaves nothing
// mounted, and the error names it.
func TestMountSeveralPointsRefused(t *testing.T) {
	a, full, links := t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	alias := filepath.Join(links, "alias")
	if err := os.Symlink(a, alias); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		points []string
		code   int
		names  string
	}{
		{"non-empty second point", []string{a, full}, exitMountPointNotEmpty, full},
		{"point given twice", []string{a, a}, exitMountPointInvalid, a},
		{"point given twice through a link", []string{a, alias}, exitMountPointInvalid, alias},
		{"missing second point", []string{a, filepath.Join(a, "sub")}, exitMountPointMissing, filepath.Join(a, "sub")},
	} {
		for _, bg := range []bool{true, false} {
			args := append([]string{"mount", "memfs"}, tc.points...)
			if bg {
				args = append(args, "--background")
			}
			r := plugfs(t, nil, args...)
			if r.code != tc.code {
				t.Errorf("%s (background %v): exit %d, want %d: %s", tc.name, bg, r.code, tc.code, r.stderr)
			}
			mustContain(t, tc.name+" error", r.stderr, tc.names)
			assertNotMounted(t, a)
		}
	}
}

// TestDaemonMountpointCommands adds a second point to a daemon's volume,
// uses it, lists it, removes it; and without a daemon, the commands exit
// 51 and say what to do.
func TestDaemonMountpointCommands(t *testing.T) {
	dir, p1, p2, full := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	sock, cfg := filepath.Join(dir, "plugfs.sock"), filepath.Join(dir, "config.yaml")
	writeConfig(t, cfg, fmt.Sprintf("volumes:\n  - name: v\n    plugin: memfs\n    mountpoints: [%s]\n", p1))
	env := []string{"PLUGFS_SOCKET=" + sock}
	d := startDaemon(t, cfg, sock)
	before := daemonRow(t, sock, p1)

	r := plugfs(t, env, "mountpoint", "add", "v", p2)
	if r.code != 0 {
		t.Fatalf("mountpoint add: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	mustContain(t, "mountpoint add output", r.stdout, p2)
	if !mountinfoHas(t, p2) {
		t.Fatalf("%s is not in /proc/self/mountinfo after mountpoint add", p2)
	}
	if err := os.WriteFile(filepath.Join(p1, "f"), []byte("one volume"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(p2, "f")); got != "one volume" {
		t.Errorf("read through the added point: %q", got)
	}
	if row := daemonRow(t, sock, p2); row.PluginPID != before.PluginPID || row.Volume != "v" {
		t.Errorf("added point listed as %+v, want volume v with plugin pid %d", row.Record, before.PluginPID)
	}
	r = plugfs(t, env, "mountpoint", "list", "v", "--json")
	var rows []mountpointRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); r.code != 0 || err != nil {
		t.Fatalf("mountpoint list --json: exit %d %v: %s%s", r.code, err, r.stdout, r.stderr)
	}
	if len(rows) != 2 || rows[0].Point != min(p1, p2) || rows[1].Point != max(p1, p2) || rows[0].Volume != "v" || rows[0].Driver == "" || rows[0].Since.IsZero() {
		t.Errorf("mountpoint list: %+v", rows)
	}
	for _, row := range rows {
		if row.Kind != "directory" || row.Flags != "none" || row.AuthID != 0 {
			t.Errorf("mountpoint list: %s is %s/%s/%#x, want directory/none/0 (a directory has no scope)", row.Point, row.Kind, row.Flags, row.AuthID)
		}
	}
	r = plugfs(t, env, "mountpoint", "list")
	mustContain(t, "mountpoint list", r.stdout, "VOLUME", "POINT", "DRIVER", "SINCE", p1, p2)

	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"add to an unknown volume", []string{"add", "nope", full}, exitNotMounted},
		{"add a non-empty directory", []string{"add", "v", full}, exitMountPointNotEmpty},
		{"add a point twice", []string{"add", "v", p2}, exitMountPointBusy},
		{"list an unknown volume", []string{"list", "nope"}, exitNotMounted},
		{"remove an unknown point", []string{"remove", "v", full}, exitNotMounted},
	} {
		if r := plugfs(t, env, append([]string{"mountpoint"}, tc.args...)...); r.code != tc.code {
			t.Errorf("%s: exit %d, want %d: %s", tc.name, r.code, tc.code, r.stderr)
		}
	}

	// A file open through p2 keeps it from going, unless lazily.
	f, err := os.Open(filepath.Join(p2, "f"))
	if err != nil {
		t.Fatal(err)
	}
	if r := plugfs(t, env, "mountpoint", "remove", "v", p2); r.code != exitBusy {
		t.Errorf("remove a busy point: exit %d, want %d: %s", r.code, exitBusy, r.stderr)
	}
	f.Close()
	r = plugfs(t, env, "mountpoint", "remove", "v", p2)
	if r.code != 0 {
		t.Fatalf("mountpoint remove: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if mountinfoHas(t, p2) || mounted(p2) {
		t.Errorf("%s still mounted after mountpoint remove", p2)
	}
	if got := readFile(t, filepath.Join(p1, "f")); got != "one volume" {
		t.Errorf("the remaining point after remove: %q", got)
	}
	if row := daemonRow(t, sock, p1); row.PluginPID != before.PluginPID {
		t.Errorf("plugin restarted by add/remove: pid %d -> %d", before.PluginPID, row.PluginPID)
	}
	if r := plugfs(t, env, "mountpoint", "remove", "v", p1); r.code == 0 || !mounted(p1) {
		t.Errorf("removing the last point: exit %d, mounted %v; want a refusal", r.code, mounted(p1))
	}

	os.Remove(filepath.Join(p1, "f"))
	d.stop(t, 30*time.Second)
	assertNotMounted(t, p1)
	for _, sub := range [][]string{{"add", "v", p2}, {"remove", "v", p2}, {"list"}} {
		r := plugfs(t, env, append([]string{"mountpoint"}, sub...)...)
		if r.code != exitNoDaemon {
			t.Errorf("mountpoint %s without a daemon: exit %d, want %d: %s", sub[0], r.code, exitNoDaemon, r.stderr)
		}
		mustContain(t, "mountpoint "+sub[0]+" without a daemon", r.stderr, "mountpoint "+sub[0]+" needs the plugfs daemon", "plugfs daemon")
	}
	r = plugfs(t, env, "mountpoint", "add", "v", p2)
	mustContain(t, "mountpoint add without a daemon", r.stderr, "give several mounting points to `plugfs mount`")
}

// TestMountSeveralPointsOneUnmountedOutside: umount of one point leaves
// the other served, and the run records follow.
func TestMountSeveralPointsOneUnmountedOutside(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if r := plugfs(t, nil, "mount", "memfs", a, b, "--background"); r.code != 0 {
		t.Fatalf("mount: exit %d: %s", r.code, r.stderr)
	}
	t.Cleanup(func() { forceUnmount(t, a); forceUnmount(t, b) })
	rb := recordOf(t, b)
	if err := unmount.Unmount(a, false); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := runstate.Get(runDir, a); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run record of %s outlived its mount", a)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := os.WriteFile(filepath.Join(b, "f"), []byte("still"), 0o644); err != nil {
		t.Errorf("the other point after umount of %s: %v", a, err)
	}
	if r := recordOf(t, b); !slices.Equal(r.Points, []string{b}) || r.ServerPID != rb.ServerPID {
		t.Errorf("record of %s after umount of %s: %+v", b, a, r.Record)
	}
	if r := plugfs(t, nil, "unmount", b); r.code != 0 {
		t.Fatalf("unmount %s: exit %d: %s", b, r.code, r.stderr)
	}
	waitGone(t, rb.ServerPID, 10*time.Second)
	assertNotMounted(t, a)
	assertNotMounted(t, b)
}
