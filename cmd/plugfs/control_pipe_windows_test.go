//go:build windows

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	app := newApp().root()
	app.SetArgs(strings.Split(args, "\n"))
	err := app.Execute()
	if err != nil {
		fmt.Fprintln(os.Stderr, "plugfs:", err)
	}
	os.Exit(exitCode(err))
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
