//go:build linux

package mounttest

import (
	"testing"

	"golang.org/x/sys/unix"
)

// testRenameFile: renames of files, within and across directories, over
// an existing file, onto itself, and the errors.
func testRenameFile(t *testing.T, mnt string) {
	a, b := path(mnt, "a"), path(mnt, "b")
	put(t, a, "A")
	ino := lstat(t, a).Ino
	check(t, unix.Rename(a, b), "rename a to b")
	wantGone(t, a)
	wantContent(t, b, "A")
	if got := lstat(t, b).Ino; got != ino {
		t.Errorf("rename changed the inode number: %d, want %d", got, ino)
	}
	put(t, a, "second")
	ino = lstat(t, a).Ino
	check(t, unix.Rename(a, b), "rename a over existing b")
	wantGone(t, a)
	wantContent(t, b, "second")
	if st := lstat(t, b); st.Ino != ino || st.Nlink != 1 {
		t.Errorf("b after the replacing rename: ino %d nlink %d, want ino %d nlink 1", st.Ino, st.Nlink, ino)
	}
	check(t, unix.Rename(b, b), "rename b onto itself")
	wantContent(t, b, "second")
	sub := path(mnt, "sub")
	check(t, unix.Mkdir(sub, 0o755), "mkdir")
	check(t, unix.Rename(b, path(sub, "c")), "rename into a subdirectory")
	wantContent(t, path(sub, "c"), "second")
	check(t, unix.Rename(path(sub, "c"), a), "rename back out")
	wantContent(t, a, "second")
	if names, _ := dirNames(sub); len(names) != 0 {
		t.Errorf("subdirectory not empty after the rename out: %q", names)
	}
	wantErrno(t, unix.Rename(path(mnt, "missing"), b), unix.ENOENT, "rename a missing file")
	wantErrno(t, unix.Rename(a, path(mnt, "missing", "x")), unix.ENOENT, "rename into a missing directory")
	put(t, b, "B")
	wantErrno(t, unix.Rename(a, path(b, "x")), unix.ENOTDIR, "rename under a file")
	wantErrno(t, unix.Rename(a+"/", path(mnt, "x")), unix.ENOTDIR, "rename a file named with a trailing slash")
	wantContent(t, a, "second")
	wantContent(t, b, "B")
}

// testRenameDir: renames of directories and the rules about what they
// may replace.
func testRenameDir(t *testing.T, mnt string) {
	src, empty, full := path(mnt, "src"), path(mnt, "empty"), path(mnt, "full")
	for _, d := range []string{src, empty, full, path(src, "inner")} {
		check(t, unix.Mkdir(d, 0o755), "mkdir %s", d)
	}
	put(t, path(src, "inner", "f"), "deep")
	put(t, path(full, "f"), "occupant")
	file := path(mnt, "file")
	put(t, file, "file")

	wantErrno(t, unix.Rename(src, full), unix.ENOTEMPTY, "rename a directory over a non-empty one")
	wantErrno(t, unix.Rename(file, empty), unix.EISDIR, "rename a file over a directory")
	wantErrno(t, unix.Rename(src, file), unix.ENOTDIR, "rename a directory over a file")
	wantErrno(t, unix.Rename(src, path(src, "inner", "x")), unix.EINVAL, "rename a directory into its own subtree")
	wantErrno(t, unix.Rename(src, path(src, "x")), unix.EINVAL, "rename a directory into itself")
	wantErrno(t, unix.Rename(mnt, path(src, "x")), unix.EINVAL, "rename an ancestor beneath a descendant")
	wantContent(t, path(src, "inner", "f"), "deep")
	wantContent(t, path(full, "f"), "occupant")
	wantContent(t, file, "file")

	ino := lstat(t, src).Ino
	check(t, unix.Rename(src, empty), "rename a directory over an empty one")
	wantGone(t, src)
	if st := lstat(t, empty); st.Ino != ino || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		t.Errorf("after replacing: ino %d mode %o, want the source directory %d", st.Ino, st.Mode, ino)
	}
	wantContent(t, path(empty, "inner", "f"), "deep")

	// moved to another parent, its ".." follows
	check(t, unix.Rename(empty, path(full, "moved")), "rename a directory to another parent")
	wantContent(t, path(full, "moved", "inner", "f"), "deep")
	if up, parent := lstat(t, path(full, "moved")+"/..").Ino, lstat(t, full).Ino; up != parent {
		t.Errorf("moved directory's .. is inode %d, want its new parent %d", up, parent)
	}
	if names, _ := dirNames(mnt); len(names) != 2 {
		t.Errorf("top level after the renames: %q, want file and full", names)
	}
}

// testRenameNoReplace: renameat2 RENAME_NOREPLACE refuses to replace.
func testRenameNoReplace(t *testing.T, mnt string) {
	a, b, d := path(mnt, "a"), path(mnt, "b"), path(mnt, "d")
	put(t, a, "A")
	put(t, b, "B")
	check(t, unix.Mkdir(d, 0o755), "mkdir")
	wantErrno(t, unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_NOREPLACE), unix.EEXIST, "RENAME_NOREPLACE over a file")
	wantErrno(t, unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, d, unix.RENAME_NOREPLACE), unix.EEXIST, "RENAME_NOREPLACE over a directory")
	wantContent(t, a, "A")
	wantContent(t, b, "B")
	check(t, unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, path(mnt, "c"), unix.RENAME_NOREPLACE), "RENAME_NOREPLACE to a free name")
	wantGone(t, a)
	wantContent(t, path(mnt, "c"), "A")
}

