//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/platform/runstate"
	"github.com/plugfs/plugfs/platform/unmount"
)

// daemonProc is a `plugfs daemon` started by a test, with a test-owned
// systemd notification socket.
type daemonProc struct {
	cmd    *exec.Cmd
	sock   string // control socket
	notify *net.UnixConn
	stderr *bytes.Buffer
	done   chan struct{}
	err    error
}

// startDaemon runs `plugfs daemon --config cfg --socket sock` and waits
// for READY=1.
func startDaemon(t *testing.T, cfg, sock string, args ...string) *daemonProc {
	t.Helper()
	d := launchDaemon(t, cfg, sock, args...)
	d.waitNotify(t, "READY=1", 30*time.Second)
	return d
}

// launchDaemon starts the daemon without waiting for it.
func launchDaemon(t *testing.T, cfg, sock string, args ...string) *daemonProc {
	t.Helper()
	nsock := fmt.Sprintf("@plugfs-e2e-notify-%d-%d", os.Getpid(), time.Now().UnixNano())
	nc, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: nsock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	d := &daemonProc{sock: sock, notify: nc, stderr: &bytes.Buffer{}, done: make(chan struct{})}
	d.cmd = exec.Command(plugfsBin, append([]string{"daemon", "--config", cfg, "--socket", sock, "--log-level", "debug"}, args...)...)
	d.cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+nsock)
	d.cmd.Stderr = d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.err = d.cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		select {
		case <-d.done:
		default:
			_ = d.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-d.done:
			case <-time.After(40 * time.Second):
				_ = d.cmd.Process.Kill()
				<-d.done
			}
		}
		nc.Close()
		if t.Failed() {
			t.Logf("daemon stderr:\n%s", d.stderr.String())
		}
	})
	return d
}

// waitNotify reads notifications until one contains want; it returns it.
func (d *daemonProc) waitNotify(t *testing.T, want string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	buf := make([]byte, 4096)
	for {
		_ = d.notify.SetReadDeadline(deadline)
		n, err := d.notify.Read(buf)
		if err != nil {
			select {
			case <-d.done:
				t.Fatalf("daemon exited (%v) before notifying %q:\n%s", d.err, want, d.stderr.String())
			default:
			}
			t.Fatalf("no %q notification within %v: %v\n%s", want, timeout, err, d.stderr.String())
		}
		if msg := string(buf[:n]); strings.Contains(msg, want) {
			return msg
		}
	}
}

// stop sends SIGTERM, expects STOPPING=1 and a clean exit within bound.
func (d *daemonProc) stop(t *testing.T, bound time.Duration) {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	d.waitNotify(t, "STOPPING=1", 5*time.Second)
	select {
	case <-d.done:
	case <-time.After(bound):
		t.Fatalf("daemon still running %v after SIGTERM", bound)
	}
	if d.err != nil {
		t.Errorf("daemon exit: %v\n%s", d.err, d.stderr.String())
	}
}

func writeConfig(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mounted(p string) bool {
	_, ok := unmount.FSType(p)
	return ok
}

// daemonRow returns the list row of point p, which must come from the daemon.
func daemonRow(t *testing.T, sock, p string) listed {
	t.Helper()
	r := plugfs(t, []string{"PLUGFS_SOCKET=" + sock}, "list", "--json")
	if r.code != 0 {
		t.Fatalf("list: %d %s", r.code, r.stderr)
	}
	for _, row := range parseRows(t, r.stdout) {
		if row.Point == p {
			if !row.Daemon {
				t.Errorf("%s is listed, but not as the daemon's", p)
			}
			return row
		}
	}
	t.Fatalf("plugfs list does not show %s:\n%s", p, r.stdout)
	return listed{}
}

func parseRows(t *testing.T, out string) []listed {
	t.Helper()
	var rows []listed
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("list --json %q: %v", out, err)
	}
	return rows
}

