//go:build linux

package mounttest

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// getxattr reads the whole value of attribute name of p.
func getxattr(p, name string) ([]byte, error) {
	n, err := unix.Lgetxattr(p, name, nil)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, n+16)
	n, err = unix.Lgetxattr(p, name, buf)
	if err != nil {
		return nil, err
	}
	return buf[:n], nil
}

// userXattrs lists the user.* attribute names of p, sorted.
func userXattrs(t *testing.T, p string) []string {
	t.Helper()
	n, err := unix.Llistxattr(p, nil)
	check(t, err, "listxattr size of %s", p)
	buf := make([]byte, n+16)
	n, err = unix.Llistxattr(p, buf)
	check(t, err, "listxattr %s", p)
	var names []string
	for _, s := range strings.Split(string(buf[:n]), "\x00") {
		if strings.HasPrefix(s, "user.") {
			names = append(names, s)
		}
	}
	slices.Sort(names)
	return names
}

// wantXattr reports an error unless attribute name of p is want.
func wantXattr(t *testing.T, p, name string, want []byte) {
	t.Helper()
	got, err := getxattr(p, name)
	if err != nil {
		t.Errorf("getxattr %s %s: %v", p, name, errStr(err))
		return
	}
	wantBytes(t, got, want, "xattr %s of %s", name, p)
}

// testXattrs: set, get, list, replace and remove user.* attributes on
// files and directories; they follow the inode through renames and links.
func testXattrs(t *testing.T, mnt string) {
	f := path(mnt, "file")
	put(t, f, "x")
	bin := pattern(3, 3000)
	bin[5] = 0
	check(t, unix.Setxattr(f, "user.small", []byte("1"), 0), "setxattr user.small")
	check(t, unix.Setxattr(f, "user.binary", bin, 0), "setxattr user.binary")
	check(t, unix.Setxattr(f, "user.empty", nil, 0), "setxattr an empty value")
	wantXattr(t, f, "user.small", []byte("1"))
	wantXattr(t, f, "user.binary", bin)
	wantXattr(t, f, "user.empty", []byte{})
	if got := userXattrs(t, f); !slices.Equal(got, []string{"user.binary", "user.empty", "user.small"}) {
		t.Errorf("listxattr: %q", got)
	}
	// replacing shrinks and grows
	check(t, unix.Setxattr(f, "user.binary", []byte("short"), 0), "replace with a shorter value")
	wantXattr(t, f, "user.binary", []byte("short"))
	check(t, unix.Setxattr(f, "user.small", bytes.Repeat([]byte("L"), 2000), unix.XATTR_REPLACE), "XATTR_REPLACE with a longer value")
	wantXattr(t, f, "user.small", bytes.Repeat([]byte("L"), 2000))
	check(t, unix.Removexattr(f, "user.empty"), "removexattr")
	_, err := getxattr(f, "user.empty")
	wantErrno(t, err, unix.ENODATA, "getxattr a removed attribute")
	if got := userXattrs(t, f); !slices.Equal(got, []string{"user.binary", "user.small"}) {
		t.Errorf("listxattr after remove: %q", got)
	}
	// through a descriptor
	fd := openFD(t, f, unix.O_RDONLY, 0)
	check(t, unix.Fsetxattr(fd, "user.viafd", []byte("fd"), 0), "fsetxattr")
	buf := make([]byte, 16)
	n, err := unix.Fgetxattr(fd, "user.viafd", buf)
	if err != nil || string(buf[:n]) != "fd" {
		t.Errorf("fgetxattr: %q %v", buf[:n], err)
	}
	// directories, renames and hard links
	d := path(mnt, "dir")
	check(t, unix.Mkdir(d, 0o755), "mkdir")
	check(t, unix.Setxattr(d, "user.dir", []byte("on a dir"), 0), "setxattr a directory")
	wantXattr(t, d, "user.dir", []byte("on a dir"))
	check(t, unix.Rename(f, path(d, "moved")), "rename")
	wantXattr(t, path(d, "moved"), "user.binary", []byte("short"))
	check(t, unix.Link(path(d, "moved"), path(mnt, "link")), "link")
	check(t, unix.Setxattr(path(mnt, "link"), "user.bylink", []byte("L"), 0), "setxattr through a hard link")
	wantXattr(t, path(d, "moved"), "user.bylink", []byte("L"))
	if got := userXattrs(t, path(mnt, "link")); !slices.Equal(got, []string{"user.binary", "user.bylink", "user.small", "user.viafd"}) {
		t.Errorf("listxattr through a hard link: %q", got)
	}
	// a new file at an old name starts bare
	put(t, f, "new")
	if got := userXattrs(t, f); len(got) != 0 {
		t.Errorf("a new file has attributes %q", got)
	}
}

// testXattrErrors: the errno of each attribute failure.
func testXattrErrors(t *testing.T, mnt string) {
	f := path(mnt, "file")
	put(t, f, "x")
	check(t, unix.Setxattr(f, "user.a", []byte("value"), unix.XATTR_CREATE), "XATTR_CREATE a new attribute")
	wantErrno(t, unix.Setxattr(f, "user.a", []byte("other"), unix.XATTR_CREATE), unix.EEXIST, "XATTR_CREATE an existing attribute")
	wantErrno(t, unix.Setxattr(f, "user.b", []byte("other"), unix.XATTR_REPLACE), unix.ENODATA, "XATTR_REPLACE a missing attribute")
	wantXattr(t, f, "user.a", []byte("value"))
	_, err := getxattr(f, "user.b")
	wantErrno(t, err, unix.ENODATA, "getxattr a missing attribute")
	wantErrno(t, unix.Removexattr(f, "user.b"), unix.ENODATA, "removexattr a missing attribute")
	n, err := unix.Getxattr(f, "user.a", nil)
	if err != nil || n != 5 {
		t.Errorf("getxattr size query: %d %v, want 5", n, err)
	}
	_, err = unix.Getxattr(f, "user.a", make([]byte, 2))
	wantErrno(t, err, unix.ERANGE, "getxattr into a too small buffer")
	check(t, unix.Setxattr(f, "user.second", nil, 0), "setxattr")
	n, err = unix.Listxattr(f, nil)
	check(t, err, "listxattr size query")
	if n < len("user.a\x00user.second\x00") {
		t.Errorf("listxattr size query: %d", n)
	}
	_, err = unix.Listxattr(f, make([]byte, 3))
	wantErrno(t, err, unix.ERANGE, "listxattr into a too small buffer")
	_, err = getxattr(path(mnt, "missing"), "user.a")
	wantErrno(t, err, unix.ENOENT, "getxattr a missing file")
	wantErrno(t, unix.Setxattr(path(mnt, "missing"), "user.a", nil, 0), unix.ENOENT, "setxattr a missing file")
	wantErrno(t, unix.Setxattr(f, "nosuchnamespace.a", []byte("v"), 0), unix.EOPNOTSUPP, "setxattr in an unknown namespace")
	// user.* attributes belong to files and directories only
	l := path(mnt, "link")
	check(t, unix.Symlink("file", l), "symlink")
	wantErrno(t, unix.Lsetxattr(l, "user.a", []byte("v"), 0), unix.EPERM, "lsetxattr user.* on a symlink")
	buf := make([]byte, 64)
	n, err = unix.Getxattr(l, "user.a", buf)
	if err != nil || string(buf[:n]) != "value" {
		t.Errorf("getxattr through a symlink: %q %v, want the target's value", buf[:n], errStr(err))
	}
	_, err = getxattr(l, "user.a")
	wantErrno(t, err, unix.ENODATA, "lgetxattr user.a of the symlink itself")
}
