//go:build linux

package host_test

import (
	"context"
	"testing"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/host"
	"github.com/plugfs/plugfs/internal/testplugin"
	"github.com/plugfs/plugfs/sdk"
)

// BenchmarkRoundTrip measures one empty-ish call across the process
// boundary (Stat of the root) through the supervisor, on the fast lane
// and on gRPC.
func BenchmarkRoundTrip(b *testing.B) {
	for _, dp := range []core.DataPlane{core.DataPlaneAuto, core.DataPlaneGRPC} {
		name := "lane"
		if !dp.FastLane() {
			name = "grpc"
		}
		b.Run(name, func(b *testing.B) {
			cfg := config(testplugin.ModeServe, nil)
			cfg.DataPlane = dp
			h := start(b, cfg)
			if got, _ := h.DataPlane(); got.FastLane != dp.FastLane() {
				b.Fatalf("fast lane %v, want %v", got.FastLane, dp.FastLane())
			}
			fs := h.FileSystem()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := fs.Stat(ctx, "/"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// planes are the data-plane tiers the transfer benchmarks compare: bytes
// in gRPC messages, through the shared region, and a donated file (the
// local plugin, read and written by the host with pread/pwrite).
var planes = []struct {
	name  string
	mode  string
	plane core.DataPlane
}{
	{"grpc", testplugin.ModeServe, core.DataPlaneGRPC},
	{"messages", testplugin.ModeServe, core.DataPlaneMessages},
	{"shm", testplugin.ModeServe, core.DataPlaneAuto},
	{"donated", testplugin.ModeLocal, core.DataPlaneAuto},
}

func planeHost(b *testing.B, mode string, plane core.DataPlane) *host.Host {
	opts := map[string]string(nil)
	if mode == testplugin.ModeLocal {
		opts = map[string]string{"root": b.TempDir()}
	}
	cfg := config(mode, opts)
	cfg.DataPlane = plane
	return start(b, cfg)
}

// BenchmarkRead1MiB measures moving 1 MiB per call from plugin to host.
func BenchmarkRead1MiB(b *testing.B) {
	for _, p := range planes {
		b.Run(p.name, func(b *testing.B) { benchTransfer(b, planeHost(b, p.mode, p.plane), false) })
	}
}

// BenchmarkWrite1MiB measures moving 1 MiB per call from host to plugin.
func BenchmarkWrite1MiB(b *testing.B) {
	for _, p := range planes {
		b.Run(p.name, func(b *testing.B) { benchTransfer(b, planeHost(b, p.mode, p.plane), true) })
	}
}

func benchTransfer(b *testing.B, h *host.Host, write bool) {
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
		var n int
		if write {
			n, err = fs.Write(ctx, fh, buf, 0)
		} else {
			n, err = fs.Read(ctx, fh, buf, 0)
		}
		if err != nil || n != len(buf) {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkMemcpy1MiB is the yardstick for bulk transfer: one copy of
// 1 MiB inside this process.
func BenchmarkMemcpy1MiB(b *testing.B) {
	src, dst := make([]byte, 1<<20), make([]byte, 1<<20)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		copy(dst, src)
	}
}
