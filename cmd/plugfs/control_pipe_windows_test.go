//go:build windows

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/plugfs/plugfs/core/daemon/controlv1"
	"github.com/plugfs/plugfs/platform/controlsock"
)

// daemonHelperEnv makes TestDaemonPipeHelper run plugfs with the
// arguments in the variable (separated by newlines): the test binary is
// the daemon of TestDaemonNamedPipe (Wine has no Go toolchain to build
// plugfs.exe with).
const daemonHelperEnv = "PLUGFS_TEST_DAEMON_ARGS"

func TestDaemonPipeHelper(t *testing.T) {
	args := os.Getenv(daemonHelperEnv)
	if args == "" {
		return // only a helper process
	}
	if os.Getenv(poseReaderEnv) != "" {
		authorizeControl = poseAsReader
	}
	app := newApp().root()
	app.SetArgs(strings.Split(args, "\n"))
	err := app.Execute()
	if err != nil {
		fmt.Fprintln(os.Stderr, "plugfs:", err)
	}
	os.Exit(exitCode(err))
}

// poseReaderEnv makes the daemon of TestDaemonPipeHelper take every
// client for an ordinary user (poseAsReader).
const poseReaderEnv = "PLUGFS_TEST_POSE_READER"

// posedReader is the identity poseAsReader gives every client: a user
// who is no administrator and not in the socket group, logged on at this
// computer (Everyone, Users, Authenticated Users, INTERACTIVE).
var posedReader = controlsock.Peer{UID: -1, SID: "S-1-5-21-1-2-3-1099",
	GroupSIDs: []string{"S-1-1-0", "S-1-5-32-545", "S-1-5-11", "S-1-5-4"}}

// poseAsReader identifies the client of the real pipe c (its real
// token, its pid), then decides its role as if it were posedReader, the
// way controlsock decides for any identity: Wine runs every program as
// one administrator, so an ordinary user can only be posed.
func poseAsReader(c net.Conn, g controlsock.Group) (controlsock.Peer, controlsock.Role, error) {
	p, _, err := controlsock.Authorize(c, g)
	if err != nil {
		return p, controlsock.RoleNone, err
	}
	p.SID, p.GroupSIDs = posedReader.SID, posedReader.GroupSIDs
	r, err := controlsock.RoleOf(p, g)
	return p, r, err
}

// pipeDaemon is a plugfs process started by startPlugfs.
type pipeDaemon struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan struct{}
	err    error // once done is closed
}

// startPlugfs runs plugfs with args in a helper process, stopped at the
// end of the test.
func startPlugfs(t *testing.T, args ...string) *pipeDaemon {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	d := &pipeDaemon{done: make(chan struct{})}
	d.cmd = exec.Command(exe, "-test.run=^TestDaemonPipeHelper$")
	d.cmd.Env = append(os.Environ(), daemonHelperEnv+"="+strings.Join(args, "\n"))
	d.cmd.Stderr = &d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.err = d.cmd.Wait(); close(d.done) }()
	t.Cleanup(d.stop)
	return d
}

func (d *pipeDaemon) stop() {
	_ = d.cmd.Process.Kill()
	<-d.done
}

// exitCode waits up to 30 s for the process to exit by itself.
func (d *pipeDaemon) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("still running after 30 s:\n%s", d.stderr.String())
	}
	var ee *exec.ExitError
	if errors.As(d.err, &ee) {
		return ee.ExitCode()
	}
	if d.err != nil {
		t.Fatal(d.err)
	}
	return 0
}

// startPipeDaemon runs `plugfs daemon --config cfg --socket pipe` in a
// helper process and waits until the pipe answers.
func startPipeDaemon(t *testing.T, cfg, pipe string) *pipeDaemon {
	t.Helper()
	d := startPlugfs(t, "daemon", "--config", cfg, "--socket", pipe)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := controlsock.Dial(ctx, pipe)
		cancel()
		if err == nil {
			c.Close()
			return d
		}
		select {
		case <-d.done:
			t.Fatalf("the daemon exited (%v) before its pipe answered:\n%s", d.err, d.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer at %s after 30 s (%v):\n%s", pipe, err, d.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wineTempDir is t.TempDir without RemoveAll, which Go 1.26 implements
// with calls Wine 8 lacks.
func wineTempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "plugfs-pipe-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var paths []string
		_ = filepath.WalkDir(dir, func(p string, _ os.DirEntry, _ error) error { paths = append(paths, p); return nil })
		for i := len(paths) - 1; i >= 0; i-- { // children first
			_ = os.Remove(paths[i])
		}
	})
	return dir
}

