//go:build linux

package gofuse

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/platform/fusedev"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

// The driver raises the kernel's read-ahead window to MaxIO: a file read
// sequentially after the kernel dropped its pages reaches the plugin in
// 1 MiB READs, not the kernel's default 128 KiB (128 of them for 16 MiB).
func TestKernelReadAheadWindow(t *testing.T) {
	c := &readCounting{FS: memfs.New(), exclusive: true}
	v := vfs.New(c, sdk.DetectFeatures(c), vfs.Options{})
	mnt := mountReadCounting(t, c, v)
	if ra, err := fusedev.ReadAhead(mnt); err != nil || ra != 1<<20 {
		t.Errorf("read-ahead window %d, %v; want 1 MiB", ra, err)
	}
	data := make([]byte, 16<<20)
	for i := range data {
		data[i] = byte(i * 13)
	}
	p := filepath.Join(mnt, "f")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0); err != nil {
		t.Skipf("cannot drop the kernel's caches: %v", err)
	}
	before := c.reads.Load()
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes, %v; equal %v", len(got), err, bytes.Equal(got, data))
	}
	if n := c.reads.Load() - before; n > 24 {
		t.Errorf("%d plugin reads for 16 MiB, want at most 24 (1 MiB requests)", n)
	}
}

// Through a real mount of memfs over the wire (no donated files): a file
// read sequentially after the kernel dropped its pages is served mostly
// from the host's read-ahead, byte for byte; with read-ahead off every
// kernel READ reaches the plugin.
func TestReadAheadThroughMount(t *testing.T) {
	data := make([]byte, 32<<20+777)
	for i := range data {
		data[i] = byte(i*31 + i>>16)
	}
	for _, tc := range []struct {
		name string
		opts vfs.Options
		on   bool
	}{{"on", vfs.Options{ReadAhead: true}, true}, {"off", vfs.Options{}, false}} {
		t.Run(tc.name, func(t *testing.T) {
			var hits, misses atomic.Int64
			tc.opts.OnCache = func(cache string, hit bool) {
				if cache != vfs.CacheReadAhead {
					return
				}
				if hit {
					hits.Add(1)
				} else {
					misses.Add(1)
				}
			}
			c, res := sdktest.TestClient(t, memfs.Plugin(), nil)
			v := vfs.New(c, res.Features, tc.opts)
			mnt := mountReadCounting(t, nil, v)
			p := filepath.Join(mnt, "big")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0); err != nil {
				t.Skipf("cannot drop the kernel's caches: %v", err)
			}
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var got bytes.Buffer
			if _, err := io.CopyBuffer(&got, f, make([]byte, 1<<20)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), data) {
				t.Fatalf("read %d bytes, want %d, equal %v", got.Len(), len(data), bytes.Equal(got.Bytes(), data))
			}
			t.Logf("kernel reads served from read-ahead: %d, waited for the plugin: %d", hits.Load(), misses.Load())
			if tc.on && (hits.Load() < 8 || hits.Load() < 2*misses.Load()) {
				t.Errorf("read-ahead served %d kernel reads and %d waited for the plugin, want at least 8 and twice as many", hits.Load(), misses.Load())
			}
			if !tc.on && hits.Load()+misses.Load() != 0 {
				t.Errorf("read-ahead off: %d hits, %d misses", hits.Load(), misses.Load())
			}
		})
	}
}
