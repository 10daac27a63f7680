//go:build linux

package gofuse

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// counting is memfs counting the calls that ask for one object's
// attributes: what a LOOKUP or GETATTR of the kernel costs the plugin.
// With noAttrs its listings carry no attributes (as local's).
type counting struct {
	*memfs.FS
	stats   atomic.Int64
	noAttrs bool
}

func (c *counting) ReadDir(ctx context.Context, h sdk.Handle, cookie uint64, max int) ([]sdk.DirEntry, error) {
	ents, err := c.FS.ReadDir(ctx, h, cookie, max)
	if c.noAttrs {
		for i := range ents {
			ents[i].Attr = nil
		}
	}
	return ents, err
}

func (c *counting) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	c.stats.Add(1)
	return c.FS.Stat(ctx, p)
}

func (c *counting) StatHandle(ctx context.Context, h sdk.Handle) (sdk.Attr, error) {
	c.stats.Add(1)
	return c.FS.StatHandle(ctx, h)
}

// bigDir fills directory /d of a fresh memfs with files f00000… (file i
// holds i%10 bytes, mode 0600 or 0640) and hard link "link" to f00000.
func bigDir(tb testing.TB, files int) *counting {
	tb.Helper()
	ctx := context.Background()
	c := &counting{FS: memfs.New()}
	if _, err := c.Mkdir(ctx, "/d", 0o755); err != nil {
		tb.Fatal(err)
	}
	for i := range files {
		h, _, err := c.Open(ctx, fmt.Sprintf("/d/f%05d", i), sdk.ReadWrite|sdk.Create, fileMode(i))
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := c.Write(ctx, h, make([]byte, i%10), 0); err != nil {
			tb.Fatal(err)
		}
		if err := c.Release(ctx, h); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := c.Link(ctx, "/d/f00000", "/d/link"); err != nil {
		tb.Fatal(err)
	}
	return c
}

func fileMode(i int) fs.FileMode { return 0o600 | fs.FileMode(i%2)*0o040 }

// mountCounting mounts a VFS over c and returns the mount point, the VFS
// and a function that unmounts it. Timeouts are long, so the kernel keeps
// what a listing gave it for the whole test.
func mountCounting(tb testing.TB, c *counting, opts core.MountOptions) (string, *vfs.VFS, func()) {
	tb.Helper()
	if err := (Driver{}).Available(); err != nil {
		tb.Skip(err)
	}
	mnt := tb.TempDir()
	v := vfs.New(c, sdk.DetectFeatures(c), vfs.Options{EntryTimeout: time.Minute, AttrTimeout: time.Minute})
	mounted, err := Driver{}.Mount(context.Background(), v, mnt, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return mnt, v, func() {
		if err := mounted.Unmount(context.Background(), true); err != nil {
			tb.Errorf("unmount: %v", err)
		}
		<-mounted.Done()
	}
}

// lsLong is `ls -l` as Go does it: the names, then an lstat of each.
func lsLong(dir string) ([]fs.FileInfo, error) {
	names, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := make([]fs.FileInfo, 0, len(names))
	for _, n := range names {
		fi, err := os.Lstat(filepath.Join(dir, n.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, fi)
	}
	return out, nil
}

// TestReadDirPlus: `ls -l` of a big directory gets its attributes from
// the listing (READDIRPLUS), so the plugin is asked for far fewer
// objects than there are names, and the kernel still sees every file's
// own size, mode and hard links; each bound entry is one kernel reference
// (the kernel forgets them all when it drops its caches). With
// NoReadDirPlus, or when the plugin lists no attributes (entries go with
// node id 0), every name costs a lookup.
func TestReadDirPlus(t *testing.T) {
	const files = 2000
	for _, tc := range []struct {
		name    string
		opts    core.MountOptions
		noAttrs bool
		check   func(t *testing.T, stats int64)
	}{
		{"readdirplus", core.MountOptions{}, false, func(t *testing.T, stats int64) {
			if stats > files/20 {
				t.Errorf("ls -l of %d files asked the plugin for %d objects' attributes, want few", files, stats)
			}
		}},
		{"readdir", core.MountOptions{NoReadDirPlus: true}, false, func(t *testing.T, stats int64) {
			if stats < files {
				t.Errorf("without readdirplus, ls -l of %d files asked the plugin for only %d objects", files, stats)
			}
		}},
		{"readdirplus-without-attributes", core.MountOptions{}, true, func(t *testing.T, stats int64) {
			if stats < files {
				t.Errorf("listed without attributes, ls -l of %d files asked the plugin for only %d objects", files, stats)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := bigDir(t, files)
			c.noAttrs = tc.noAttrs
			mnt, v, unmount := mountCounting(t, c, tc.opts)
			defer unmount()
			c.stats.Store(0)
			fis, err := lsLong(filepath.Join(mnt, "d"))
			if err != nil {
				t.Fatal(err)
			}
			stats := c.stats.Load()
			t.Logf("ls -l of %d names: %d plugin stats, %d nodes", len(fis), stats, v.Nodes())
			tc.check(t, stats)
			if len(fis) != files+1 {
				t.Fatalf("listed %d names, want %d", len(fis), files+1)
			}
			var linkIno, f0Ino uint64
			for _, fi := range fis {
				st := fi.Sys().(*syscall.Stat_t)
				if fi.Name() == "link" {
					linkIno = st.Ino
					continue
				}
				var i int
				if _, err := fmt.Sscanf(fi.Name(), "f%05d", &i); err != nil {
					t.Fatalf("unexpected name %q", fi.Name())
				}
				if fi.Size() != int64(i%10) || fi.Mode() != fileMode(i) {
					t.Errorf("%s: size %d mode %v, want %d %v", fi.Name(), fi.Size(), fi.Mode(), i%10, fileMode(i))
				}
				if i == 0 {
					f0Ino = st.Ino
					if st.Nlink != 2 {
						t.Errorf("f00000 has %d links, want 2", st.Nlink)
					}
				}
			}
			if linkIno == 0 || linkIno != f0Ino {
				t.Errorf("hard link has inode %d, f00000 %d", linkIno, f0Ino)
			}
			// Every reference the kernel took comes back when it drops
			// its dentries and inodes: none was taken for an entry it
			// never got.
			if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("2"), 0); err != nil {
				t.Skipf("drop caches: %v", err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for v.Nodes() > 2 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if n := v.Nodes(); n > 2 {
				t.Errorf("%d nodes left after the kernel dropped its caches, want at most the root and d", n)
			}
		})
	}
}

// BenchmarkLsLong times listing a directory of 10,000 files on memfs,
// with and without READDIRPLUS, each run on a fresh mount (cold kernel
// caches): "lstat" is `ls -l` as Go does it (os.ReadDir and an os.Lstat
// per name), "ls" runs GNU ls -l (which also asks for extended
// attributes), "names" is os.ReadDir alone (`ls`). "noattrs" is memfs
// with its listings stripped of attributes, as local's are.
//
//	go test -run '^$' -bench LsLong -benchtime 1x -count 5 ./platform/gofuse/
func BenchmarkLsLong(b *testing.B) {
	const files = 10000
	c := bigDir(b, files)
	for _, mode := range []struct {
		name    string
		opts    core.MountOptions
		noAttrs bool
	}{
		{"readdirplus", core.MountOptions{}, false},
		{"readdir", core.MountOptions{NoReadDirPlus: true}, false},
		{"noattrs/readdirplus", core.MountOptions{}, true},
		{"noattrs/readdir", core.MountOptions{NoReadDirPlus: true}, true},
	} {
		for _, work := range []struct {
			name string
			run  func(dir string) error
		}{
			{"lstat", func(dir string) error { _, err := lsLong(dir); return err }},
			{"ls", func(dir string) error {
				cmd := exec.Command("ls", "-l", dir)
				cmd.Stdout = io.Discard
				return cmd.Run()
			}},
			{"names", func(dir string) error { _, err := os.ReadDir(dir); return err }},
		} {
			b.Run(mode.name+"/"+work.name, func(b *testing.B) {
				c.noAttrs = mode.noAttrs
				if work.name == "ls" {
					if _, err := exec.LookPath("ls"); err != nil {
						b.Skip(err)
					}
				}
				var stats int64
				for range b.N {
					b.StopTimer()
					mnt, _, unmount := mountCounting(b, c, mode.opts)
					c.stats.Store(0)
					b.StartTimer()
					if err := work.run(filepath.Join(mnt, "d")); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					stats += c.stats.Load()
					unmount()
					b.StartTimer()
				}
				b.ReportMetric(float64(stats)/float64(b.N), "stats/op")
			})
		}
	}
}
