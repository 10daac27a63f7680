//go:build linux

package posixtest

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func init() {
	register("FileLifecycle", testFileLifecycle)
	register("DirLifecycle", testDirLifecycle)
	register("Append", testAppend)
	register("Truncate", testTruncate)
	register("OpenFlags", testOpenFlags)
	register("SparseRead", testSparseRead)
	register("LargeOffsets", testLargeOffsets)
	register("Fsync", testFsync)
	register("NameLimits", testNameLimits)
	register("LargeFileCopy", testLargeFileCopy)
}

func testFileLifecycle(t *testing.T, mnt string) {
	p := join(mnt, "f")
	write(t, p, "hello")
	content(t, p, "hello")
	st := lstat(t, p)
	if st.Size != 5 || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Nlink != 1 {
		t.Errorf("stat: size %d mode %o nlink %d", st.Size, st.Mode, st.Nlink)
	}
	write(t, p, "bye")
	content(t, p, "bye")
	must(t, os.Remove(p))
	wantErr(t, "stat after unlink", unix.Lstat(p, &st), unix.ENOENT)
	wantErr(t, "unlink twice", unix.Unlink(p), unix.ENOENT)
	wantErr(t, "open missing", func() error { _, err := unix.Open(p, unix.O_RDONLY, 0); return err }(), unix.ENOENT)
}

func testDirLifecycle(t *testing.T, mnt string) {
	d := join(mnt, "d")
	must(t, os.Mkdir(d, 0o755))
	wantErr(t, "mkdir existing", unix.Mkdir(d, 0o755), unix.EEXIST)
	write(t, join(d, "f"), "x")
	wantErr(t, "rmdir non-empty", unix.Rmdir(d), unix.ENOTEMPTY)
	wantErr(t, "mkdir under a file", unix.Mkdir(join(d, "f", "sub"), 0o755), unix.ENOTDIR)
	wantErr(t, "rmdir of a file", unix.Rmdir(join(d, "f")), unix.ENOTDIR)
	wantErr(t, "unlink of a dir", unix.Unlink(d), unix.EISDIR)
	st := lstat(t, d)
	must(t, os.Mkdir(join(d, "sub"), 0o755))
	if st2 := lstat(t, d); st2.Nlink != st.Nlink+1 {
		t.Errorf("dir nlink %d after mkdir of a subdir, was %d", st2.Nlink, st.Nlink)
	}
	must(t, os.Remove(join(d, "f")))
	must(t, os.Remove(join(d, "sub")))
	must(t, os.Remove(d))
	if exists(d) {
		t.Error("dir still there after rmdir")
	}
}

func testAppend(t *testing.T, mnt string) {
	p := join(mnt, "log")
	a, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	must(t, err)
	defer a.Close()
	b, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	must(t, err)
	defer b.Close()
	for i := 0; i < 50; i++ {
		_, err := a.Write([]byte("aa"))
		must(t, err)
		_, err = b.Write([]byte("bbb"))
		must(t, err)
	}
	if st := lstat(t, p); st.Size != 250 {
		t.Errorf("size after appends %d, want 250", st.Size)
	}
	data, _ := os.ReadFile(p)
	if strings.Count(string(data), "aa") < 50 || strings.Count(string(data), "bbb") != 50 {
		t.Errorf("appends interleaved wrongly: %q", data)
	}
}

func testTruncate(t *testing.T, mnt string) {
	p := join(mnt, "t")
	write(t, p, "0123456789")
	must(t, os.Truncate(p, 4))
	content(t, p, "0123")
	must(t, os.Truncate(p, 8))
	content(t, p, "0123\x00\x00\x00\x00")
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	must(t, err)
	defer f.Close()
	must(t, f.Truncate(2))
	var st unix.Stat_t
	must(t, unix.Fstat(int(f.Fd()), &st))
	if st.Size != 2 {
		t.Errorf("fstat size after ftruncate %d", st.Size)
	}
	content(t, p, "01")
}

