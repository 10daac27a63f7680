//go:build linux

package bazil

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// Every mount a test touches is served by a child process. A process that
// serves a FUSE mount and uses it too can deadlock: a page fault on a FUSE
// file blocks its thread outside any system call, so the Go runtime cannot
// stop it for garbage collection while the server goroutines that would
// answer the fault wait for that collection; and a test binary killed (or
// timed out) in the middle of a file operation on its own mount can never
// finish exiting, as its thread waits for a server that died with it.
//
// The child mounts memfs, prints "ready", and then obeys one command per
// line on stdin ("unmount", "lazy"), answering "unmount: ok" or
// "unmount: ERROR", "restart" (see restartFS), or "touch NAME" (create NAME in memfs directly,
// unknown to the kernel), answering "touch: ok". When the mount goes, whoever unmounted it, it prints
// "done: ok" (or the serve error) and exits. If stdin closes or the parent
// dies (SIGTERM by Pdeathsig) it unmounts and exits.

// serveEnv names the mount point a child process serves memfs on.
const serveEnv = "PLUGFS_BAZIL_TEST_SERVE"

// serveOptsEnv holds the child's mount options: "allow_other",
// "readonly", "slow" (see slowFS), "restart" (see restartFS), "negative" (an hour of negative
// entry caching), comma separated.
const serveOptsEnv = "PLUGFS_BAZIL_TEST_OPTS"

func TestMain(m *testing.M) {
	if point := os.Getenv(serveEnv); point != "" {
		os.Exit(serveChild(point, os.Getenv(serveOptsEnv)))
	}
	os.Exit(m.Run())
}

// oneLine keeps an error message on one line of the protocol.
func oneLine(err error) string {
	if err == nil {
		return "ok"
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// serveChild is the child process: see the comment above.
func serveChild(point, opts string) int {
	signal.Ignore(syscall.SIGINT)
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	mem := memfs.New()
	var be sdk.FileSystem = mem
	var rfs *restartFS
	switch {
	case strings.Contains(opts, "slow"):
		be = slowFS{mem}
	case strings.Contains(opts, "restart"):
		rfs = &restartFS{FS: mem, owner: map[sdk.Handle]uint64{}}
		be = rfs
	}
	vo := vfs.Options{ReadOnly: strings.Contains(opts, "readonly")}
	if strings.Contains(opts, "negative") {
		vo.NegativeTimeout = time.Hour
	}
	if rfs != nil { // every path walk reaches the VFS
		vo.EntryTimeout, vo.AttrTimeout = -1, -1
	}
	v := vfs.New(be, sdk.DetectFeatures(be), vo)
	mo := core.MountOptions{FSName: "memfs", Subtype: "plugfs", AllowOther: strings.Contains(opts, "allow_other")}
	ctx := context.Background()
	m, err := Driver{}.Mount(ctx, v, point, mo)
	if err != nil {
		fmt.Printf("error: %s\n", oneLine(err))
		return 1
	}
	fmt.Println("ready")
	cmds := make(chan string)
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			cmds <- sc.Text()
		}
		close(cmds)
	}()
serve:
	for {
		select {
		case cmd, ok := <-cmds:
			if !ok {
				break serve // the parent is done with us
			}
			if cmd == "restart" && rfs != nil {
				rfs.Restart()
				fmt.Println("restart: ok")
				continue
			}
			if name, ok := strings.CutPrefix(cmd, "touch "); ok { // behind the kernel's back
				h, _, err := mem.Open(ctx, "/"+name, sdk.WriteOnly|sdk.Create, 0o644)
				if err == nil {
					err = mem.Release(ctx, h)
				}
				fmt.Printf("touch: %s\n", oneLine(err))
				continue
			}
			fmt.Printf("unmount: %s\n", oneLine(m.Unmount(ctx, cmd == "lazy")))
		case <-term:
			break serve
		case <-m.Done():
			break serve
		}
	}
	select {
	case <-m.Done():
	default: // asked to stop: go, busy or not
		if err := m.Unmount(ctx, false); err != nil {
			_ = m.Unmount(ctx, true)
		}
		<-m.Done()
	}
	fmt.Printf("done: %s\n", oneLine(m.Err()))
	if err := v.Close(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "child close: %v\n", err)
		return 1
	}
	return 0
}

// server is a child process serving a mount, seen from the test.
type server struct {
	t     *testing.T
	mnt   string
	in    io.WriteCloser
	lines chan string
	exit  chan error
}

// startServer mounts memfs through this driver in a child process with
// opts and returns it once the mount is up; the mount is gone and the
// child has exited when the test ends.
func startServer(t *testing.T, opts string) *server {
	t.Helper()
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveEnv+"="+mnt, serveOptsEnv+"="+opts)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, mnt: mnt, in: in, lines: make(chan string, 16), exit: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
		s.exit <- cmd.Wait()
	}()
	t.Cleanup(func() {
		s.in.Close() // the child unmounts and exits
		select {
		case err := <-s.exit:
			if err != nil {
				t.Errorf("mount server: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("mount server still running 15s after being told to stop: killing it")
			_ = cmd.Process.Kill()
			<-s.exit
		}
		_ = syscall.Unmount(mnt, syscall.MNT_DETACH) // a no-op unless the child died
	})
	if line := s.next(t, "ready", "error:"); line != "ready" {
		t.Fatalf("mount server: %s", line)
	}
	return s
}

// next returns the child's next line that starts with one of prefixes,
// failing the test after 15s or if the child goes away.
func (s *server) next(t *testing.T, prefixes ...string) string {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				t.Fatalf("mount server exited; waiting for %q", prefixes)
			}
			for _, p := range prefixes {
				if strings.HasPrefix(line, p) {
					return line
				}
			}
		case <-timeout:
			t.Fatalf("mount server: no %q after 15s", prefixes)
		}
	}
}

// unmount asks the child to unmount (lazily or not) and returns its answer
// ("ok" or the error message).
func (s *server) unmount(t *testing.T, lazy bool) string {
	t.Helper()
	cmd := "unmount"
	if lazy {
		cmd = "lazy"
	}
	if _, err := fmt.Fprintln(s.in, cmd); err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(s.next(t, "unmount: "), "unmount: ")
}

// done waits for the child to report that its mount is gone and returns
// how it ended ("ok" or the serve error).
func (s *server) done(t *testing.T) string {
	t.Helper()
	return strings.TrimPrefix(s.next(t, "done: "), "done: ")
}
