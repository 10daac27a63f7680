//go:build linux

package gofuse

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// TestNoFlushForPluginsWithoutFlush: a plugin without Flush (memfs) gets
// ENOSYS answered for it once when nothing is gathered to flush; the
// kernel then sends no FLUSH at all, so later closes cost no request.
// Handles that gather writes (in-process memfs donates nothing) keep
// FLUSH coming: each close sends their writes and reports a failure.
func TestNoFlushForPluginsWithoutFlush(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts vfs.Options
		want int
	}{{"write-through", vfs.Options{NoWriteCoalesce: true}, 1}, {"coalescing", vfs.Options{}, 5}} {
		t.Run(tc.name, func(t *testing.T) { testFlushes(t, tc.opts, tc.want) })
	}
}

func testFlushes(t *testing.T, opts vfs.Options, want int) {
	if err := (Driver{}).Available(); err != nil {
		t.Skip(err)
	}
	fs := memfs.New()
	if sdk.DetectFeatures(fs).Flush {
		t.Fatal("memfs implements Flush: this test needs a plugin without it")
	}
	var mu sync.Mutex
	var flushes int
	debug := func(msg string) {
		if strings.HasPrefix(msg, "flush ") {
			mu.Lock()
			flushes++
			mu.Unlock()
		}
	}
	mnt := t.TempDir()
	m, err := Driver{}.Mount(context.Background(), vfs.New(fs, sdk.DetectFeatures(fs), opts), mnt, core.MountOptions{Debug: debug})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Unmount(context.Background(), true); <-m.Done() }()
	for i := range 5 {
		if err := os.WriteFile(filepath.Join(mnt, "f"), []byte{byte(i)}, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if flushes != want {
		t.Errorf("5 closes made %d FLUSH requests, want %d", flushes, want)
	}
}
