//go:build linux

package mounttest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// childEnv marks a re-executed test binary as a permission-test child.
const childEnv = "PLUGFS_MOUNTTEST_CHILD"

// nobody is the uid and gid the permission-test child runs as.
const nobody = 65534

// init turns a test binary started by runAsNobody into the child: it runs
// the operations named by its arguments against the directory on fd 3,
// prints one result per line and exits before any test runs.
func init() {
	if os.Getenv(childEnv) != "1" {
		return
	}
	w := bufio.NewWriter(os.Stdout)
	for _, op := range os.Args[1:] {
		fmt.Fprintln(w, childResult(childOp(3, op)))
	}
	w.Flush()
	os.Exit(0)
}

// childResult is how the child reports err: "ok" or the errno number.
func childResult(err error) string {
	if err == nil {
		return "ok"
	}
	var en unix.Errno
	if errors.As(err, &en) {
		return strconv.Itoa(int(en))
	}
	return "error " + strings.ReplaceAll(err.Error(), "\n", " ")
}

// childOp runs one "verb:name" operation relative to the directory dfd.
func childOp(dfd int, op string) error {
	verb, name, _ := strings.Cut(op, ":")
	switch verb {
	case "read", "write", "list":
		flags := map[string]int{"read": unix.O_RDONLY, "write": unix.O_WRONLY, "list": unix.O_RDONLY | unix.O_DIRECTORY}[verb]
		fd, err := unix.Openat(dfd, name, flags|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if verb == "list" {
			_, err = unix.Getdents(fd, make([]byte, 4096))
		}
		return err
	case "create":
		fd, err := unix.Openat(dfd, name, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
		if err == nil {
			unix.Close(fd)
		}
		return err
	case "mkdir":
		return unix.Mkdirat(dfd, name, 0o755)
	case "unlink":
		return unix.Unlinkat(dfd, name, 0)
	case "rmdir":
		return unix.Unlinkat(dfd, name, unix.AT_REMOVEDIR)
	case "rename":
		from, to, _ := strings.Cut(name, ">")
		return unix.Renameat(dfd, from, dfd, to)
	case "stat":
		var st unix.Stat_t
		return unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
	case "chmod":
		return unix.Fchmodat(dfd, name, 0o777, 0)
	case "chown":
		return unix.Fchownat(dfd, name, 0, 0, 0)
	case "utimenow":
		ts := []unix.Timespec{{Nsec: unix.UTIME_NOW}, {Nsec: unix.UTIME_NOW}}
		return unix.UtimesNanoAt(dfd, name, ts, 0)
	case "utimeset":
		ts := []unix.Timespec{{Sec: 1e9}, {Sec: 1e9}}
		return unix.UtimesNanoAt(dfd, name, ts, 0)
	case "append", "ftruncate":
		fd, err := unix.Openat(dfd, name, unix.O_WRONLY|unix.O_APPEND|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if verb == "ftruncate" {
			return unix.Ftruncate(fd, 1)
		}
		_, err = unix.Write(fd, []byte("x"))
		return err
	case "truncate":
		fd, err := unix.Openat(dfd, name, unix.O_WRONLY|unix.O_TRUNC|unix.O_CLOEXEC, 0)
		if err == nil {
			unix.Close(fd)
		}
		return err
	}
	return fmt.Errorf("unknown child operation %q", op)
}

// runAsNobody runs ops (see childOp) in a child process with uid and gid
// 65534 and no supplementary groups, relative to the directory dir, and
// returns one result per op: "ok" or an errno number. The child is this
// test binary re-executed; it reaches dir and its own executable through
// inherited descriptors, so neither needs to be reachable by path for an
// unprivileged user (t.TempDir and go test's build directory are 0700).
func runAsNobody(t *testing.T, dir string, ops ...string) []string {
	t.Helper()
	exe, err := os.Executable()
	check(t, err, "find the test binary")
	exeF, err := os.Open(exe)
	check(t, err, "open the test binary")
	defer exeF.Close()
	dirF, err := os.Open(dir)
	check(t, err, "open %s", dir)
	defer dirF.Close()
	r, w, err := os.Pipe()
	check(t, err, "pipe")
	defer r.Close()
	proc, err := os.StartProcess("/proc/self/fd/4", append([]string{"mounttest-child"}, ops...), &os.ProcAttr{
		Env:   []string{childEnv + "=1", "PATH=/usr/bin:/bin"},
		Files: []*os.File{nil, w, os.Stderr, dirF, exeF},
		Sys: &syscall.SysProcAttr{
			Credential: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}},
			Pdeathsig:  syscall.SIGKILL,
		},
	})
	w.Close()
	check(t, err, "start the test binary as uid %d", nobody)
	var lines []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	st, err := proc.Wait()
	check(t, err, "wait for the child")
	if !st.Success() || len(lines) != len(ops) {
		t.Fatalf("child as uid %d: %v, %d results for %d operations: %q", nobody, st, len(lines), len(ops), lines)
	}
	return lines
}

// childErrno names a child result for messages.
func childErrno(res string) string {
	if n, err := strconv.Atoi(res); err == nil {
		return errnoName(unix.Errno(n))
	}
	return res
}
