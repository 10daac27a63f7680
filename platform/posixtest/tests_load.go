//go:build linux

package posixtest

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

func init() {
	register("ManyFds", testManyFds)
	register("Concurrency", testConcurrency)
	register("ParallelAppend", testParallelAppend)
}

func testManyFds(t *testing.T, mnt string) {
	var fds []int
	for i := 0; i < 1000; i++ {
		fd, err := unix.Open(join(mnt, fmt.Sprintf("f%d", i)), unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC, 0o644)
		if err != nil {
			t.Fatalf("open #%d: %v", i, err)
		}
		fds = append(fds, fd)
	}
	for _, fd := range fds {
		must(t, unix.Close(fd))
	}
	p := join(mnt, "f0")
	for i := 0; i < 5000; i++ {
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatalf("reopen #%d: %v", i, err)
		}
		unix.Close(fd)
	}
}

func testConcurrency(t *testing.T, mnt string) {
	const workers, size = 8, 1 << 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			data := bytes.Repeat([]byte{byte('a' + w)}, size)
			p := join(mnt, fmt.Sprintf("w%d", w))
			for round := 0; round < 3; round++ {
				if err := os.WriteFile(p, data, 0o644); err != nil {
					errs <- err
					return
				}
				got, err := os.ReadFile(p)
				if err != nil || !bytes.Equal(got, data) {
					errs <- fmt.Errorf("worker %d round %d: read back %d bytes, %v", w, round, len(got), err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testParallelAppend(t *testing.T, mnt string) {
	p := join(mnt, "log")
	write(t, p, "")
	const writers, records = 4, 200
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			rec := []byte(fmt.Sprintf("writer %d record\n", w))
			for i := 0; i < records; i++ {
				if _, err := f.Write(rec); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	data, err := os.ReadFile(p)
	must(t, err)
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if len(lines) != writers*records {
		t.Fatalf("%d records, want %d (size %d)", len(lines), writers*records, len(data))
	}
	for _, l := range lines {
		if !bytes.HasPrefix(l, []byte("writer ")) || !bytes.HasSuffix(l, []byte(" record")) {
			t.Fatalf("torn record %q", l)
		}
	}
}
