//go:build unix

package host_test

import (
	"context"
	"testing"

	"github.com/plugfs/plugfs/internal/testplugin"
	"github.com/plugfs/plugfs/sdk"
)

// BenchmarkRoundTrip measures one empty-ish call across the process
// boundary (Stat of the root) through the supervisor.
func BenchmarkRoundTrip(b *testing.B) {
	h := start(b, config(testplugin.ModeServe, nil))
	fs := h.FileSystem()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fs.Stat(ctx, "/"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead1MiB measures moving 1 MiB per call over gRPC bytes.
func BenchmarkRead1MiB(b *testing.B) {
	h := start(b, config(testplugin.ModeServe, nil))
	fs := h.FileSystem()
	ctx := context.Background()
	fh, _, err := fs.Open(ctx, "/big", sdk.ReadWrite|sdk.Create, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	if _, err := fs.Write(ctx, fh, buf, 0); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if n, err := fs.Read(ctx, fh, buf, 0); err != nil || n != len(buf) {
			b.Fatal(n, err)
		}
	}
}