func TestDaemonMountsReloadsAndStops(t *testing.T) {
	dir := t.TempDir()
	keep, drop, change, add := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	sock := filepath.Join(dir, "plugfs.sock")
	cfg := filepath.Join(dir, "config.yaml")
	vol := func(name, point, extra string) string {
		return fmt.Sprintf("  - name: %s\n    plugin: memfs\n    mountpoints: [%s]\n%s", name, point, extra)
	}
	writeConfig(t, cfg, "volumes:\n"+vol("keep", keep, "")+vol("drop", drop, "")+vol("change", change, ""))
	d := startDaemon(t, cfg, sock)
	for _, p := range []string{keep, drop, change} {
		if !mounted(p) {
			t.Fatalf("%s is not mounted after READY=1", p)
		}
	}
	if mounted(add) {
		t.Fatalf("%s is mounted before being declared", add)
	}
	before := daemonRow(t, sock, keep)
	if before.ServerPID != d.cmd.Process.Pid || before.PluginPID == 0 || before.Volume != "keep" || before.State != "mounted" {
		t.Errorf("list row of keep: %+v (daemon pid %d)", before.Record, d.cmd.Process.Pid)
	}
	// A reader keeps a file open on the volume that will not change.
	if err := os.WriteFile(filepath.Join(keep, "f"), []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(keep, "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.WriteFile(filepath.Join(change, "old"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Reload through the control API: keep unchanged, drop removed,
	// change remounted read-only, add added.
	writeConfig(t, cfg, "volumes:\n"+vol("keep", keep, "")+vol("change", change, "    mount: {read_only: true}\n")+vol("add", add, ""))
	r := plugfs(t, []string{"PLUGFS_SOCKET=" + sock}, "reload")
	if r.code != 0 {
		t.Fatalf("reload: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"drop    removed", "change  remounted", "add     added", "keep    unchanged"} {
		mustContain(t, "reload output", strings.Join(strings.Fields(r.stdout), " "), strings.Join(strings.Fields(want), " "))
	}
	msg := d.waitNotify(t, "RELOADING=1", 5*time.Second)
	mustContain(t, "reload notification", msg, "MONOTONIC_USEC=")
	d.waitNotify(t, "READY=1", 5*time.Second)

	if mounted(drop) {
		t.Error("removed volume still mounted")
	}
	if !mounted(add) {
		t.Error("added volume not mounted")
	}
	if err := os.WriteFile(filepath.Join(change, "new"), []byte("x"), 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write on the volume remounted read-only: %v, want EROFS", err)
	}
	if _, err := os.Stat(filepath.Join(change, "old")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("remounted memfs volume kept its old contents (not restarted?): %v", err)
	}
	buf := make([]byte, 16)
	if n, err := f.ReadAt(buf, 0); string(buf[:n]) != "kept" {
		t.Errorf("open file on the unchanged volume after reload: %q, %v", buf[:n], err)
	}
	if after := daemonRow(t, sock, keep); after.PluginPID != before.PluginPID || !after.Started.Equal(before.Started) {
		t.Errorf("unchanged volume was restarted: plugin pid %d -> %d, since %v -> %v", before.PluginPID, after.PluginPID, before.Started, after.Started)
	}

	// Reload on SIGHUP: add goes away, the rest stays.
	writeConfig(t, cfg, "volumes:\n"+vol("keep", keep, "")+vol("change", change, "    mount: {read_only: true}\n"))
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	d.waitNotify(t, "RELOADING=1", 5*time.Second)
	d.waitNotify(t, "READY=1", 10*time.Second)
	if mounted(add) || !mounted(keep) || !mounted(change) {
		t.Errorf("after SIGHUP: add %v keep %v change %v, want false true true", mounted(add), mounted(keep), mounted(change))
	}
	if n, err := f.ReadAt(buf, 0); string(buf[:n]) != "kept" {
		t.Errorf("open file after SIGHUP: %q, %v", buf[:n], err)
	}

	// An invalid configuration is refused and changes nothing.
	writeConfig(t, cfg, "volumes:\n"+vol("keep", keep, "    bogus: 1\n"))
	r = plugfs(t, []string{"PLUGFS_SOCKET=" + sock}, "reload")
	if r.code != exitConfigInvalid {
		t.Errorf("reload of an invalid config: exit %d, want %d (%s)", r.code, exitConfigInvalid, r.stderr)
	}
	mustContain(t, "reload error", r.stderr, "volumes[0].bogus", ":5:")
	if !mounted(keep) || !mounted(change) {
		t.Error("an invalid reload unmounted something")
	}

	// SIGTERM with the reader gone: everything unmounted, nothing stale.
	f.Close()
	d.stop(t, 30*time.Second)
	for _, p := range []string{keep, drop, change, add} {
		assertNotMounted(t, p)
	}
	if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("control socket left behind: %v", err)
	}
	recs, _ := runstate.List(runDir)
	for _, rec := range recs {
		if rec.ServerPID == d.cmd.Process.Pid {
			t.Errorf("run record left by the daemon: %+v", rec)
		}
	}
	if r := plugfs(t, []string{"PLUGFS_SOCKET=" + sock}, "reload"); r.code != exitNoDaemon {
		t.Errorf("reload without a daemon: exit %d, want %d", r.code, exitNoDaemon)
	}
}

// TestDaemonSIGTERMBusy stops a daemon while a file is open on a volume:
// the volume is detached at once and nothing is left mounted.
func TestDaemonSIGTERMBusy(t *testing.T) {
	dir, mnt := t.TempDir(), t.TempDir()
	sock, cfg := filepath.Join(dir, "s.sock"), filepath.Join(dir, "c.yaml")
	writeConfig(t, cfg, fmt.Sprintf("daemon:\n  shutdown_timeout: 3s\nvolumes:\n  - name: v\n    plugin: memfs\n    mountpoints: [%s]\n", mnt))
	d := startDaemon(t, cfg, sock)
	f, err := os.Create(filepath.Join(mnt, "held"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := daemonRow(t, sock, mnt)
	start := time.Now()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		t.Fatal("daemon did not exit within its shutdown timeout")
	}
	if mounted(mnt) {
		t.Errorf("%s still mounted after SIGTERM", mnt)
	}
	t.Logf("stopped in %v with a busy volume (exit: %v)", time.Since(start), d.err)
	// Its plugin did not outlive it.
	waitGone(t, row.PluginPID, 5*time.Second)
}

func TestDaemonBadConfigs(t *testing.T) {
	dir := t.TempDir()
	mnt := t.TempDir()
	head := "volumes:\n  - name: a\n    plugin: memfs\n    mountpoints: [" + mnt + "]\n"
	cases := []struct {
		name, text string
		want       []string // in the message
	}{
		{"unknown key", head + "    mount:\n      readonly: true\n", []string{":6:", "volumes[0].mount.readonly", "unknown key", "read_only"}},
		{"unknown top key", "volums: []\n", []string{":1:", "volums", "unknown key"}},
		{"wrong bool", head + "    mount: {read_only: yes}\n", []string{":5:", "volumes[0].mount.read_only", "true or false"}},
		{"duration without unit", head + "    mount:\n      attr_timeout: 5\n", []string{":6:", "volumes[0].mount.attr_timeout", "duration"}},
		{"point not a list", "volumes:\n  - name: a\n    plugin: memfs\n    mountpoints: " + mnt + "\n", []string{":4:", "volumes[0].mountpoints", "want a list"}},
		{"options not a map", head + "    options: [a]\n", []string{":5:", "volumes[0].options", "mapping"}},
		{"duplicate name", head + "  - name: a\n    plugin: memfs\n    mountpoints: [" + dir + "]\n", []string{":5:", "volumes[1].name", "already used"}},
		{"shared point", head + "  - name: b\n    plugin: memfs\n    mountpoints: [" + mnt + "]\n", []string{":7:", "volumes[1].mountpoints[0]", "already used by volumes[0].mountpoints[0]"}},
		{"no mountpoints", "volumes:\n  - name: a\n    plugin: memfs\n", []string{":2:", "volumes[0].mountpoints", "at least one"}},
		{"unknown plugin", "volumes:\n  - name: a\n    plugin: nosuchplugin\n    mountpoints: [" + mnt + "]\n", []string{":3:", "volumes[0].plugin", "nosuchplugin"}},
		{"unknown driver", head + "    mount: {driver: nosuchdriver}\n", []string{":5:", "volumes[0].mount.driver", "nosuchdriver"}},
		{"missing point", "volumes:\n  - name: a\n    plugin: memfs\n    mountpoints: [" + mnt + "/nope]\n", []string{":4:", "volumes[0].mountpoints[0]", "does not exist"}},
		{"backoff order", head + "    restart: {backoff_min: 1m, backoff_max: 1s}\n", []string{":5:", "volumes[0].restart.backoff_min", "backoff_max"}},
		{"bad log level", "daemon:\n  log_level: loud\n" + head, []string{":2:", "daemon.log_level", "loud"}},
		{"bad metrics address", "daemon:\n  metrics_listen: everywhere\n" + head, []string{":2:", "daemon.metrics_listen", "host:port"}},
		{"key twice", head + "    plugin: local\n", []string{":5:", "volumes[0].plugin", "twice"}},
		{"yaml syntax", head + "    mount: {read_only: true\n", []string{"line"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".yaml")
			writeConfig(t, cfg, c.text)
			r := plugfs(t, nil, "config", "check", cfg)
			if r.code != exitConfigInvalid {
				t.Fatalf("config check: exit %d, want %d\n%s%s", r.code, exitConfigInvalid, r.stdout, r.stderr)
			}
			mustContain(t, "config check error", r.stderr, append([]string{cfg}, c.want...)...)
		})
	}
	// The daemon refuses to start on a bad file, and mounts nothing.
	cfg := filepath.Join(dir, "daemon.yaml")
	writeConfig(t, cfg, head+"  - name: b\n    plugin: nosuchplugin\n    mountpoints: ["+dir+"]\n")
	r := plugfs(t, nil, "daemon", "--config", cfg, "--socket", filepath.Join(dir, "s.sock"))
	if r.code != exitConfigInvalid {
		t.Errorf("daemon on a bad config: exit %d, want %d: %s", r.code, exitConfigInvalid, r.stderr)
	}
	mustContain(t, "daemon error", r.stderr, "volumes[1].plugin", ":6:")
	assertNotMounted(t, mnt)
	// A valid file passes.
	writeConfig(t, cfg, head)
	if r := plugfs(t, nil, "config", "check", cfg); r.code != 0 || !strings.Contains(r.stdout, "valid, 1 volumes") {
		t.Errorf("config check of a valid file: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
}

// asUser runs plugfs as uid/gid (no supplementary groups).
func asUser(t *testing.T, uid, gid uint32, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(plugfsBin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid, Groups: []uint32{}}}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run plugfs %v as %d: %v", args, uid, err)
	}
	return result{code, out.String(), errb.String()}
}

func TestDaemonSocketPermissions(t *testing.T) {
	// A directory others can traverse, so only the socket's own mode and
	// the peer check stand in the way; plugfs itself must be reachable.
	dir, err := os.MkdirTemp("", "plugfs-sock-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "plugfs")
	b, err := os.ReadFile(plugfsBin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	saved := plugfsBin
	plugfsBin = bin
	defer func() { plugfsBin = saved }()
	userRun := filepath.Join(dir, "run-nobody")
	if err := os.Mkdir(userRun, 0o777); err != nil {
		t.Fatal(err)
	}
	sock, cfg := filepath.Join(dir, "plugfs.sock"), filepath.Join(dir, "c.yaml")
	writeConfig(t, cfg, "volumes: []\n")
	d := startDaemon(t, cfg, sock)
	st, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o660 {
		t.Errorf("socket mode %v, want 0660", st.Mode().Perm())
	}
	env := []string{"PLUGFS_SOCKET=" + sock, "PLUGFS_RUN_DIR=" + userRun, "HOME=" + userRun}

	// The socket's mode keeps nobody out...
	r := asUser(t, 65534, 65534, env, "reload")
	if r.code != exitDaemonDenied {
		t.Errorf("reload as nobody through a 0660 socket: exit %d, want %d: %s", r.code, exitDaemonDenied, r.stderr)
	}
	// ...and so do peer credentials when the mode does not.
	if err := os.Chmod(sock, 0o666); err != nil {
		t.Fatal(err)
	}
	r = asUser(t, 65534, 65534, env, "reload")
	if r.code != exitDaemonDenied {
		t.Errorf("reload as nobody through a 0666 socket: exit %d, want %d: %s", r.code, exitDaemonDenied, r.stderr)
	}
	mustContain(t, "refusal", r.stderr, "uid 65534 is not root")
	if !strings.Contains(d.stderr.String(), "control connection refused") {
		t.Errorf("the daemon did not log the refused connection:\n%s", d.stderr.String())
	}
	// list still works for nobody, without the daemon's volumes.
	r = asUser(t, 65534, 65534, env, "list")
	if r.code != 0 {
		t.Errorf("list as nobody: exit %d: %s", r.code, r.stderr)
	}
	mustContain(t, "list as nobody", r.stderr, "not listing the daemon's volumes")
	// Root is let in.
	if r := plugfs(t, []string{"PLUGFS_SOCKET=" + sock}, "reload"); r.code != 0 {
		t.Errorf("reload as root: exit %d: %s", r.code, r.stderr)
	}
	// A second daemon on the same socket refuses to start.
	if r := plugfs(t, nil, "daemon", "--config", cfg, "--socket", sock); r.code != exitDaemonRunning {
		t.Errorf("second daemon: exit %d, want %d: %s", r.code, exitDaemonRunning, r.stderr)
	}
	d.stop(t, 15*time.Second)

	// With socket_group, members get in through the socket's group.
	g := "nogroup"
	if _, err := exec.Command("getent", "group", g).Output(); err != nil {
		t.Fatalf("group %s is missing: %v", g, err)
	}
	writeConfig(t, cfg, "daemon:\n  socket_group: "+g+"\nvolumes: []\n")
	d = startDaemon(t, cfg, sock)
	if r := asUser(t, 65534, 65534, env, "reload"); r.code != 0 {
		t.Errorf("reload as a member of the socket group: exit %d: %s", r.code, r.stderr)
	}
	if r := asUser(t, 12345, 12345, env, "reload"); r.code != exitDaemonDenied {
		t.Errorf("reload as a non-member: exit %d, want %d: %s", r.code, exitDaemonDenied, r.stderr)
	}
	d.stop(t, 15*time.Second)
}
