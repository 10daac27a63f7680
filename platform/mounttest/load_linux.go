//go:build linux

package mounttest

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// ensureFDLimit raises the soft RLIMIT_NOFILE to at least n if it can.
func ensureFDLimit(t *testing.T, n uint64) {
	t.Helper()
	var rl unix.Rlimit
	check(t, unix.Getrlimit(unix.RLIMIT_NOFILE, &rl), "getrlimit")
	if rl.Cur >= n {
		return
	}
	if rl.Max < n {
		t.Fatalf("RLIMIT_NOFILE hard limit %d is below the %d this test needs", rl.Max, n)
	}
	old := rl
	rl.Cur = n
	check(t, unix.Setrlimit(unix.RLIMIT_NOFILE, &rl), "setrlimit")
	t.Cleanup(func() { unix.Setrlimit(unix.RLIMIT_NOFILE, &old) })
}

// testManyOpenFiles: 2000 files open at once, each read back through its
// own descriptor; after closing them all, descriptors are reused.
func testManyOpenFiles(t *testing.T, mnt string) {
	const n = 2000
	ensureFDLimit(t, n+200)
	base := openFDs()
	fds := make([]int, 0, n)
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	for i := range n {
		fd, err := unix.Open(path(mnt, fmt.Sprintf("f%04d", i)), unix.O_CREAT|unix.O_EXCL|unix.O_RDWR|unix.O_CLOEXEC, 0o644)
		check(t, err, "open file %d of %d", i, n)
		fds = append(fds, fd)
		writeFD(t, fd, []byte(fmt.Sprintf("file %d", i)))
	}
	if now := openFDs(); now < base+n {
		t.Errorf("%d descriptors open, want at least %d", now, base+n)
	}
	for i, fd := range fds {
		wantBytes(t, preadFull(t, fd, 32, 0), []byte(fmt.Sprintf("file %d", i)), "file %d through its descriptor", i)
	}
	for i, fd := range fds {
		check(t, unix.Close(fd), "close %d", i)
	}
	fds = fds[:0]
	if now := openFDs(); now != base {
		t.Errorf("%d descriptors open after closing all, want %d", now, base)
	}
	fd := openFD(t, path(mnt, "f1999"), unix.O_RDONLY, 0)
	wantBytes(t, preadFull(t, fd, 32, 0), []byte("file 1999"), "a later open")
	if fd > base+10 {
		t.Errorf("a later open got descriptor %d: the closed ones were not released", fd)
	}
}

// testOpenCloseLoop: 10000 opens and closes of one file, with varying
// flags, leave nothing behind and the file intact.
func testOpenCloseLoop(t *testing.T, mnt string) {
	p := path(mnt, "file")
	put(t, p, "0")
	base := openFDs()
	flags := []int{unix.O_RDONLY, unix.O_RDWR, unix.O_WRONLY | unix.O_APPEND, unix.O_RDONLY | unix.O_NOATIME}
	buf := make([]byte, 16)
	for i := range 10000 {
		fd, err := unix.Open(p, flags[i%len(flags)]|unix.O_CLOEXEC, 0)
		check(t, err, "open number %d", i)
		if i%1000 == 0 {
			if _, err := unix.Pread(fd, buf, 0); flags[i%len(flags)]&unix.O_WRONLY == 0 {
				check(t, err, "pread")
			}
		}
		check(t, unix.Close(fd), "close number %d", i)
	}
	if now := openFDs(); now != base {
		t.Errorf("%d descriptors open after the loop, want %d", now, base)
	}
	wantContent(t, p, "0")
}

