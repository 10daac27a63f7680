//go:build linux

package mounttest

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// testUnlinkOpen: an unlinked file stays readable, writable and
// stat-able through its open descriptor, with nlink 0.
func testUnlinkOpen(t *testing.T, mnt string) {
	p := path(mnt, "file")
	put(t, p, "still here")
	fd := openFD(t, p, unix.O_RDWR, 0)
	ro := openFD(t, p, unix.O_RDONLY, 0)
	check(t, unix.Unlink(p), "unlink the open file")
	wantGone(t, p)
	if st := fstat(t, fd); st.Nlink != 0 || st.Size != 10 {
		t.Errorf("fstat after unlink: nlink %d size %d, want 0 and 10", st.Nlink, st.Size)
	}
	wantBytes(t, preadFull(t, fd, 100, 0), []byte("still here"), "read after unlink")
	pwriteAll(t, fd, []byte(" and growing"), 10)
	wantBytes(t, preadFull(t, ro, 100, 0), []byte("still here and growing"), "second fd after a write to the unlinked file")
	check(t, unix.Ftruncate(fd, 5), "ftruncate the unlinked file")
	check(t, unix.Fchmod(fd, 0o600), "fchmod the unlinked file")
	if st := fstat(t, ro); st.Size != 5 || st.Mode&0o777 != 0o600 {
		t.Errorf("fstat after ftruncate/fchmod: size %d mode %o", st.Size, st.Mode&0o777)
	}
	check(t, unix.Fsync(fd), "fsync the unlinked file")
	// a new file of the same name is a different file
	put(t, p, "newcomer")
	wantBytes(t, preadFull(t, ro, 100, 0), []byte("still"), "old fd after a new file took the name")
	wantContent(t, p, "newcomer")
	if fstat(t, ro).Ino == lstat(t, p).Ino {
		t.Errorf("the new file reuses the inode number of a still-open unlinked file")
	}
}

// testHardLinks: link counts, shared inode and data, and the errors.
func testHardLinks(t *testing.T, mnt string) {
	a, b, c := path(mnt, "a"), path(mnt, "b"), path(mnt, "c")
	put(t, a, "shared")
	check(t, unix.Link(a, b), "link a b")
	sa, sb := lstat(t, a), lstat(t, b)
	if sa.Ino != sb.Ino || sa.Nlink != 2 || sb.Nlink != 2 {
		t.Errorf("after link: ino %d/%d nlink %d/%d, want the same inode with 2 links", sa.Ino, sb.Ino, sa.Nlink, sb.Nlink)
	}
	check(t, unix.Mkdir(path(mnt, "d"), 0o755), "mkdir")
	check(t, unix.Link(b, path(mnt, "d", "c")), "link into a subdirectory")
	check(t, unix.Rename(path(mnt, "d", "c"), c), "rename a link")
	if st := lstat(t, a); st.Nlink != 3 {
		t.Errorf("nlink with three names: %d", st.Nlink)
	}
	fd := openFD(t, b, unix.O_WRONLY, 0)
	pwriteAll(t, fd, []byte("SHARED"), 0)
	wantContent(t, a, "SHARED")
	wantContent(t, c, "SHARED")
	check(t, unix.Chmod(c, 0o640), "chmod through one name")
	if st := lstat(t, a); st.Mode&0o777 != 0o640 {
		t.Errorf("mode through another name: %o, want 640", st.Mode&0o777)
	}
	// renaming one link onto another of the same inode does nothing
	check(t, unix.Rename(a, c), "rename a link onto its sibling")
	if !exists(a) || !exists(c) || lstat(t, c).Nlink != 3 {
		t.Errorf("rename between links of one inode must leave both names")
	}
	check(t, unix.Unlink(a), "unlink a")
	if st := lstat(t, b); st.Nlink != 2 {
		t.Errorf("nlink after one unlink: %d, want 2", st.Nlink)
	}
	if st := fstat(t, fd); st.Nlink != 2 {
		t.Errorf("fstat nlink after one unlink: %d, want 2", st.Nlink)
	}
	check(t, unix.Unlink(c), "unlink c")
	if st := lstat(t, b); st.Nlink != 1 {
		t.Errorf("nlink after two unlinks: %d, want 1", st.Nlink)
	}
	wantContent(t, b, "SHARED")
	wantErrno(t, unix.Link(path(mnt, "d"), path(mnt, "dlink")), unix.EPERM, "link to a directory")
	wantErrno(t, unix.Link(b, b), unix.EEXIST, "link over an existing name")
	wantErrno(t, unix.Link(path(mnt, "missing"), a), unix.ENOENT, "link a missing file")
	wantErrno(t, unix.Link(b, path(mnt, "missing", "x")), unix.ENOENT, "link into a missing directory")
	check(t, unix.Unlink(b), "unlink the last name")
	if st := fstat(t, fd); st.Nlink != 0 {
		t.Errorf("fstat nlink after the last unlink: %d, want 0", st.Nlink)
	}
}

