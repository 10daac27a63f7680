//go:build linux

package mounttest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// check fails the test now if err is not nil.
func check(t *testing.T, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}

// wantErrno reports an error unless err is exactly errno.
func wantErrno(t *testing.T, err error, errno unix.Errno, what string, args ...any) {
	t.Helper()
	if !errors.Is(err, errno) {
		t.Errorf("%s: got error %v, want %v (%s)", fmt.Sprintf(what, args...), errStr(err), errno, errnoName(errno))
	}
}

// errStr names err, with its errno symbol when it has one.
func errStr(err error) string {
	if err == nil {
		return "<nil>"
	}
	var en unix.Errno
	if errors.As(err, &en) {
		return fmt.Sprintf("%v (%s)", err, errnoName(en))
	}
	return err.Error()
}

// errnoName is the symbol of errno, such as ENOENT.
func errnoName(errno unix.Errno) string {
	if n := unix.ErrnoName(errno); n != "" {
		return n
	}
	return fmt.Sprintf("errno %d", int(errno))
}

// path joins mnt and elements.
func path(mnt string, elem ...string) string {
	return filepath.Join(append([]string{mnt}, elem...)...)
}

// openFD opens p with unix.Open, failing the test on error, and closes the
// descriptor when the test ends.
func openFD(t *testing.T, p string, flags int, mode uint32) int {
	t.Helper()
	fd, err := unix.Open(p, flags|unix.O_CLOEXEC, mode)
	check(t, err, "open %s", p)
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

// put writes data to p, creating or truncating it with mode 0644.
func put(t *testing.T, p, data string) {
	t.Helper()
	check(t, os.WriteFile(p, []byte(data), 0o644), "write %s", p)
}

// wantContent fails unless p holds exactly want.
func wantContent(t *testing.T, p, want string) {
	t.Helper()
	got, err := os.ReadFile(p)
	if err != nil {
		t.Errorf("read %s: %v", p, err)
		return
	}
	wantBytes(t, got, []byte(want), "contents of %s", p)
}

// wantBytes reports an error unless got equals want, naming the first
// difference for long values.
func wantBytes(t *testing.T, got, want []byte, what string, args ...any) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	w := fmt.Sprintf(what, args...)
	if len(got) <= 64 && len(want) <= 64 {
		t.Errorf("%s: got %q, want %q", w, got, want)
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Errorf("%s: got %d bytes, want %d; first difference at offset %d", w, len(got), len(want), i)
}

// lstat stats p without following a final symlink.
func lstat(t *testing.T, p string) unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	check(t, unix.Lstat(p, &st), "lstat %s", p)
	return st
}

// fstat stats fd.
func fstat(t *testing.T, fd int) unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	check(t, unix.Fstat(fd, &st), "fstat %d", fd)
	return st
}

// pwriteAll writes all of b at off.
func pwriteAll(t *testing.T, fd int, b []byte, off int64) {
	t.Helper()
	for len(b) > 0 {
		n, err := unix.Pwrite(fd, b, off)
		check(t, err, "pwrite %d bytes at %d", len(b), off)
		if n == 0 {
			t.Fatalf("pwrite at %d wrote nothing", off)
		}
		b, off = b[n:], off+int64(n)
	}
}

// preadFull reads n bytes at off; fewer only at end of file.
func preadFull(t *testing.T, fd int, n int, off int64) []byte {
	t.Helper()
	b := make([]byte, n)
	got := 0
	for got < n {
		m, err := unix.Pread(fd, b[got:], off+int64(got))
		check(t, err, "pread %d bytes at %d", n-got, off+int64(got))
		if m == 0 {
			break
		}
		got += m
	}
	return b[:got]
}

// writeFD writes all of b at the fd's file offset.
func writeFD(t *testing.T, fd int, b []byte) {
	t.Helper()
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		check(t, err, "write %d bytes", len(b))
		if n == 0 {
			t.Fatal("write wrote nothing")
		}
		b = b[n:]
	}
}

// exists reports whether p names anything, without following symlinks.
func exists(p string) bool {
	var st unix.Stat_t
	return unix.Lstat(p, &st) == nil
}

// wantGone reports an error unless lstat of p fails with ENOENT.
func wantGone(t *testing.T, p string) {
	t.Helper()
	var st unix.Stat_t
	wantErrno(t, unix.Lstat(p, &st), unix.ENOENT, "lstat %s", p)
}

// openFDs counts this process's open file descriptors, or -1.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents) - 1 // ReadDir's own descriptor
}

// withUmask runs fn with the process umask set to mask.
func withUmask(mask int, fn func()) {
	old := unix.Umask(mask)
	defer unix.Umask(old)
	fn()
}

// pattern returns n bytes that depend on seed and position, so misplaced
// data is caught.
func pattern(seed uint64, n int) []byte {
	b := make([]byte, n)
	x := seed*0x9E3779B97F4A7C15 + 1
	for i := 0; i < n; i += 8 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(x >> (8 * j))
		}
	}
	return b
}

// itoa formats i in decimal.
func itoa(i int) string { return strconv.Itoa(i) }
