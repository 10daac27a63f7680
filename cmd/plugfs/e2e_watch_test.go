//go:build linux

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// longCache lets the kernel cache names, attributes and missing names for
// an hour, so anything that shows sooner was invalidated.
var longCache = []string{"--attr-timeout", "1h", "--entry-timeout", "1h", "--negative-timeout", "1h"}

// eventually polls check for up to 3 s and reports its last complaint.
func eventually(t *testing.T, what string, check func() string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: %s", what, msg)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func sizeOf(p string) (int64, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return -1, err
	}
	return fi.Size(), nil
}

// primeCaches makes the kernel cache f's attributes and the absence of
// "new" and "d" under mnt.
func primeCaches(t *testing.T, mnt string) {
	t.Helper()
	if n, err := sizeOf(filepath.Join(mnt, "f")); err != nil || n != 3 {
		t.Fatalf("f through the mount: size %d, %v", n, err)
	}
	for _, name := range []string{"new", "d"} {
		if _, err := os.Stat(filepath.Join(mnt, name)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s before it exists: %v", name, err)
		}
	}
}

// changeBehind changes root behind the mount's back.
func changeBehind(t *testing.T, root string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, "f"), []byte("one two three"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "new"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "d", "x"), []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWatchInvalidatesKernelCaches: with watch=true the local plugin
// reports changes others make under its root, and the mount shows them at
// once although the kernel may cache everything for an hour; the same
// mount without watch keeps showing what it cached (the control that
// proves the caches were in play).
func TestWatchInvalidatesKernelCaches(t *testing.T) {
	for _, driver := range []string{"gofuse", "bazil"} {
		t.Run(driver, func(t *testing.T) {
			root, plain := t.TempDir(), t.TempDir()
			for _, r := range []string{root, plain} {
				if err := os.WriteFile(filepath.Join(r, "f"), []byte("one"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			mnt := mountBackground(t, "local", append([]string{"--driver", driver, "--opt", "root=" + root, "--opt", "watch=true"}, longCache...)...)
			ctl := mountBackground(t, "local", append([]string{"--driver", driver, "--opt", "root=" + plain}, longCache...)...)
			primeCaches(t, mnt)
			primeCaches(t, ctl)
			changeBehind(t, root)
			changeBehind(t, plain)

			eventually(t, "watched mount", func() string {
				if n, err := sizeOf(filepath.Join(mnt, "f")); n != 13 {
					return "f: size " + itoa(n) + " " + errString(err) + ", want 13"
				}
				if _, err := os.Stat(filepath.Join(mnt, "new")); err != nil {
					return "new: " + err.Error()
				}
				if n, err := sizeOf(filepath.Join(mnt, "d", "x")); n != 5 {
					return "d/x: size " + itoa(n) + " " + errString(err)
				}
				return ""
			})
			// A directory that appeared later is watched too.
			if err := os.WriteFile(filepath.Join(root, "d", "x"), []byte("1234567"), 0o644); err != nil {
				t.Fatal(err)
			}
			eventually(t, "file in a new directory", func() string {
				if n, err := sizeOf(filepath.Join(mnt, "d", "x")); n != 7 {
					return "d/x: size " + itoa(n) + " " + errString(err) + ", want 7"
				}
				return ""
			})
			if err := os.Remove(filepath.Join(root, "new")); err != nil {
				t.Fatal(err)
			}
			eventually(t, "removal", func() string {
				if _, err := os.Stat(filepath.Join(mnt, "new")); !errors.Is(err, os.ErrNotExist) {
					return "new after removal: " + errString(err)
				}
				return ""
			})

			// The unwatched mount still shows its hour-long caches.
			time.Sleep(200 * time.Millisecond)
			if n, _ := sizeOf(filepath.Join(ctl, "f")); n != 3 {
				t.Errorf("unwatched mount: f has size %d, want the cached 3 (are the caches in play?)", n)
			}
			if _, err := os.Stat(filepath.Join(ctl, "new")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("unwatched mount: new: %v, want the cached ENOENT", err)
			}
		})
	}
}

// TestRestartInvalidatesKernelCaches: a memfs plugin that dies restarts
// empty; the kernel must not keep showing the files it cached from the
// dead process, however long it may cache them.
func TestRestartInvalidatesKernelCaches(t *testing.T) {
	mnt := mountBackground(t, "memfs", longCache...)
	if err := os.WriteFile(filepath.Join(mnt, "f"), []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := sizeOf(filepath.Join(mnt, "f")); n != 3 {
		t.Fatalf("f: %d, %v", n, err)
	}
	before := recordOf(t, mnt)
	if err := syscall.Kill(before.PluginPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "after the plugin restarted", func() string {
		if _, err := os.Stat(filepath.Join(mnt, "f")); !errors.Is(err, os.ErrNotExist) {
			return "f still shows: " + errString(err)
		}
		return ""
	})
	if err := os.WriteFile(filepath.Join(mnt, "g"), []byte("new life"), 0o644); err != nil {
		t.Errorf("write after the restart: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func errString(err error) string {
	if err == nil {
		return "(no error)"
	}
	return err.Error()
}
