//go:build linux && cgo && cgofuse

package cgofuse

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
)

// The mount suite and the integrity checker run against a server in a
// child process: they read through mmap, and a page fault on a mount
// served by the same process deadlocks with Go's garbage collector (the
// faulting goroutine cannot stop for it, and cgofuse's callbacks cannot
// run until it has).
const serveEnv = "PLUGFS_CGOFUSE_TEST_SERVE"

func TestMain(m *testing.M) {
	if point := os.Getenv(serveEnv); point != "" {
		os.Exit(serveChild(point))
	}
	os.Exit(m.Run())
}

// serveChild mounts a fresh memfs at point, says "ready", and unmounts
// when its standard input closes or SIGTERM arrives.
func serveChild(point string) int {
	ctx := context.Background()
	m, err := Driver{}.Mount(ctx, memVFS(), point, core.MountOptions{FSName: "memfs", Subtype: "plugfs", AllowOther: true, MaxIO: 1 << 20})
	if err != nil {
		fmt.Printf("error: %v\n", err)
		return 1
	}
	fmt.Println("ready")
	stop := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(stop) }()
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	select {
	case <-stop:
	case <-term:
	case <-m.Done():
	}
	uctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := m.Unmount(uctx, false); err != nil {
		_ = m.Unmount(uctx, true)
	}
	<-m.Done()
	if err := m.Err(); err != nil {
		fmt.Printf("done: %v\n", err)
		return 1
	}
	return 0
}

// childMount starts a server child on a fresh directory and returns it;
// the cleanup stops the child and checks that nothing stays mounted.
func childMount(t *testing.T) string {
	t.Helper()
	if err := (Driver{}).Available(); err != nil {
		t.Fatalf("the cgofuse driver is built but cannot run here: %v", err)
	}
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveEnv+"="+mnt)
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
	exited := make(chan error, 1)
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "ready" {
		in.Close()
		t.Fatalf("mount server: %q %v", sc.Text(), cmd.Wait())
	}
	go func() {
		for sc.Scan() {
			t.Log("mount server:", sc.Text())
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		in.Close()
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("mount server: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("mount server still running 15s after being told to stop: killing it")
			_ = cmd.Process.Kill()
			<-exited
		}
		if mounted(mnt) {
			t.Errorf("%s is still mounted after the server stopped", mnt)
		}
	})
	return mnt
}
