//go:build linux

package gofuse

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// With FUSE_HANDLE_KILLPRIV_V2 (a mount that passes no file through) the
// kernel asks security.capability once per inode instead of before every
// write; a mount that may pass files through keeps the kernel's way.
func TestKillPrivSavesGetxattr(t *testing.T) {
	for _, tc := range []struct {
		name     string
		plane    core.DataPlane
		killpriv bool
	}{{"shm", core.DataPlaneSharedMemory, true}, {"auto-passthrough", core.DataPlaneAuto, false}} {
		t.Run(tc.name, func(t *testing.T) {
			fs := memfs.New()
			v := vfs.New(fs, sdk.DetectFeatures(fs), vfs.Options{})
			var caps atomic.Int64
			mnt := mountVFS(t, v, core.MountOptions{
				DataPlane: tc.plane, Writeback: core.WritebackOff,
				Debug: func(msg string) {
					if strings.HasPrefix(msg, "getxattr security.capability") {
						caps.Add(1)
					}
				},
			})
			f, err := os.Create(filepath.Join(mnt, "f"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			buf := make([]byte, 4096)
			for i := range 64 {
				if _, err := f.WriteAt(buf, int64(i)*4096); err != nil {
					t.Fatal(err)
				}
			}
			n := caps.Load()
			t.Logf("%d GETXATTR security.capability for 64 writes", n)
			if tc.killpriv && n > 2 {
				t.Errorf("%d capability lookups for 64 writes with KILLPRIV_V2, want at most 2", n)
			}
			if !tc.killpriv && n < 64 {
				t.Errorf("%d capability lookups for 64 writes without KILLPRIV_V2: the kernel no longer asks per write, revisit killpriv_linux.go", n)
			}
		})
	}
}
