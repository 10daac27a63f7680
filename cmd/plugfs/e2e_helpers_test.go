//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"errors"
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

// The end-to-end tests run the real binaries: plugfs (built once for the
// package) and the misbehaving test plugin, against real kernel mounts.
var (
	plugfsBin     string
	testPluginBin string
	helloBin      string
	runDir        string
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "plugfs-e2e-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tmp)
	plugfsBin = filepath.Join(tmp, "plugfs")
	testPluginBin = filepath.Join(tmp, "plugfs-testplugin")
	helloBin = filepath.Join(tmp, "hello")
	runDir = filepath.Join(tmp, "run")
	for bin, pkg := range map[string]string{
		plugfsBin:     "github.com/plugfs/plugfs/cmd/plugfs",
		testPluginBin: "github.com/plugfs/plugfs/internal/testplugin/cmd/plugfs-testplugin",
		helloBin:      "github.com/plugfs/plugfs/examples/hello",
	} {
		out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput()
		if err != nil {
			os.Stderr.Write(out)
			return 1
		}
	}
	os.Setenv("PLUGFS_RUN_DIR", runDir)
	// No test mounts through a daemon it did not start (a plugfs daemon
	// of the machine, say): tests that want one pass --socket.
	os.Setenv("PLUGFS_SOCKET", filepath.Join(tmp, "no-daemon.sock"))
	return m.Run()
}

// result is what one plugfs invocation did.
type result struct {
	code           int
	stdout, stderr string
}

// plugfs runs the binary with args and an optional extra environment.
func plugfs(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(plugfsBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run plugfs %v: %v", args, err)
	}
	return result{code, out.String(), errb.String()}
}

// mountBackground mounts plugin at a fresh directory and unmounts it when
// the test ends. It returns the mount point.
func mountBackground(t *testing.T, plugin string, args ...string) string {
	t.Helper()
	mnt := t.TempDir()
	r := plugfs(t, nil, append([]string{"mount", plugin, mnt, "--background"}, args...)...)
	if r.code != 0 {
		t.Fatalf("mount %s: exit %d: %s%s", plugin, r.code, r.stdout, r.stderr)
	}
	t.Cleanup(func() { forceUnmount(t, mnt) })
	return mnt
}

// forceUnmount unmounts mnt however it can and waits for its server.
func forceUnmount(t *testing.T, mnt string) {
	if _, mounted := unmount.FSType(mnt); !mounted {
		return
	}
	rec, recErr := runstate.Get(runDir, mnt)
	r := plugfs(t, nil, "unmount", mnt)
	if r.code != 0 {
		t.Logf("unmount %s: exit %d %s; detaching lazily", mnt, r.code, r.stderr)
		_ = unmount.Unmount(mnt, true)
	}
	if recErr == nil {
		waitGone(t, rec.ServerPID, 10*time.Second)
	}
}

func waitGone(t *testing.T, pid int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for pid > 0 && syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Errorf("process %d still running after %v", pid, d)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// listRows returns `plugfs list --json`.
func listRows(t *testing.T) []listed {
	t.Helper()
	r := plugfs(t, nil, "list", "--json")
	if r.code != 0 {
		t.Fatalf("list: %d %s", r.code, r.stderr)
	}
	var rows []listed
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("list --json output %q: %v", r.stdout, err)
	}
	return rows
}

// recordOf returns the list row of mount point mnt.
func recordOf(t *testing.T, mnt string) listed {
	t.Helper()
	for _, r := range listRows(t) {
		if r.Point == mnt {
			return r
		}
	}
	t.Fatalf("plugfs list does not show %s", mnt)
	return listed{}
}

// assertNotMounted fails if anything is mounted at mnt or recorded for it.
func assertNotMounted(t *testing.T, mnt string) {
	t.Helper()
	if typ, mounted := unmount.FSType(mnt); mounted {
		t.Errorf("%s is still mounted (%s)", mnt, typ)
		_ = unmount.Unmount(mnt, true)
	}
	if _, err := runstate.Get(runDir, mnt); err == nil {
		t.Errorf("a run record for %s is left behind", mnt)
	}
}

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s %q does not mention %q", what, s, sub)
		}
	}
}
