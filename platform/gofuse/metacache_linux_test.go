//go:build linux

package gofuse

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

// statCountingClient is a plugin over the wire whose Stat calls are
// counted.
type statCountingClient struct {
	*sdk.Client
	stats atomic.Int64
}

func (c *statCountingClient) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	c.stats.Add(1)
	return c.Client.Stat(ctx, p)
}

// dropKernelCaches makes the kernel forget every dentry and inode it can
// (root only), so the next stat of a name is a LOOKUP.
func dropKernelCaches(t *testing.T) {
	t.Helper()
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("2\n"), 0); err != nil {
		t.Skipf("cannot drop the kernel's caches: %v", err)
	}
}

// Through a real mount of memfs over the wire: after the kernel forgot
// everything, stat of the files just written, lookups of missing names
// and the permission checks of unlink cost no plugin Stat with the
// metadata cache; without it the same steps cost one per name, which
// shows the kernel did forget.
func TestMetaCacheThroughMount(t *testing.T) {
	const files = 40
	for _, tc := range []struct {
		name   string
		opts   vfs.Options
		cached bool
	}{{"cache", vfs.Options{}, true}, {"no-cache", vfs.Options{CacheNodes: -1}, false}} {
		t.Run(tc.name, func(t *testing.T) {
			c, res := sdktest.TestClient(t, memfs.Plugin(), nil)
			be := &statCountingClient{Client: c}
			v := vfs.New(be, res.Features, tc.opts)
			mnt := mountReadCounting(t, nil, v)
			dir := filepath.Join(mnt, "d")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for i := range files {
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprint("f", i)), []byte("0123456789"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			dropKernelCaches(t)
			before := be.stats.Load()
			for i := range files {
				fi, err := os.Lstat(filepath.Join(dir, fmt.Sprint("f", i)))
				if err != nil {
					t.Fatal(err)
				}
				if fi.Size() != 10 {
					t.Errorf("f%d: size %d, want 10", i, fi.Size())
				}
			}
			for i := range files {
				if _, err := os.Lstat(filepath.Join(dir, fmt.Sprint("missing", i))); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("missing%d: %v", i, err)
				}
			}
			for i := range files {
				if err := os.Remove(filepath.Join(dir, fmt.Sprint("f", i))); err != nil {
					t.Fatal(err)
				}
			}
			stats := be.stats.Load() - before
			switch {
			case tc.cached && stats > 4:
				// Not always 0: the kernel sends RELEASE asynchronously,
				// and attributes that a racing change made uncertain are
				// asked again (see core/vfs/metacache.go).
				t.Errorf("%d plugin Stat calls for %d cold stats, %d missing names and %d unlinks, want at most 4", stats, files, files, files)
			case !tc.cached && stats < 2*files:
				t.Errorf("%d plugin Stat calls without the cache, want at least %d: did the kernel forget?", stats, 2*files)
			}
			t.Logf("%d plugin Stat calls", stats)
		})
	}
}