// testSymlinks: readlink, lstat against stat, relative and dangling
// links, and the errors.
func testSymlinks(t *testing.T, mnt string) {
	target, link := path(mnt, "target"), path(mnt, "link")
	put(t, target, "pointed at")
	check(t, unix.Symlink("target", link), "symlink")
	buf := make([]byte, 256)
	n, err := unix.Readlink(link, buf)
	check(t, err, "readlink")
	if string(buf[:n]) != "target" {
		t.Errorf("readlink: %q, want %q", buf[:n], "target")
	}
	ls := lstat(t, link)
	if ls.Mode&unix.S_IFMT != unix.S_IFLNK || ls.Size != int64(len("target")) {
		t.Errorf("lstat of a symlink: mode %o size %d, want a link of size %d", ls.Mode, ls.Size, len("target"))
	}
	var st unix.Stat_t
	check(t, unix.Stat(link, &st), "stat through the link")
	if st.Ino != lstat(t, target).Ino || st.Mode&unix.S_IFMT != unix.S_IFREG {
		t.Errorf("stat through the link does not reach the target")
	}
	wantContent(t, link, "pointed at")
	// a short buffer truncates silently
	n, err = unix.Readlink(link, buf[:3])
	if err != nil || string(buf[:n]) != "tar" {
		t.Errorf("readlink into 3 bytes: %q %v, want \"tar\"", buf[:n], err)
	}
	// a long target survives byte for byte
	long := strings.Repeat("abcdefghij/", 300)[:3000]
	check(t, unix.Symlink(long, path(mnt, "long")), "symlink to a 3000-byte target")
	buf = make([]byte, 4096)
	n, err = unix.Readlink(path(mnt, "long"), buf)
	check(t, err, "readlink long")
	if string(buf[:n]) != long {
		t.Errorf("long target came back as %d bytes, want %d", n, len(long))
	}
	// through a directory link
	check(t, unix.Mkdir(path(mnt, "dir"), 0o755), "mkdir")
	put(t, path(mnt, "dir", "f"), "in dir")
	check(t, unix.Symlink("dir", path(mnt, "dlink")), "symlink to a directory")
	wantContent(t, path(mnt, "dlink", "f"), "in dir")
	check(t, unix.Symlink("../target", path(mnt, "dir", "up")), "relative symlink with ..")
	wantContent(t, path(mnt, "dir", "up"), "pointed at")
	// dangling
	dang := path(mnt, "dangling")
	check(t, unix.Symlink("no/such/file", dang), "dangling symlink")
	wantErrno(t, unix.Stat(dang, &st), unix.ENOENT, "stat a dangling link")
	if lstat(t, dang).Mode&unix.S_IFMT != unix.S_IFLNK {
		t.Errorf("lstat of a dangling link is not a link")
	}
	_, err = unix.Open(dang, unix.O_RDONLY, 0)
	wantErrno(t, err, unix.ENOENT, "open a dangling link")
	// errors
	wantErrno(t, unix.Symlink("x", target), unix.EEXIST, "symlink over a file")
	wantErrno(t, unix.Symlink("x", link), unix.EEXIST, "symlink over a symlink")
	_, err = unix.Readlink(target, buf)
	wantErrno(t, err, unix.EINVAL, "readlink a regular file")
	_, err = unix.Open(link, unix.O_RDONLY|unix.O_NOFOLLOW, 0)
	wantErrno(t, err, unix.ELOOP, "O_NOFOLLOW on a symlink")
	_, err = unix.Open(path(mnt, "dlink"), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
	wantErrno(t, err, unix.ENOTDIR, "O_NOFOLLOW|O_DIRECTORY on a directory symlink")
	// removing a link leaves the target, removing the target dangles the link
	check(t, unix.Unlink(path(mnt, "dlink")), "unlink a directory link")
	wantContent(t, path(mnt, "dir", "f"), "in dir")
	check(t, unix.Unlink(target), "unlink the target")
	wantErrno(t, unix.Stat(link, &st), unix.ENOENT, "stat a link whose target was removed")
	check(t, unix.Rename(link, path(mnt, "dir", "moved")), "rename a symlink")
	n, err = unix.Readlink(path(mnt, "dir", "moved"), buf)
	if err != nil || string(buf[:n]) != "target" {
		t.Errorf("readlink after rename: %q %v", buf[:n], err)
	}
}

// testSymlinkLoop: links that resolve to themselves give ELOOP.
func testSymlinkLoop(t *testing.T, mnt string) {
	a, b, self := path(mnt, "a"), path(mnt, "b"), path(mnt, "self")
	check(t, unix.Symlink("b", a), "symlink a")
	check(t, unix.Symlink("a", b), "symlink b")
	check(t, unix.Symlink("self", self), "symlink self")
	var st unix.Stat_t
	wantErrno(t, unix.Stat(a, &st), unix.ELOOP, "stat a two-link loop")
	wantErrno(t, unix.Stat(self, &st), unix.ELOOP, "stat a self link")
	_, err := unix.Open(a, unix.O_RDONLY, 0)
	wantErrno(t, err, unix.ELOOP, "open a loop")
	_, err = unix.Open(self, unix.O_CREAT|unix.O_WRONLY, 0o644)
	wantErrno(t, err, unix.ELOOP, "create through a loop")
	wantErrno(t, unix.Mkdir(path(self, "x"), 0o755), unix.ELOOP, "mkdir under a loop")
	// a chain of 41 links exceeds the kernel's limit of 40
	for i := range 41 {
		check(t, unix.Symlink("c"+itoa(i+1), path(mnt, "c"+itoa(i))), "chain link %d", i)
	}
	put(t, path(mnt, "c41"), "end")
	wantContent(t, path(mnt, "c1"), "end")
	wantErrno(t, unix.Stat(path(mnt, "c0"), &st), unix.ELOOP, "stat through 41 links")
	if lstat(t, a).Mode&unix.S_IFMT != unix.S_IFLNK {
		t.Errorf("lstat of a looping link is not a link")
	}
}
