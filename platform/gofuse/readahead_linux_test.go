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
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

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
	}{{"on", vfs.Options{}, true}, {"off", vfs.Options{NoReadAhead: true}, false}} {
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
