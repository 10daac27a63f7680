//go:build linux

package mounttest

import (
	"testing"

	"golang.org/x/sys/unix"
)

// mmapFD maps length bytes of fd and unmaps them when the test ends.
func mmapFD(t *testing.T, fd, length, prot, flags int) []byte {
	t.Helper()
	m, err := unix.Mmap(fd, 0, length, prot, flags)
	check(t, err, "mmap %d bytes", length)
	t.Cleanup(func() { unix.Munmap(m) })
	return m
}

// testMmapRead: a shared read-only mapping shows the file, including the
// zero-filled rest of the last page, and later writes through write(2).
func testMmapRead(t *testing.T, mnt string) {
	p := path(mnt, "file")
	page := unix.Getpagesize()
	data := pattern(30, 3*page+100)
	check(t, writeWhole(p, data), "write")
	fd := openFD(t, p, unix.O_RDONLY, 0)
	m := mmapFD(t, fd, 4*page, unix.PROT_READ, unix.MAP_SHARED)
	wantBytes(t, m[:len(data)], data, "mapped contents")
	wantBytes(t, m[len(data):], make([]byte, 4*page-len(data)), "mapped tail of the last page")
	// a write through another descriptor shows in the mapping
	wfd := openFD(t, p, unix.O_WRONLY, 0)
	pwriteAll(t, wfd, []byte("through write(2)"), int64(page-5))
	wantBytes(t, m[page-5:page+11], []byte("through write(2)"), "mapping after a write(2)")
	// a private mapping reads the same and its writes stay private
	rw := openFD(t, p, unix.O_RDWR, 0)
	priv := mmapFD(t, rw, len(data), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
	wantBytes(t, priv[:100], data[:100], "private mapping")
	copy(priv, "private!")
	wantBytes(t, preadFull(t, fd, 8, 0), data[:8], "file after a write to a private mapping")
}

// testMmapSharedWrite: stores to a shared writable mapping reach the file
// after msync, read back with read(2), also after the mapping is gone and
// the file reopened.
func testMmapSharedWrite(t *testing.T, mnt string) {
	p := path(mnt, "file")
	page := unix.Getpagesize()
	size := 5*page + 321
	fd, err := unix.Open(p, unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC, 0o644)
	check(t, err, "create")
	check(t, unix.Ftruncate(fd, int64(size)), "ftruncate")
	m, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	check(t, err, "mmap shared writable")
	data := pattern(31, size)
	copy(m, data)
	check(t, unix.Msync(m, unix.MS_SYNC), "msync")
	other := openFD(t, p, unix.O_RDONLY, 0)
	wantBytes(t, preadFull(t, other, size+10, 0), data, "read(2) after msync")
	// a second store, then unmap and close without msync: munmap does not
	// lose it
	copy(m[2*page:], "second store")
	copy(data[2*page:], "second store")
	check(t, unix.Munmap(m), "munmap")
	check(t, unix.Fsync(fd), "fsync")
	check(t, unix.Close(fd), "close")
	wantContent(t, p, string(data))
	if st := lstat(t, p); st.Size != int64(size) {
		t.Errorf("size %d after mapped writes, want %d", st.Size, size)
	}
}

// writeWhole writes data to p, creating it 0644.
func writeWhole(p string, data []byte) error {
	fd, err := unix.Open(p, unix.O_CREAT|unix.O_TRUNC|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// testStatfs: statfs and fstatfs answer with consistent numbers.
func testStatfs(t *testing.T, mnt string) {
	var st, fst unix.Statfs_t
	check(t, unix.Statfs(mnt, &st), "statfs")
	if st.Bsize <= 0 || st.Blocks < st.Bfree || st.Bfree < st.Bavail || st.Files < st.Ffree {
		t.Errorf("statfs: bsize %d blocks %d bfree %d bavail %d files %d ffree %d", st.Bsize, st.Blocks, st.Bfree, st.Bavail, st.Files, st.Ffree)
	}
	if st.Namelen != 0 && st.Namelen < 255 {
		t.Errorf("statfs: namelen %d, want at least 255", st.Namelen)
	}
	put(t, path(mnt, "f"), "x")
	fd := openFD(t, path(mnt, "f"), unix.O_RDONLY, 0)
	check(t, unix.Fstatfs(fd, &fst), "fstatfs")
	if fst.Type != st.Type || fst.Bsize != st.Bsize || fst.Blocks != st.Blocks {
		t.Errorf("fstatfs of a file differs from statfs of the directory: %+v vs %+v", fst, st)
	}
	wantErrno(t, unix.Statfs(path(mnt, "missing"), &st), unix.ENOENT, "statfs a missing path")
}

// testMkfifo: named pipes are created, listed as fifos, carry data
// between a reader and a writer, and keep size 0.
func testMkfifo(t *testing.T, mnt string) {
	p := path(mnt, "fifo")
	check(t, unix.Mkfifo(p, 0o640), "mkfifo")
	if st := lstat(t, p); st.Mode != unix.S_IFIFO|0o640&^currentUmask() {
		t.Errorf("fifo mode %o, want %o", st.Mode, unix.S_IFIFO|0o640&^currentUmask())
	}
	wantErrno(t, unix.Mkfifo(p, 0o640), unix.EEXIST, "mkfifo an existing name")
	r := openFD(t, p, unix.O_RDONLY|unix.O_NONBLOCK, 0)
	w := openFD(t, p, unix.O_WRONLY, 0)
	writeFD(t, w, []byte("ping"))
	buf := make([]byte, 16)
	n, err := unix.Read(r, buf)
	if err != nil || string(buf[:n]) != "ping" {
		t.Errorf("read from the fifo: %q %v", buf[:n], err)
	}
	if st := lstat(t, p); st.Size != 0 {
		t.Errorf("fifo size %d after traffic, want 0", st.Size)
	}
	check(t, unix.Mknod(path(mnt, "reg"), unix.S_IFREG|0o600, 0), "mknod a regular file")
	if st := lstat(t, path(mnt, "reg")); st.Mode != unix.S_IFREG|0o600 || st.Size != 0 {
		t.Errorf("mknod S_IFREG: mode %o size %d", st.Mode, st.Size)
	}
	check(t, unix.Rename(p, path(mnt, "renamed")), "rename a fifo")
	if st := lstat(t, path(mnt, "renamed")); st.Mode&unix.S_IFMT != unix.S_IFIFO {
		t.Errorf("renamed fifo has mode %o", st.Mode)
	}
	check(t, unix.Unlink(path(mnt, "renamed")), "unlink a fifo")
}

// currentUmask reads the process umask without changing it for long.
func currentUmask() uint32 {
	m := unix.Umask(0)
	unix.Umask(m)
	return uint32(m)
}