// testConcurrentFiles: goroutines write their own files while others read
// every chunk already written and verify it, and directory entries come
// and go in the same directory.
func testConcurrentFiles(t *testing.T, mnt string) {
	const writers, readers, chunks, chunk = 8, 4, 64, 8192
	done := make([]atomic.Int64, writers)
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	want := func(w, c int) []byte { return pattern(uint64(w*1000+c), chunk) }
	name := func(w int) string { return path(mnt, fmt.Sprintf("w%d", w)) }
	for w := range writers {
		fd, err := unix.Open(name(w), unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
		check(t, err, "create")
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer unix.Close(fd)
			for c := range chunks {
				if _, err := unix.Pwrite(fd, want(w, c), int64(c*chunk)); err != nil {
					errs <- fmt.Errorf("writer %d chunk %d: %w", w, c, err)
					return
				}
				done[w].Store(int64(c + 1))
				tmp := path(mnt, fmt.Sprintf("tmp-%d-%d", w, c))
				if err := unix.Mkdir(tmp, 0o755); err != nil {
					errs <- fmt.Errorf("writer %d mkdir: %w", w, err)
					return
				}
				if err := unix.Rmdir(tmp); err != nil {
					errs <- fmt.Errorf("writer %d rmdir: %w", w, err)
					return
				}
			}
		}()
	}
	var stop atomic.Bool
	var checks atomic.Int64
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, chunk)
			for i := 0; !stop.Load() || i < 10; i++ {
				w := (r + i) % writers
				n := int(done[w].Load())
				fd, err := unix.Open(name(w), unix.O_RDONLY|unix.O_CLOEXEC, 0)
				if err != nil {
					errs <- fmt.Errorf("reader %d open: %w", r, err)
					return
				}
				for c := range n {
					m, err := unix.Pread(fd, buf, int64(c*chunk))
					if err != nil || m != chunk || string(buf) != string(want(w, c)) {
						unix.Close(fd)
						errs <- fmt.Errorf("reader %d: chunk %d of file %d (written before the read began) reads wrong: %d bytes, %v", r, c, w, m, err)
						return
					}
					checks.Add(1)
				}
				unix.Close(fd)
			}
		}()
	}
	go func() {
		for w := range writers {
			for done[w].Load() < chunks {
				if len(errs) > 0 {
					break
				}
				unix.Nanosleep(&unix.Timespec{Nsec: 1e6}, nil)
			}
		}
		stop.Store(true)
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for w := range writers {
		fd := openFD(t, name(w), unix.O_RDONLY, 0)
		for c := range chunks {
			wantBytes(t, preadFull(t, fd, chunk, int64(c*chunk)), want(w, c), "file %d chunk %d at the end", w, c)
		}
	}
	t.Logf("%d chunk reads verified while writing", checks.Load())
}

// appendRecord is one record of testParallelAppend: writer, sequence
// number, a length-dependent body and a CRC, 16 to 255 bytes long.
func appendRecord(w, seq int) []byte {
	n := 16 + (w*7+seq*13)%240
	b := make([]byte, n)
	b[0] = byte(n)
	b[1] = byte(w)
	binary.LittleEndian.PutUint32(b[2:], uint32(seq))
	for i := 10; i < n; i++ {
		b[i] = byte(w + seq + i)
	}
	binary.LittleEndian.PutUint32(b[6:], crc32.ChecksumIEEE(b[10:]))
	return b
}

// testParallelAppend: goroutines append variable-length records to one
// file through their own O_APPEND descriptors; the file holds every
// record exactly once, whole, in each writer's order.
func testParallelAppend(t *testing.T, mnt string) {
	const writers, records = 8, 500
	p := path(mnt, "log")
	put(t, p, "")
	var wg sync.WaitGroup
	var total atomic.Int64
	errs := make(chan error, writers)
	for w := range writers {
		fd := openFD(t, p, unix.O_WRONLY|unix.O_APPEND, 0)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range records {
				rec := appendRecord(w, s)
				n, err := unix.Write(fd, rec)
				if err != nil || n != len(rec) {
					errs <- fmt.Errorf("writer %d record %d: wrote %d of %d: %v", w, s, n, len(rec), err)
					return
				}
				total.Add(int64(n))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if st := lstat(t, p); st.Size != total.Load() {
		t.Errorf("size %d, want the sum of the records %d", st.Size, total.Load())
	}
	fd := openFD(t, p, unix.O_RDONLY, 0)
	data := preadFull(t, fd, int(total.Load())+100, 0)
	next := make([]int, writers)
	for off := 0; off < len(data); {
		n := int(data[off])
		if n < 16 || off+n > len(data) {
			t.Fatalf("torn record at offset %d (length byte %d)", off, n)
		}
		rec := data[off : off+n]
		w, seq := int(rec[1]), int(binary.LittleEndian.Uint32(rec[2:]))
		if w >= writers || binary.LittleEndian.Uint32(rec[6:]) != crc32.ChecksumIEEE(rec[10:]) {
			t.Fatalf("corrupt record at offset %d (writer %d)", off, w)
		}
		if seq != next[w] {
			t.Fatalf("writer %d: record %d at offset %d, want %d", w, seq, off, next[w])
		}
		next[w]++
		off += n
	}
	for w, n := range next {
		if n != records {
			t.Errorf("writer %d: %d records in the file, want %d", w, n, records)
		}
	}
}