// testRenameExchange: renameat2 RENAME_EXCHANGE swaps two names atomically.
func testRenameExchange(t *testing.T, mnt string) {
	a, b, d := path(mnt, "a"), path(mnt, "b"), path(mnt, "d")
	put(t, a, "A")
	put(t, b, "BB")
	check(t, unix.Mkdir(d, 0o755), "mkdir")
	put(t, path(d, "inside"), "in")
	ia, ib, id := lstat(t, a).Ino, lstat(t, b).Ino, lstat(t, d).Ino
	check(t, unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE), "exchange two files")
	wantContent(t, a, "BB")
	wantContent(t, b, "A")
	if lstat(t, a).Ino != ib || lstat(t, b).Ino != ia {
		t.Errorf("inode numbers did not swap")
	}
	check(t, unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, d, unix.RENAME_EXCHANGE), "exchange a file and a directory")
	wantContent(t, d, "BB")
	wantContent(t, path(a, "inside"), "in")
	if lstat(t, a).Ino != id {
		t.Errorf("the directory did not move to a")
	}
	wantErrno(t, unix.Renameat2(unix.AT_FDCWD, b, unix.AT_FDCWD, path(mnt, "missing"), unix.RENAME_EXCHANGE), unix.ENOENT, "exchange with a missing name")
	wantContent(t, b, "A")
}

// testRenameOpenFile: an open file keeps working through its descriptor
// after a rename, and its new name has everything written.
func testRenameOpenFile(t *testing.T, mnt string) {
	old, sub := path(mnt, "old"), path(mnt, "sub")
	check(t, unix.Mkdir(sub, 0o755), "mkdir")
	fd := openFD(t, old, unix.O_CREAT|unix.O_RDWR, 0o644)
	writeFD(t, fd, []byte("before "))
	ino := fstat(t, fd).Ino
	nu := path(sub, "new")
	check(t, unix.Rename(old, nu), "rename the open file")
	writeFD(t, fd, []byte("after"))
	if st := fstat(t, fd); st.Ino != ino || st.Size != 12 || st.Nlink != 1 {
		t.Errorf("fstat after rename: ino %d size %d nlink %d, want %d 12 1", st.Ino, st.Size, st.Nlink, ino)
	}
	wantBytes(t, preadFull(t, fd, 100, 0), []byte("before after"), "read through the fd")
	wantContent(t, nu, "before after")
	wantGone(t, old)
	// a second descriptor opened by the new name shares the file
	fd2 := openFD(t, nu, unix.O_RDWR, 0)
	pwriteAll(t, fd2, []byte("BEFORE"), 0)
	wantBytes(t, preadFull(t, fd, 100, 0), []byte("BEFORE after"), "first fd sees the second's write")
	check(t, unix.Fchmod(fd, 0o600), "fchmod after rename")
	if st := lstat(t, nu); st.Mode&0o777 != 0o600 {
		t.Errorf("mode by the new name: %o, want 600", st.Mode&0o777)
	}
}

// testRenameOpenDir: a directory descriptor keeps working (like a cwd)
// after the directory is renamed to another parent.
func testRenameOpenDir(t *testing.T, mnt string) {
	d, p := path(mnt, "d"), path(mnt, "p")
	check(t, unix.Mkdir(d, 0o755), "mkdir d")
	check(t, unix.Mkdir(p, 0o755), "mkdir p")
	put(t, path(d, "child"), "kid")
	dfd := openFD(t, d, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	ino := fstat(t, dfd).Ino
	moved := path(p, "moved")
	check(t, unix.Rename(d, moved), "rename the open directory")
	if st := fstat(t, dfd); st.Ino != ino {
		t.Errorf("fstat of the directory fd: ino %d, want %d", st.Ino, ino)
	}
	fd, err := unix.Openat(dfd, "child", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	check(t, err, "openat an old child through the moved directory")
	wantBytes(t, preadFull(t, fd, 10, 0), []byte("kid"), "child through the directory fd")
	unix.Close(fd)
	fd, err = unix.Openat(dfd, "born", unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
	check(t, err, "create through the moved directory's fd")
	writeFD(t, fd, []byte("new"))
	unix.Close(fd)
	wantContent(t, path(moved, "born"), "new")
	check(t, unix.Mkdirat(dfd, "subdir", 0o755), "mkdirat through the moved directory's fd")
	check(t, unix.Renameat(dfd, "born", dfd, path("subdir", "born")), "renameat within the moved directory")
	wantContent(t, path(moved, "subdir", "born"), "new")
	var st unix.Stat_t
	check(t, unix.Fstatat(dfd, "..", &st, 0), "fstatat ..")
	if st.Ino != lstat(t, p).Ino {
		t.Errorf(".. through the directory fd is inode %d, want the new parent %d", st.Ino, lstat(t, p).Ino)
	}
	wantGone(t, d)
}

// testRenameOverOpenFile: the file replaced by a rename lives on for its
// open descriptors, unlinked.
func testRenameOverOpenFile(t *testing.T, mnt string) {
	src, dst := path(mnt, "src"), path(mnt, "dst")
	put(t, src, "new contents")
	put(t, dst, "old contents")
	fd := openFD(t, dst, unix.O_RDWR, 0)
	check(t, unix.Rename(src, dst), "rename over the open file")
	wantBytes(t, preadFull(t, fd, 100, 0), []byte("old contents"), "replaced file through its fd")
	if st := fstat(t, fd); st.Nlink != 0 || st.Size != 12 {
		t.Errorf("replaced file: nlink %d size %d, want 0 and 12", st.Nlink, st.Size)
	}
	pwriteAll(t, fd, []byte("OLD"), 0)
	wantBytes(t, preadFull(t, fd, 100, 0), []byte("OLD contents"), "write to the replaced file")
	wantContent(t, dst, "new contents")
	wantGone(t, src)
}