func testOpenFlags(t *testing.T, mnt string) {
	p := join(mnt, "f")
	old := unix.Umask(0o022)
	defer unix.Umask(old)
	fd, err := unix.Open(p, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY, 0o666)
	must(t, err)
	unix.Close(fd)
	if st := lstat(t, p); st.Mode&0o777 != 0o644 {
		t.Errorf("mode %o with umask 022, want 644", st.Mode&0o777)
	}
	_, err = unix.Open(p, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY, 0o644)
	wantErr(t, "O_EXCL on existing", err, unix.EEXIST)
	write(t, p, "data")
	fd, err = unix.Open(p, unix.O_WRONLY|unix.O_TRUNC, 0)
	must(t, err)
	unix.Close(fd)
	if st := lstat(t, p); st.Size != 0 {
		t.Errorf("size after O_TRUNC %d", st.Size)
	}
	_, err = unix.Open(p, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	wantErr(t, "O_DIRECTORY on a file", err, unix.ENOTDIR)
	_, err = unix.Open(mnt, unix.O_WRONLY, 0)
	wantErr(t, "open dir for writing", err, unix.EISDIR)
	fd, err = unix.Open(p, unix.O_RDONLY, 0)
	must(t, err)
	_, err = unix.Write(fd, []byte("x"))
	wantErr(t, "write to read-only fd", err, unix.EBADF)
	unix.Close(fd)
}

func testSparseRead(t *testing.T, mnt string) {
	p := join(mnt, "sparse")
	f, err := os.Create(p)
	must(t, err)
	defer f.Close()
	const off = 1<<30 + 12345
	_, err = f.WriteAt([]byte("end"), off)
	must(t, err)
	buf := make([]byte, 4096)
	n, err := f.ReadAt(buf, 1<<29)
	must(t, err)
	if n != len(buf) || !bytes.Equal(buf, make([]byte, len(buf))) {
		t.Errorf("hole did not read as zeros")
	}
	if st := lstat(t, p); st.Size != off+3 {
		t.Errorf("size %d, want %d", st.Size, off+3)
	}
	got := make([]byte, 3)
	_, err = f.ReadAt(got, off)
	if err != nil || string(got) != "end" {
		t.Errorf("read at %d: %q %v", off, got, err)
	}
}

func testLargeOffsets(t *testing.T, mnt string) {
	p := join(mnt, "big")
	f, err := os.Create(p)
	must(t, err)
	defer f.Close()
	const off = 5 << 30
	_, err = unix.Pwrite(int(f.Fd()), []byte("five gib"), off)
	must(t, err)
	got := make([]byte, 8)
	_, err = unix.Pread(int(f.Fd()), got, off)
	if err != nil || string(got) != "five gib" {
		t.Errorf("pread beyond 4 GiB: %q %v", got, err)
	}
	var st unix.Stat_t
	must(t, unix.Fstat(int(f.Fd()), &st))
	if st.Size != off+8 {
		t.Errorf("size %d", st.Size)
	}
}

func testFsync(t *testing.T, mnt string) {
	p := join(mnt, "s")
	f, err := os.Create(p)
	must(t, err)
	defer f.Close()
	_, err = f.Write([]byte("durable"))
	must(t, err)
	must(t, unix.Fsync(int(f.Fd())))
	must(t, unix.Fdatasync(int(f.Fd())))
	d, err := os.Open(mnt)
	must(t, err)
	defer d.Close()
	must(t, unix.Fsync(int(d.Fd())))
	content(t, p, "durable")
}

func testNameLimits(t *testing.T, mnt string) {
	ok := strings.Repeat("n", 255)
	write(t, join(mnt, ok), "x")
	if !exists(join(mnt, ok)) {
		t.Error("255-byte name missing")
	}
	must(t, os.Remove(join(mnt, ok)))
	_, err := os.Create(join(mnt, ok+"n"))
	wantErr(t, "256-byte name", err, unix.ENAMETOOLONG)
}

func testLargeFileCopy(t *testing.T, mnt string) {
	data := make([]byte, 64<<20)
	for i := range data {
		data[i] = byte(i*7 + i>>13)
	}
	p := join(mnt, "copy")
	must(t, os.WriteFile(p, data, 0o644))
	got, err := os.ReadFile(p)
	must(t, err)
	if !bytes.Equal(got, data) {
		t.Error("64 MiB file came back different")
	}
}
