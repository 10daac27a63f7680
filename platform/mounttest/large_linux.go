//go:build linux

package mounttest

import (
	"crypto/sha256"
	"io"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

const (
	kib = int64(1) << 10
	mib = int64(1) << 20
	gib = int64(1) << 30
)

// testSparseRead: writes far apart leave holes that read as zeros, and
// st_size is the end of the last write. Nothing gigabyte-sized is written.
func testSparseRead(t *testing.T, mnt string) {
	fd := openFD(t, path(mnt, "sparse"), unix.O_CREAT|unix.O_RDWR, 0o644)
	head, mid, tail := pattern(10, 4096), pattern(11, 10000), pattern(12, 777)
	midOff, tailOff := gib+12345, 3*gib-7
	pwriteAll(t, fd, head, 0)
	pwriteAll(t, fd, mid, midOff)
	pwriteAll(t, fd, tail, tailOff)
	size := tailOff + int64(len(tail))
	if st := fstat(t, fd); st.Size != size {
		t.Errorf("st_size %d, want %d", st.Size, size)
	}
	if st := fstat(t, fd); st.Blocks*512 > 64*mib {
		t.Logf("note: the sparse file occupies %d bytes", st.Blocks*512)
	}
	wantBytes(t, preadFull(t, fd, 4096, 0), head, "head")
	wantBytes(t, preadFull(t, fd, 64*1024, 500*mib), make([]byte, 64*1024), "hole at 500 MiB")
	// a read across the hole/data boundary, both ways
	got := preadFull(t, fd, 5000+len(mid)+3000, midOff-5000)
	want := append(append(make([]byte, 5000), mid...), make([]byte, 3000)...)
	wantBytes(t, got, want, "read across the data at 1 GiB")
	wantBytes(t, preadFull(t, fd, 100, tailOff-100), make([]byte, 100), "hole just before the tail")
	wantBytes(t, preadFull(t, fd, 5000, tailOff), tail, "tail, short read at EOF")
	wantBytes(t, preadFull(t, fd, 10, size), nil, "read at EOF")
	// cut in the middle of the data at 1 GiB, then regrow: zeros after the cut
	check(t, unix.Ftruncate(fd, midOff+100), "ftruncate into the data")
	check(t, unix.Ftruncate(fd, 2*gib), "ftruncate up to 2 GiB")
	got = preadFull(t, fd, 300, midOff)
	want = append(append([]byte{}, mid[:100]...), make([]byte, 200)...)
	wantBytes(t, got, want, "data cut by truncate, then regrown")
	if st := fstat(t, fd); st.Size != 2*gib {
		t.Errorf("st_size after regrow: %d", st.Size)
	}
	off, err := unix.Seek(fd, 0, unix.SEEK_END)
	if err != nil || off != 2*gib {
		t.Errorf("SEEK_END: %d %v, want %d", off, err, 2*gib)
	}
}

// testLargeOffsets: offsets beyond 4 GiB (and across the 32-bit
// boundaries) read and write correctly.
func testLargeOffsets(t *testing.T, mnt string) {
	p := path(mnt, "big")
	fd := openFD(t, p, unix.O_CREAT|unix.O_RDWR, 0o644)
	at5, across4, across2 := 5*gib, 4*gib-3, 2*gib-5
	a, b, c := pattern(20, 8192), pattern(21, 10), pattern(22, 10)
	pwriteAll(t, fd, a, at5)
	pwriteAll(t, fd, b, across4)
	pwriteAll(t, fd, c, across2)
	wantBytes(t, preadFull(t, fd, 8192, at5), a, "data at 5 GiB")
	wantBytes(t, preadFull(t, fd, 10, across4), b, "data across 4 GiB")
	wantBytes(t, preadFull(t, fd, 10, across2), c, "data across 2 GiB")
	wantBytes(t, preadFull(t, fd, 4096, 4*gib+4096), make([]byte, 4096), "hole above 4 GiB")
	if st := lstat(t, p); st.Size != at5+8192 {
		t.Errorf("st_size %d, want %d", st.Size, at5+8192)
	}
	// the file offset: seek, write, read back through another fd
	_, err := unix.Seek(fd, 6*gib, unix.SEEK_SET)
	check(t, err, "seek to 6 GiB")
	writeFD(t, fd, []byte("six"))
	if off, _ := unix.Seek(fd, 0, unix.SEEK_CUR); off != 6*gib+3 {
		t.Errorf("offset after the write: %d", off)
	}
	ro := openFD(t, p, unix.O_RDONLY, 0)
	wantBytes(t, preadFull(t, ro, 10, 6*gib), []byte("six"), "data at 6 GiB through another fd")
	check(t, unix.Ftruncate(fd, 5*gib+1), "ftruncate to 5 GiB + 1")
	wantBytes(t, preadFull(t, ro, 10, 5*gib), a[:1], "after truncating to 5 GiB + 1")
	check(t, unix.Truncate(p, 8*gib), "truncate to 8 GiB")
	if st := fstat(t, ro); st.Size != 8*gib {
		t.Errorf("st_size after truncate to 8 GiB: %d", st.Size)
	}
}

// hashFile is the SHA-256 of p's contents, read with plain reads.
func hashFile(t *testing.T, p string) [32]byte {
	t.Helper()
	f, err := os.Open(p)
	check(t, err, "open %s", p)
	defer f.Close()
	h := sha256.New()
	_, err = io.CopyBuffer(h, struct{ io.Reader }{f}, make([]byte, 256*kib))
	check(t, err, "read %s", p)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// testLargeFileCopy: 64 MiB written, copied with copy_file_range (what
// io.Copy between files does) and with plain reads and writes, and
// checksummed on the way.
func testLargeFileCopy(t *testing.T, mnt string) {
	src, dst1, dst2 := path(mnt, "src"), path(mnt, "copy-range"), path(mnt, "copy-rw")
	h := sha256.New()
	f, err := os.Create(src)
	check(t, err, "create")
	for i := range 64 {
		chunk := pattern(uint64(100+i), int(mib))
		h.Write(chunk)
		_, err := f.Write(chunk)
		check(t, err, "write chunk %d", i)
	}
	check(t, f.Close(), "close")
	var want [32]byte
	h.Sum(want[:0])
	if got := hashFile(t, src); got != want {
		t.Fatalf("the written file reads back with another checksum")
	}
	copyFile := func(to string, plain bool) {
		in, err := os.Open(src)
		check(t, err, "open source")
		defer in.Close()
		out, err := os.Create(to)
		check(t, err, "create %s", to)
		defer out.Close()
		var n int64
		if plain {
			n, err = io.CopyBuffer(struct{ io.Writer }{out}, struct{ io.Reader }{in}, make([]byte, 1*mib+7))
		} else {
			n, err = io.Copy(out, in)
		}
		check(t, err, "copy to %s", to)
		if n != 64*mib {
			t.Errorf("copied %d bytes to %s, want %d", n, to, 64*mib)
		}
		check(t, out.Close(), "close %s", to)
	}
	copyFile(dst1, false)
	copyFile(dst2, true)
	for _, p := range []string{dst1, dst2} {
		if got := hashFile(t, p); got != want {
			t.Errorf("%s has another checksum than its source", p)
		}
		if st := lstat(t, p); st.Size != 64*mib {
			t.Errorf("%s: size %d", p, st.Size)
		}
	}
}
