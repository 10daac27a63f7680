//go:build linux

package mountdir

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/plugfs/plugfs/core"
)

func TestCheck(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(base, "full")
	os.Mkdir(full, 0o755)
	os.WriteFile(filepath.Join(full, "x"), nil, 0o644)
	mnt := filepath.Join(base, "mnt")
	os.Mkdir(mnt, 0o755)
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	defer syscall.Unmount(mnt, syscall.MNT_DETACH)
	empty := filepath.Join(base, "empty")
	os.Mkdir(empty, 0o755)

	for _, tc := range []struct {
		path string
		want error
		say  string
	}{
		{filepath.Join(base, "missing"), core.ErrMountPointMissing, "mkdir -p"},
		{file, core.ErrMountPointNotDir, "empty directory"},
		{filepath.Join(file, "below"), core.ErrMountPointNotDir, "not a directory"},
		{full, core.ErrMountPointNotEmpty, "hide its contents"},
		{mnt, core.ErrMountPointBusy, "mounted there already"},
	} {
		_, err := Check(tc.path)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.say) {
			t.Errorf("Check(%s) = %v; want %v saying %q", tc.path, err, tc.want, tc.say)
		}
	}
	got, err := Check(empty + "/")
	if err != nil || got != empty {
		t.Errorf("Check(empty) = %q, %v", got, err)
	}
}

// TestStaleFUSEMount checks that a FUSE mount whose server is gone (stat
// fails with ENOTCONN) is reported busy, with the command that clears it.
func TestStaleFUSEMount(t *testing.T) {
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	dev, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("open /dev/fuse: %v", err)
	}
	opts := fmt.Sprintf("fd=%d,rootmode=40000,user_id=0,group_id=0", dev.Fd())
	if err := syscall.Mount("stale", mnt, "fuse.test", syscall.MS_NOSUID|syscall.MS_NODEV, opts); err != nil {
		dev.Close()
		t.Fatalf("mount fuse (needs root): %v", err)
	}
	defer syscall.Unmount(mnt, syscall.MNT_DETACH)
	dev.Close() // the server goes away: the connection is aborted
	_, err = Check(mnt)
	if !errors.Is(err, core.ErrMountPointBusy) || !strings.Contains(err.Error(), "plugfs unmount "+mnt) {
		t.Errorf("Check(stale mount) = %v; want %v saying plugfs unmount %s", err, core.ErrMountPointBusy, mnt)
	}
}

// accessChildEnv makes the test binary check the path it names as uid
// 65534 and print the error.
const accessChildEnv = "PLUGFS_MOUNTDIR_ACCESS_CHILD"

func TestMain(m *testing.M) {
	if p := os.Getenv(accessChildEnv); p != "" {
		_, err := Check(p)
		fmt.Print(err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestAccess checks, as an unprivileged user, a directory the user may
// not write and one below a directory the user may not search.
func TestAccess(t *testing.T) {
	base, err := os.MkdirTemp("", "mountdir-access") // reachable by others, unlike t.TempDir
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	// the child runs this binary through an inherited descriptor: go
	// test's build directory is closed to others
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exeF, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer exeF.Close()
	rootOwned := filepath.Join(base, "root")
	closed := filepath.Join(base, "closed")
	for _, d := range []string{rootOwned, closed, filepath.Join(closed, "inner")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{rootOwned, filepath.Join(closed, "inner")} {
		cmd := exec.Command("/proc/self/fd/3", "-test.run=^$")
		cmd.ExtraFiles = []*os.File{exeF}
		cmd.Env = append(os.Environ(), accessChildEnv+"="+p)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("child for %s: %v", p, err)
		}
		if msg := string(out); !strings.Contains(msg, core.ErrMountPointAccess.Error()) || !strings.Contains(msg, "directory you own") {
			t.Errorf("Check(%s) as uid 65534: %q; want %v saying to use a directory you own", p, msg, core.ErrMountPointAccess)
		}
	}
}
