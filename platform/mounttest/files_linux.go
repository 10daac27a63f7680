//go:build linux

package mounttest

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// testFileLifecycle: create, write, read back, stat, unlink, and the
// errors around a missing file.
func testFileLifecycle(t *testing.T, mnt string) {
	p := path(mnt, "file")
	fd, err := unix.Open(p, unix.O_CREAT|unix.O_EXCL|unix.O_RDWR|unix.O_CLOEXEC, 0o644)
	check(t, err, "create %s", p)
	if st := fstat(t, fd); st.Size != 0 || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Nlink != 1 {
		t.Errorf("new file: size %d mode %o nlink %d, want an empty regular file with one link", st.Size, st.Mode, st.Nlink)
	}
	writeFD(t, fd, []byte("hello, "))
	writeFD(t, fd, []byte("world"))
	if st := fstat(t, fd); st.Size != 12 {
		t.Errorf("size after writes: %d, want 12", st.Size)
	}
	wantBytes(t, preadFull(t, fd, 100, 0), []byte("hello, world"), "pread from the writing fd")
	wantBytes(t, preadFull(t, fd, 100, 7), []byte("world"), "pread at 7")
	wantBytes(t, preadFull(t, fd, 100, 12), nil, "pread at EOF")
	wantBytes(t, preadFull(t, fd, 100, 1000), nil, "pread past EOF")
	check(t, unix.Close(fd), "close")
	wantContent(t, p, "hello, world")
	if st := lstat(t, p); st.Size != 12 || st.Mode&unix.S_IFMT != unix.S_IFREG {
		t.Errorf("stat: size %d mode %o, want a regular file of 12 bytes", st.Size, st.Mode)
	}
	// overwrite in the middle keeps the rest
	fd = openFD(t, p, unix.O_WRONLY, 0)
	_, err = unix.Pwrite(fd, []byte("W"), 7)
	check(t, err, "pwrite")
	wantContent(t, p, "hello, World")
	check(t, unix.Unlink(p), "unlink %s", p)
	wantGone(t, p)
	wantErrno(t, unix.Unlink(p), unix.ENOENT, "unlink twice")
	_, err = unix.Open(p, unix.O_RDONLY, 0)
	wantErrno(t, err, unix.ENOENT, "open a removed file")
	_, err = unix.Open(path(mnt, "missing", "x"), unix.O_CREAT|unix.O_WRONLY, 0o644)
	wantErrno(t, err, unix.ENOENT, "create in a missing directory")
	if names, _ := dirNames(mnt); len(names) != 0 {
		t.Errorf("directory not empty after unlink: %q", names)
	}
}

