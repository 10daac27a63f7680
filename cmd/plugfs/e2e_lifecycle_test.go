//go:build linux

package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/platform/unmount"
)

// TestPluginKilledMidWrite kills the plugin with SIGKILL while files are
// open and a writer is busy: the mount must stay (never ENOTCONN), the
// writer must fail with EIO within about a second, the plugin must come
// back with a new pid, and new operations must work.
func TestPluginKilledMidWrite(t *testing.T) {
	mnt := mountBackground(t, "memfs")
	before := recordOf(t, mnt)
	if before.PluginPID == 0 || before.PluginPID == before.ServerPID {
		t.Fatalf("plugin pid %d, server pid %d: the plugin must be its own process", before.PluginPID, before.ServerPID)
	}
	f, err := os.Create(filepath.Join(mnt, "open.dat"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	writerDone := make(chan error, 1)
	stop := make(chan struct{})
	go func() {
		buf := make([]byte, 64<<10)
		for {
			select {
			case <-stop:
				writerDone <- nil
				return
			default:
			}
			if _, err := f.Write(buf); err != nil {
				writerDone <- err
				return
			}
			if err := f.Sync(); err != nil {
				writerDone <- err
				return
			}
		}
	}()
	time.Sleep(200 * time.Millisecond)
	killed := time.Now()
	if err := syscall.Kill(before.PluginPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-writerDone:
		if !errors.Is(err, syscall.EIO) {
			t.Errorf("writer failed with %v, want EIO", err)
		}
		if d := time.Since(killed); d > 1500*time.Millisecond {
			t.Errorf("writer took %v to fail", d)
		}
	case <-time.After(5 * time.Second):
		close(stop)
		t.Errorf("writer neither failed nor stopped within 5s of the plugin's death")
		<-writerDone
	}
	// The mount is still there and answers.
	if _, err := os.Stat(mnt); err != nil {
		t.Fatalf("stat of the mount after the crash: %v", err)
	}
	if _, mounted := unmount.FSType(mnt); !mounted {
		t.Fatal("the mount is gone after the plugin crash")
	}
	// New operations work (memfs lost its contents with its process).
	if err := os.WriteFile(filepath.Join(mnt, "after.txt"), []byte("alive"), 0o644); err != nil {
		t.Fatalf("write after restart: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(mnt, "after.txt")); err != nil || string(b) != "alive" {
		t.Fatalf("read after restart: %q %v", b, err)
	}
	after := recordOf(t, mnt)
	if after.PluginPID == 0 || after.PluginPID == before.PluginPID {
		t.Errorf("plugin pid %d after restart (was %d)", after.PluginPID, before.PluginPID)
	}
	// The descriptor opened before the crash fails cleanly, not ENOTCONN.
	if _, err := f.Write([]byte("x")); err != nil && errors.Is(err, syscall.ENOTCONN) {
		t.Errorf("old descriptor: %v", err)
	}
}

// TestLocalSurvivesPluginCrash: with the local plugin, data lives on disk,
// so a file open across a crash keeps working (the host reopens it).
func TestLocalSurvivesPluginCrash(t *testing.T) {
	root := t.TempDir()
	mnt := mountBackground(t, "local", "--opt", "root="+root)
	f, err := os.OpenFile(filepath.Join(mnt, "keep.txt"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte("before"), 0); err != nil {
		t.Fatal(err)
	}
	rec := recordOf(t, mnt)
	if err := syscall.Kill(rec.PluginPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := f.WriteAt([]byte("+after"), 6); err != nil {
		t.Fatalf("write through a descriptor opened before the crash: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(root, "keep.txt"))
	if err != nil || string(b) != "before+after" {
		t.Fatalf("backing file holds %q, %v", b, err)
	}
}

// TestHungPluginOperation: an operation the plugin never answers fails
// with EIO by the deadline, and the mount keeps serving.
func TestHungPluginOperation(t *testing.T) {
	mnt := mountBackground(t, testPluginBin, "--op-timeout", "1s")
	began := time.Now()
	_, err := os.Stat(filepath.Join(mnt, "hang"))
	if !errors.Is(err, syscall.EIO) {
		t.Fatalf("stat of a hung path: %v, want EIO", err)
	}
	if d := time.Since(began); d < 900*time.Millisecond || d > 4*time.Second {
		t.Errorf("failed after %v; the deadline is 1s", d)
	}
	if err := os.WriteFile(filepath.Join(mnt, "ok"), []byte("fine"), 0o644); err != nil {
		t.Errorf("the mount stopped serving after a hung call: %v", err)
	}
}

// TestForegroundSignal: the foreground server unmounts cleanly on SIGTERM
// and on SIGINT, exits 0 and leaves nothing behind.
func TestForegroundSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			mnt := t.TempDir()
			cmd := exec.Command(plugfsBin, "mount", "memfs", mnt)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			ready := make(chan string, 1)
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					if strings.HasPrefix(sc.Text(), "mounted ") {
						ready <- sc.Text()
					}
				}
				close(ready)
			}()
			select {
			case _, ok := <-ready:
				if !ok {
					t.Fatal("server exited before the mount was ready")
				}
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("mount not ready within 10s")
			}
			if err := os.WriteFile(filepath.Join(mnt, "f"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			pid := recordOf(t, mnt).PluginPID
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("server exited with %v after %v", err, sig)
				}
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("server still running 10s after %v", sig)
			}
			assertNotMounted(t, mnt)
			waitGone(t, pid, 3*time.Second)
		})
	}
}

// TestUnmountBusyAndLazy: unmount refuses a busy mount with its own exit
// code and leaves it working; --lazy detaches it, and the server exits once
// the last open file is closed.
func TestUnmountBusyAndLazy(t *testing.T) {
	mnt := mountBackground(t, "memfs")
	f, err := os.Create(filepath.Join(mnt, "busy"))
	if err != nil {
		t.Fatal(err)
	}
	r := plugfs(t, nil, "unmount", mnt)
	if r.code != exitBusy {
		t.Fatalf("unmount of a busy mount: exit %d (%s), want %d", r.code, r.stderr, exitBusy)
	}
	mustContain(t, "message", r.stderr, "busy", "--lazy")
	if _, err := f.Write([]byte("still here")); err != nil {
		t.Fatalf("the busy mount stopped working: %v", err)
	}
	rec := recordOf(t, mnt)
	if r := plugfs(t, nil, "unmount", "--lazy", mnt); r.code != 0 {
		t.Fatalf("lazy unmount: exit %d %s", r.code, r.stderr)
	}
	if _, mounted := unmount.FSType(mnt); mounted {
		t.Error("lazy unmount left the mount visible")
	}
	if _, err := f.Write([]byte(" and after detach")); err != nil {
		t.Errorf("an open file stopped working after a lazy unmount: %v", err)
	}
	f.Close()
	waitGone(t, rec.ServerPID, 10*time.Second)
	waitGone(t, rec.PluginPID, 3*time.Second)
	if r := plugfs(t, nil, "unmount", mnt); r.code != exitNotMounted {
		t.Errorf("unmount of nothing: exit %d, want %d", r.code, exitNotMounted)
	}
}

// TestExternalUnmount: unmounting with umount(8)/fusermount3 ends the
// server and its plugin.
func TestExternalUnmount(t *testing.T) {
	mnt := mountBackground(t, "memfs")
	rec := recordOf(t, mnt)
	if out, err := exec.Command("fusermount3", "-u", mnt).CombinedOutput(); err != nil {
		t.Fatalf("fusermount3 -u: %v %s", err, out)
	}
	waitGone(t, rec.ServerPID, 10*time.Second)
	waitGone(t, rec.PluginPID, 3*time.Second)
	assertNotMounted(t, mnt)
}

// TestListPluginsVersion covers the informational commands.
func TestListPluginsVersion(t *testing.T) {
	mnt := mountBackground(t, "memfs", "--name", "scratch")
	rec := recordOf(t, mnt)
	if rec.Volume != "scratch" || rec.Plugin != "memfs" || rec.State != "mounted" || rec.Driver == "" {
		t.Errorf("list row %+v", rec)
	}
	r := plugfs(t, nil, "list")
	mustContain(t, "list", r.stdout, mnt, "memfs", "PLUGIN PID")
	r = plugfs(t, nil, "plugins")
	mustContain(t, "plugins", r.stdout, "memfs", "local", "built-in")
	r = plugfs(t, nil, "version")
	mustContain(t, "version", r.stdout, "plugin protocol 1.")
}

// TestExternalPluginByPath mounts the hello example by path.
func TestExternalPluginByPath(t *testing.T) {
	mnt := mountBackground(t, helloBin, "--opt", "names=ann,bob")
	b, err := os.ReadFile(filepath.Join(mnt, "greetings", "bob"))
	if err != nil || string(b) != "Hello, bob!\n" {
		t.Fatalf("read greeting: %q %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(mnt, "new"), nil, 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("create on a read-only plugin: %v, want EROFS", err)
	}
	ents, err := os.ReadDir(filepath.Join(mnt, "greetings"))
	if err != nil || len(ents) != 2 {
		t.Errorf("readdir greetings: %v %v", ents, err)
	}
}
