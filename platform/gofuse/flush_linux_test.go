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
// ENOSYS answered for it once; the kernel then sends no FLUSH at all, so
// later closes cost no request.
func TestNoFlushForPluginsWithoutFlush(t *testing.T) {
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
	m, err := Driver{}.Mount(context.Background(), vfs.New(fs, sdk.DetectFeatures(fs), vfs.Options{}), mnt, core.MountOptions{Debug: debug})
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
	if flushes != 1 {
		t.Errorf("5 closes made %d FLUSH requests, want 1 (answered ENOSYS, then none)", flushes)
	}
}