// plugfsIn runs plugfs in this process.
func plugfsIn(args ...string) (string, error) {
	root := newApp().root()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// TestDaemonNamedPipe: the daemon serves its control API on a named pipe
// and the CLI reaches it there. What Wine cannot show is a refusal: its
// programs all run as one administrator (see platform/controlsock).
func TestDaemonNamedPipe(t *testing.T) {
	dir := wineTempDir(t)
	t.Setenv("PLUGFS_RUN_DIR", filepath.Join(dir, "run"))
	pipe := fmt.Sprintf(`\\.\pipe\plugfs-test-%d`, os.Getpid())
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("volumes: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	if got := defaultSocketPath(); got != controlsock.DefaultPipe {
		t.Errorf("default control address %q, want %q", got, controlsock.DefaultPipe)
	}
	d := startPipeDaemon(t, cfg, pipe)
	if out, err := plugfsIn("reload", "--socket", pipe); err != nil || !strings.Contains(out, "VOLUME") {
		t.Errorf("reload through the pipe: %v\n%s", err, out)
	}
	if out, err := plugfsIn("list", "--socket", pipe); err != nil || strings.Contains(out, "not listing") {
		t.Errorf("list through the pipe: %v\n%s", err, out)
	}
	// In a process of its own: were the pipe not found in use, this one
	// would serve (Wine lets a second server create the same pipe).
	if code := startPlugfs(t, "daemon", "--config", cfg, "--socket", pipe).exitCode(t); code != exitDaemonRunning {
		t.Errorf("a second daemon on the pipe: exit %d, want %d", code, exitDaemonRunning)
	}
	if _, err := plugfsIn("reload", "--socket", pipe+"-absent"); !errors.Is(err, errNoDaemon) {
		t.Errorf("reload with no daemon at the pipe: %v, want errNoDaemon", err)
	}
	d.stop()

	// A group given as a SID; a Unix path is no address here.
	if err := os.WriteFile(cfg, []byte("daemon:\n  socket_group: S-1-5-32-545\nvolumes: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	startPipeDaemon(t, cfg, pipe)
	if out, err := plugfsIn("reload", "--socket", pipe); err != nil {
		t.Errorf("reload with socket_group S-1-5-32-545: %v\n%s", err, out)
	}
	if err := os.WriteFile(cfg, []byte("daemon:\n  socket: /run/plugfs/plugfs.sock\nvolumes: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := plugfsIn("config", "check", cfg); err == nil || !strings.Contains(err.Error(), "is not a local named pipe") {
		t.Errorf("config check of daemon.socket a Unix path: %v, want an error saying it is not a named pipe\n%s", err, out)
	}
}

// TestDaemonPipeReader: a daemon that takes its clients for an ordinary
// user (posed: see poseAsReader; the pipe, the daemon and the CLI are
// real) lets them list and read its status, as plugfs list and the
// agent do, and refuses everything else: the call itself with
// PERMISSION_DENIED naming it and the fix, and plugfs reload and
// mountpoint add up front with exit 53. That the pipe's DACL lets such
// a user connect is shown by controlsock's TestPipeAccessCheck; a real
// second user connecting is not run here.
func TestDaemonPipeReader(t *testing.T) {
	dir := wineTempDir(t)
	t.Setenv("PLUGFS_RUN_DIR", filepath.Join(dir, "run"))
	pipe := fmt.Sprintf(`\\.\pipe\plugfs-test-reader-%d`, os.Getpid())
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("daemon:\n  socket_group: S-1-5-21-1-2-3-1013\nvolumes: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(poseReaderEnv, "1") // for the helper: this process decides as it always does
	d := startPipeDaemon(t, cfg, pipe)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	c, err := dialDaemonToRead(pipe)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if st, err := c.Status(ctx, &controlv1.StatusRequest{}); err != nil || int(st.GetPid()) != d.cmd.Process.Pid {
		t.Errorf("Status as a reader: %v, %v; want the daemon's pid %d", st, err, d.cmd.Process.Pid)
	}
	if _, err := c.List(ctx, &controlv1.ListRequest{}); err != nil {
		t.Errorf("List as a reader: %v", err)
	}
	if _, err := (&daemonPoints{addr: pipe}).list(ctx); err != nil {
		t.Errorf("the agent's listing as a reader: %v", err)
	}
	if out, err := plugfsIn("list", "--socket", pipe); err != nil {
		t.Errorf("plugfs list as a reader: %v\n%s", err, out)
	}
	_, err = c.Reload(ctx, &controlv1.ReloadRequest{})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("Reload as a reader: %v, want PERMISSION_DENIED", err)
	}
	for _, want := range []string{"user " + posedReader.SID, "not call Reload", "administrator (elevated)", "daemon.socket_group (S-1-5-21-1-2-3-1013)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal %q does not say %q", err, want)
		}
	}
	for _, args := range [][]string{{"reload"}, {"mountpoint", "add", "v", "Q:"}} {
		out, err := plugfsIn(append(args, "--socket", pipe)...)
		if code := exitCode(err); code != exitDaemonDenied || !strings.Contains(fmt.Sprint(err), "only read") {
			t.Errorf("plugfs %s as a reader: exit %d, %v\n%s; want %d saying it may only read", args[0], code, err, out, exitDaemonDenied)
		}
	}
	d.stop()
	if !strings.Contains(d.stderr.String(), "control call refused") || !strings.Contains(d.stderr.String(), "call=Reload") {
		t.Errorf("the daemon did not log the refused call:\n%s", d.stderr.String())
	}
}