// testDirLifecycle: mkdir and rmdir with their errors.
func testDirLifecycle(t *testing.T, mnt string) {
	d := path(mnt, "dir")
	check(t, unix.Mkdir(d, 0o755), "mkdir")
	if st := lstat(t, d); st.Mode&unix.S_IFMT != unix.S_IFDIR {
		t.Errorf("mkdir made mode %o, want a directory", st.Mode)
	}
	wantErrno(t, unix.Mkdir(d, 0o755), unix.EEXIST, "mkdir an existing directory")
	put(t, path(mnt, "file"), "x")
	wantErrno(t, unix.Mkdir(path(mnt, "file"), 0o755), unix.EEXIST, "mkdir over a file")
	wantErrno(t, unix.Mkdir(path(mnt, "file", "sub"), 0o755), unix.ENOTDIR, "mkdir under a file")
	wantErrno(t, unix.Mkdir(path(mnt, "missing", "sub"), 0o755), unix.ENOENT, "mkdir under a missing directory")
	put(t, path(d, "child"), "x")
	wantErrno(t, unix.Rmdir(d), unix.ENOTEMPTY, "rmdir a directory holding a file")
	check(t, unix.Unlink(path(d, "child")), "unlink child")
	check(t, unix.Mkdir(path(d, "subdir"), 0o755), "mkdir subdir")
	wantErrno(t, unix.Rmdir(d), unix.ENOTEMPTY, "rmdir a directory holding a directory")
	wantErrno(t, unix.Unlink(path(d, "subdir")), unix.EISDIR, "unlink a directory")
	wantErrno(t, unix.Rmdir(path(mnt, "file")), unix.ENOTDIR, "rmdir a file")
	wantErrno(t, unix.Rmdir(path(d, "subdir")+"/."), unix.EINVAL, "rmdir dir/.")
	check(t, unix.Rmdir(path(d, "subdir")), "rmdir subdir")
	// a removed directory accepts no new entries through an open fd
	dfd := openFD(t, d, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	check(t, unix.Rmdir(d), "rmdir the emptied directory")
	wantGone(t, d)
	wantErrno(t, unix.Rmdir(d), unix.ENOENT, "rmdir twice")
	_, err := unix.Openat(dfd, "late", unix.O_CREAT|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
	wantErrno(t, err, unix.ENOENT, "create in a removed directory")
	wantErrno(t, unix.Mkdirat(dfd, "late", 0o755), unix.ENOENT, "mkdir in a removed directory")
	if st := fstat(t, dfd); st.Nlink != 0 {
		t.Errorf("removed directory has nlink %d, want 0", st.Nlink)
	}
}

// testAppend: two O_APPEND descriptors interleave whole writes at the end,
// whatever their file offsets say.
func testAppend(t *testing.T, mnt string) {
	p := path(mnt, "log")
	put(t, p, "start:")
	a := openFD(t, p, unix.O_WRONLY|unix.O_APPEND, 0)
	b := openFD(t, p, unix.O_WRONLY|unix.O_APPEND, 0)
	want := "start:"
	for i := range 20 {
		fd, rec := a, "a"+strings.Repeat("x", i)+";"
		if i%3 == 1 {
			fd, rec = b, "B"+strings.Repeat("y", i)+";"
		}
		_, err := unix.Seek(fd, 0, unix.SEEK_SET)
		check(t, err, "seek")
		writeFD(t, fd, []byte(rec))
		want += rec
		if off, err := unix.Seek(fd, 0, unix.SEEK_CUR); err != nil || off != int64(len(want)) {
			t.Fatalf("offset after an append: %d %v, want %d", off, err, len(want))
		}
	}
	wantContent(t, p, want)
	if st := lstat(t, p); st.Size != int64(len(want)) {
		t.Errorf("size %d, want %d", st.Size, len(want))
	}
	// a plain writer at offset 0 overwrites, the appender still appends
	w := openFD(t, p, unix.O_WRONLY, 0)
	writeFD(t, w, []byte("START"))
	writeFD(t, a, []byte("end"))
	wantContent(t, p, "START"+want[5:]+"end")
}

// testTruncate: grow with zeros, shrink, regrow without stale data, by
// path and by descriptor, and the errors.
func testTruncate(t *testing.T, mnt string) {
	p := path(mnt, "file")
	put(t, p, "0123456789")
	check(t, unix.Truncate(p, 4), "truncate to 4")
	wantContent(t, p, "0123")
	check(t, unix.Truncate(p, 8), "truncate to 8")
	wantContent(t, p, "0123\x00\x00\x00\x00") // the cut bytes must not come back
	fd := openFD(t, p, unix.O_RDWR, 0)
	check(t, unix.Ftruncate(fd, 0), "ftruncate to 0")
	if st := fstat(t, fd); st.Size != 0 {
		t.Errorf("size after ftruncate 0: %d", st.Size)
	}
	big := pattern(1, 100000)
	pwriteAll(t, fd, big, 0)
	check(t, unix.Ftruncate(fd, 65536+17), "ftruncate down")
	check(t, unix.Ftruncate(fd, 200000), "ftruncate up")
	want := append(append([]byte{}, big[:65536+17]...), make([]byte, 200000-65536-17)...)
	wantBytes(t, preadFull(t, fd, 300000, 0), want, "contents after shrink and grow")
	if st := fstat(t, fd); st.Size != 200000 {
		t.Errorf("fstat size %d, want 200000", st.Size)
	}
	if st := lstat(t, p); st.Size != 200000 {
		t.Errorf("stat size %d, want 200000", st.Size)
	}
	// a write after the hole leaves the hole zero
	pwriteAll(t, fd, []byte("tail"), 300000)
	wantBytes(t, preadFull(t, fd, 100, 200000-50), make([]byte, 100), "hole before a later write")
	wantErrno(t, unix.Truncate(p, -1), unix.EINVAL, "truncate to -1")
	wantErrno(t, unix.Ftruncate(fd, -1), unix.EINVAL, "ftruncate to -1")
	wantErrno(t, unix.Truncate(mnt, 0), unix.EISDIR, "truncate a directory")
	wantErrno(t, unix.Truncate(path(mnt, "missing"), 0), unix.ENOENT, "truncate a missing file")
	ro := openFD(t, p, unix.O_RDONLY, 0)
	wantErrno(t, unix.Ftruncate(ro, 0), unix.EINVAL, "ftruncate a read-only fd")
	if st := lstat(t, p); st.Size != 300004 {
		t.Errorf("size changed by failed truncates: %d", st.Size)
	}
}

// testOpenExclTrunc: O_CREAT|O_EXCL and O_TRUNC.
func testOpenExclTrunc(t *testing.T, mnt string) {
	p := path(mnt, "file")
	fd, err := unix.Open(p, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
	check(t, err, "O_EXCL create")
	unix.Close(fd)
	_, err = unix.Open(p, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY, 0o644)
	wantErrno(t, err, unix.EEXIST, "O_EXCL on an existing file")
	_, err = unix.Open(mnt, unix.O_CREAT|unix.O_EXCL|unix.O_RDONLY, 0o644)
	wantErrno(t, err, unix.EEXIST, "O_EXCL on an existing directory")
	check(t, unix.Symlink("nowhere", path(mnt, "dangling")), "symlink")
	_, err = unix.Open(path(mnt, "dangling"), unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY, 0o644)
	wantErrno(t, err, unix.EEXIST, "O_EXCL on a dangling symlink")
	wantGone(t, path(mnt, "nowhere"))
	// O_CREAT without O_EXCL opens the existing file and keeps its data
	put(t, p, "keep me")
	fd = openFD(t, p, unix.O_CREAT|unix.O_RDWR, 0o600)
	wantBytes(t, preadFull(t, fd, 100, 0), []byte("keep me"), "O_CREAT on an existing file")
	if st := lstat(t, p); st.Mode&0o777 != 0o644 {
		t.Errorf("O_CREAT on an existing file changed its mode to %o", st.Mode&0o777)
	}
	// O_TRUNC empties, even when opened for reading and writing
	fd2 := openFD(t, p, unix.O_TRUNC|unix.O_RDWR, 0)
	if st := fstat(t, fd2); st.Size != 0 {
		t.Errorf("size after O_TRUNC: %d", st.Size)
	}
	wantBytes(t, preadFull(t, fd, 100, 0), nil, "old fd after O_TRUNC by another")
	writeFD(t, fd2, []byte("new"))
	wantContent(t, p, "new")
	// O_TRUNC|O_CREAT on a missing file creates it
	fd3 := openFD(t, path(mnt, "fresh"), unix.O_TRUNC|unix.O_CREAT|unix.O_WRONLY, 0o644)
	if st := fstat(t, fd3); st.Size != 0 {
		t.Errorf("O_TRUNC|O_CREAT created size %d", st.Size)
	}
}

// testOpenUmask: the mode of O_CREAT and mkdir honours the umask.
func testOpenUmask(t *testing.T, mnt string) {
	cases := []struct {
		mask int
		mode uint32
		want uint32
	}{{0o022, 0o666, 0o644}, {0o077, 0o777, 0o700}, {0o027, 0o751, 0o750}, {0, 0o604, 0o604}}
	for i, c := range cases {
		f, d := path(mnt, "f"+string(rune('0'+i))), path(mnt, "d"+string(rune('0'+i)))
		var ferr, derr error
		withUmask(c.mask, func() {
			var fd int
			fd, ferr = unix.Open(f, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC, c.mode)
			if ferr == nil {
				unix.Close(fd)
			}
			derr = unix.Mkdir(d, c.mode)
		})
		check(t, ferr, "create %s", f)
		check(t, derr, "mkdir %s", d)
		if st := lstat(t, f); st.Mode&0o7777 != c.want {
			t.Errorf("file created with mode %o under umask %03o: %o, want %o", c.mode, c.mask, st.Mode&0o7777, c.want)
		}
		if st := lstat(t, d); st.Mode&0o7777 != c.want {
			t.Errorf("dir made with mode %o under umask %03o: %o, want %o", c.mode, c.mask, st.Mode&0o7777, c.want)
		}
	}
}

// testOpenErrors: the errno of opening the wrong kind of thing.
func testOpenErrors(t *testing.T, mnt string) {
	f := path(mnt, "file")
	put(t, f, "data")
	_, err := unix.Open(f, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	wantErrno(t, err, unix.ENOTDIR, "O_DIRECTORY on a file")
	_, err = unix.Open(path(f, "x"), unix.O_RDONLY, 0)
	wantErrno(t, err, unix.ENOTDIR, "a file as a path component")
	_, err = unix.Open(f+"/", unix.O_RDONLY, 0)
	wantErrno(t, err, unix.ENOTDIR, "a file with a trailing slash")
	_, err = unix.Open(mnt, unix.O_WRONLY, 0)
	wantErrno(t, err, unix.EISDIR, "open a directory O_WRONLY")
	_, err = unix.Open(mnt, unix.O_RDWR, 0)
	wantErrno(t, err, unix.EISDIR, "open a directory O_RDWR")
	_, err = unix.Open(mnt, unix.O_RDONLY|unix.O_CREAT, 0o644)
	wantErrno(t, err, unix.EISDIR, "O_CREAT on a directory")
	ro := openFD(t, f, unix.O_RDONLY, 0)
	_, err = unix.Write(ro, []byte("x"))
	wantErrno(t, err, unix.EBADF, "write to a read-only fd")
	_, err = unix.Pwrite(ro, []byte("x"), 0)
	wantErrno(t, err, unix.EBADF, "pwrite to a read-only fd")
	wo := openFD(t, f, unix.O_WRONLY, 0)
	_, err = unix.Read(wo, make([]byte, 4))
	wantErrno(t, err, unix.EBADF, "read from a write-only fd")
	dfd := openFD(t, mnt, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	_, err = unix.Read(dfd, make([]byte, 4))
	wantErrno(t, err, unix.EISDIR, "read(2) from a directory")
	wantContent(t, f, "data")
}

// testNameLimits: a 255-byte name works everywhere, 256 bytes is
// ENAMETOOLONG everywhere.
func testNameLimits(t *testing.T, mnt string) {
	long, tooLong := strings.Repeat("n", 255), strings.Repeat("m", 256)
	p := path(mnt, long)
	put(t, p, "long")
	wantContent(t, p, "long")
	if names, _ := dirNames(mnt); len(names) != 1 || names[0] != long {
		t.Errorf("readdir of a 255-byte name: %d entries", len(names))
	}
	d := path(mnt, strings.Repeat("d", 255))
	check(t, unix.Mkdir(d, 0o755), "mkdir a 255-byte name")
	check(t, unix.Rename(p, path(d, strings.Repeat("r", 255))), "rename to a 255-byte name")
	check(t, unix.Symlink(strings.Repeat("t", 255), path(mnt, strings.Repeat("s", 255))), "symlink with a 255-byte name")
	q := path(mnt, tooLong)
	_, err := unix.Open(q, unix.O_CREAT|unix.O_WRONLY, 0o644)
	wantErrno(t, err, unix.ENAMETOOLONG, "create a 256-byte name")
	wantErrno(t, unix.Mkdir(q, 0o755), unix.ENAMETOOLONG, "mkdir a 256-byte name")
	var st unix.Stat_t
	wantErrno(t, unix.Lstat(q, &st), unix.ENAMETOOLONG, "lstat a 256-byte name")
	wantErrno(t, unix.Rename(path(d, strings.Repeat("r", 255)), q), unix.ENAMETOOLONG, "rename to a 256-byte name")
	wantErrno(t, unix.Symlink("x", q), unix.ENAMETOOLONG, "symlink a 256-byte name")
	wantErrno(t, unix.Link(path(d, strings.Repeat("r", 255)), q), unix.ENAMETOOLONG, "link to a 256-byte name")
	if names, _ := dirNames(mnt); len(names) != 2 {
		t.Errorf("entries after the failures: %q", names)
	}
}

// testFsync: fsync and fdatasync succeed on files and directories and the
// data is visible through another descriptor.
func testFsync(t *testing.T, mnt string) {
	p := path(mnt, "file")
	fd := openFD(t, p, unix.O_CREAT|unix.O_RDWR, 0o644)
	data := pattern(2, 300000)
	pwriteAll(t, fd, data, 0)
	check(t, unix.Fsync(fd), "fsync")
	pwriteAll(t, fd, []byte("changed"), 1000)
	copy(data[1000:], "changed")
	check(t, unix.Fdatasync(fd), "fdatasync")
	other := openFD(t, p, unix.O_RDONLY, 0)
	wantBytes(t, preadFull(t, other, len(data)+10, 0), data, "data after fsync via another fd")
	check(t, unix.Fsync(other), "fsync a read-only fd")
	dfd := openFD(t, mnt, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	check(t, unix.Fsync(dfd), "fsync a directory")
	check(t, unix.Fdatasync(dfd), "fdatasync a directory")
	check(t, unix.Syncfs(fd), "syncfs")
	check(t, unix.Ftruncate(fd, 10), "ftruncate")
	check(t, unix.Fsync(fd), "fsync after truncate")
	got, err := os.ReadFile(p)
	check(t, err, "read")
	wantBytes(t, got, data[:10], "after truncate and fsync")
}
