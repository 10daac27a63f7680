//go:build linux

package bazil

import (
	"bufio"
	"context"
	"fmt"
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
)

// Mounts that tests touch through mmap are served by a child process: a
// page fault on a FUSE file blocks its thread outside any system call, so
// the Go runtime cannot stop it for garbage collection, while the server
// goroutines that would answer the fault wait for that very collection.
// One process serving and faulting deadlocks; two do not.

// serveEnv names the mount point a child process serves memfs on.
const serveEnv = "PLUGFS_BAZIL_TEST_SERVE"

// serveOptsEnv holds the child's mount options ("allow_other").
const serveOptsEnv = "PLUGFS_BAZIL_TEST_OPTS"

func TestMain(m *testing.M) {
	if point := os.Getenv(serveEnv); point != "" {
		os.Exit(serveChild(point, os.Getenv(serveOptsEnv)))
	}
	os.Exit(m.Run())
}

// serveChild mounts memfs at point, says "ready" on stdout, and serves
// until SIGTERM (then unmounts) or until someone else unmounts it.
func serveChild(point, opts string) int {
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM, syscall.SIGINT)
	v := memVFS(vfs.Options{})
	mo := core.MountOptions{FSName: "memfs", Subtype: "plugfs", AllowOther: strings.Contains(opts, "allow_other")}
	ctx := context.Background()
	m, err := Driver{}.Mount(ctx, v, point, mo)
	if err != nil {
		fmt.Fprintf(os.Stderr, "child mount: %v\n", err)
		return 1
	}
	fmt.Println("ready")
	select {
	case <-term:
		if err := m.Unmount(ctx, false); err != nil {
			fmt.Fprintf(os.Stderr, "child unmount: %v; detaching lazily\n", err)
			_ = m.Unmount(ctx, true)
		}
	case <-m.Done():
	}
	<-m.Done()
	code := 0
	if err := m.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "child serve: %v\n", err)
		code = 1
	}
	if err := v.Close(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "child close: %v\n", err)
		code = 1
	}
	return code
}

// mountChild mounts memfs through this driver in a child process and
// returns the mount point; the mount is gone when the test ends.
func mountChild(t *testing.T, opts string) string {
	t.Helper()
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveEnv+"="+mnt, serveOptsEnv+"="+opts)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- line
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("mount server: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("mount server still running 15s after SIGTERM: killing it")
			_ = cmd.Process.Kill()
			<-exited
		}
		_ = syscall.Unmount(mnt, syscall.MNT_DETACH) // a no-op unless the server died
	})
	select {
	case line := <-ready:
		if strings.TrimSpace(line) != "ready" {
			t.Fatalf("mount server did not start (said %q)", line)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("mount server not ready after 15s")
	}
	return mnt
}
