package memfs_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

const mib = 1 << 20

// benchFile makes a file of size bytes and returns it open for reading and
// writing.
func benchFile(b *testing.B, f *memfs.FS, p string, size int) sdk.Handle {
	h, _, err := f.Open(ctx, p, sdk.Create|sdk.ReadWrite, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.Write(ctx, h, make([]byte, size), 0); err != nil {
		b.Fatal(err)
	}
	return h
}

// BenchmarkRead1MiB reads 1 MiB pieces of a 64 MiB file.
func BenchmarkRead1MiB(b *testing.B) {
	f := memfs.New()
	h := benchFile(b, f, "/f", 64*mib)
	buf := make([]byte, mib)
	b.SetBytes(mib)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := f.Read(ctx, h, buf, int64(i%64)*mib); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkWrite1MiB overwrites 1 MiB pieces of a 64 MiB file.
func BenchmarkWrite1MiB(b *testing.B) {
	f := memfs.New()
	h := benchFile(b, f, "/f", 64*mib)
	buf := make([]byte, mib)
	b.SetBytes(mib)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := f.Write(ctx, h, buf, int64(i%64)*mib); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkReadParallel reads 64 KiB pieces of one file per goroutine,
// to show that I/O on different files does not serialize.
func BenchmarkReadParallel(b *testing.B) {
	f := memfs.New()
	var n atomic.Int64
	b.SetBytes(64 << 10)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		h := benchFile(b, f, fmt.Sprintf("/f%d", n.Add(1)), 8*mib)
		buf := make([]byte, 64<<10)
		i := 0
		for pb.Next() {
			if _, err := f.Read(ctx, h, buf, int64(i%128)*(64<<10)); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkStat stats a file three directories deep.
func BenchmarkStat(b *testing.B) {
	f := memfs.New()
	for _, d := range []string{"/a", "/a/b", "/a/b/c"} {
		if _, err := f.Mkdir(ctx, d, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	benchFile(b, f, "/a/b/c/file", 10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Stat(ctx, "/a/b/c/file"); err != nil {
			b.Fatal(err)
		}
	}
}
