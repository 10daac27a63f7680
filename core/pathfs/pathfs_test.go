package pathfs_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/plugfs/plugfs/core/pathfs"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

var ctx = context.Background()

// counting wraps memfs and counts Stat calls, the plugin call a path
// lookup makes.
type counting struct {
	*memfs.FS
	stats atomic.Int64
}

func (c *counting) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	c.stats.Add(1)
	return c.FS.Stat(ctx, p)
}

func newFS(t *testing.T, opts vfs.Options) (*pathfs.FS, *vfs.VFS, *counting) {
	t.Helper()
	be := &counting{FS: memfs.New()}
	v := vfs.New(be, sdk.DetectFeatures(be.FS), opts)
	f := pathfs.New(v)
	remove := v.SetInvalidator(f)
	t.Cleanup(func() {
		remove()
		f.Close()
		if n := v.Nodes(); n != 1 {
			t.Errorf("after Close the VFS holds %d nodes, want only the root: lookup references leaked", n)
		}
		if n := v.OpenHandles(); n != 0 {
			t.Errorf("after Close %d handles are open", n)
		}
	})
	return f, v, be
}

func writeFile(t *testing.T, f *pathfs.FS, p, data string) {
	t.Helper()
	fh, _, err := f.Create(ctx, p, sdk.ReadWrite|sdk.Truncate, 0o644)
	if err != nil {
		t.Fatalf("create %s: %v", p, err)
	}
	if _, err := f.Write(ctx, fh, []byte(data), 0); err != nil {
		t.Fatalf("write %s: %v", p, err)
	}
	if err := f.Release(ctx, fh); err != nil {
		t.Fatalf("release %s: %v", p, err)
	}
}

func readFile(t *testing.T, f *pathfs.FS, p string) string {
	t.Helper()
	fh, err := f.Open(ctx, p, sdk.ReadOnly)
	if err != nil {
		t.Fatalf("open %s: %v", p, err)
	}
	defer f.Release(ctx, fh)
	buf := make([]byte, 4096)
	n, err := f.Read(ctx, fh, buf, 0)
	if err != nil {
		t.Fatalf("read %s: %v", p, err)
	}
	return string(buf[:n])
}

func list(t *testing.T, f *pathfs.FS, p string) []string {
	t.Helper()
	fh, err := f.OpenDir(ctx, p)
	if err != nil {
		t.Fatalf("opendir %s: %v", p, err)
	}
	defer f.Release(ctx, fh)
	var names []string
	for from := 0; ; {
		ents, err := f.ReadDir(ctx, fh, from)
		if err != nil {
			t.Fatalf("readdir %s: %v", p, err)
		}
		if len(ents) == 0 {
			break
		}
		for _, e := range ents {
			if e.Name != "." && e.Name != ".." {
				names = append(names, e.Name)
			}
		}
		from += len(ents)
	}
	sort.Strings(names)
	return names
}

func TestFilesAndDirectories(t *testing.T) {
	f, _, _ := newFS(t, vfs.Options{})
	if err := f.Mkdir(ctx, "/d", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := f.Mkdir(ctx, "/d/e", 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, f, "/d/e/f", "hello")
	writeFile(t, f, `\d\g`, "backslashes") // WinFsp-style separators
	if got := readFile(t, f, "d/e/f"); got != "hello" {
		t.Errorf("read /d/e/f = %q", got)
	}
	a, err := f.Getattr(ctx, "/d/e/f", pathfs.NoHandle)
	if err != nil || a.Size != 5 || !a.Mode.IsRegular() {
		t.Errorf("getattr /d/e/f = %+v, %v", a.Attr, err)
	}
	if got := fmt.Sprint(list(t, f, "/d")); got != "[e g]" {
		t.Errorf("list /d = %s", got)
	}
	if _, err := f.Getattr(ctx, "/d/missing", pathfs.NoHandle); !errors.Is(err, sdk.ErrNotExist) {
		t.Errorf("getattr of a missing file: %v, want ErrNotExist", err)
	}
	if _, err := f.Getattr(ctx, "", pathfs.NoHandle); !errors.Is(err, sdk.ErrNotExist) {
		t.Errorf("getattr of an empty path with no handle: %v, want ErrNotExist", err)
	}
	if err := f.Rmdir(ctx, "/d/e"); sdk.CodeOf(err) != sdk.CodeNotEmpty {
		t.Errorf("rmdir of a non-empty directory: %v", err)
	}
	if err := f.Symlink(ctx, "e/f", "/d/link"); err != nil {
		t.Fatal(err)
	}
	if target, err := f.Readlink(ctx, "/d/link"); err != nil || target != "e/f" {
		t.Errorf("readlink = %q, %v", target, err)
	}
	if err := f.Link(ctx, "/d/e/f", "/d/hard"); err != nil {
		t.Fatal(err)
	}
	a1, _ := f.Getattr(ctx, "/d/e/f", pathfs.NoHandle)
	a2, _ := f.Getattr(ctx, "/d/hard", pathfs.NoHandle)
	if a1.Ino != a2.Ino || a1.Nlink != 2 {
		t.Errorf("hard link: ino %d vs %d, nlink %d", a1.Ino, a2.Ino, a1.Nlink)
	}
	if _, err := f.Setattr(ctx, "/d/hard", pathfs.NoHandle, sdk.SetAttr{Valid: sdk.SetSize, Size: 2}); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, f, "/d/e/f"); got != "he" {
		t.Errorf("truncate through the link: %q", got)
	}
	for _, p := range []string{"/d/e/f", "/d/hard", "/d/g", "/d/link"} {
		if err := f.Unlink(ctx, p); err != nil {
			t.Fatalf("unlink %s: %v", p, err)
		}
	}
	if err := f.Rmdir(ctx, "/d/e"); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(list(t, f, "/d")); got != "[]" {
		t.Errorf("list /d after removing all = %s", got)
	}
}

func TestRenameMovesEverythingBeneath(t *testing.T) {
	f, _, _ := newFS(t, vfs.Options{EntryTimeout: 3600e9})
	if err := f.Mkdir(ctx, "/a", 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, f, "/a/x", "x")
	before, _ := f.Getattr(ctx, "/a/x", pathfs.NoHandle)
	if err := f.Rename(ctx, "/a", "/b", 0); err != nil {
		t.Fatal(err)
	}
	// The cache held /a and /a/x for an hour: neither may answer now.
	if _, err := f.Getattr(ctx, "/a/x", pathfs.NoHandle); !errors.Is(err, sdk.ErrNotExist) {
		t.Errorf("old path after rename: %v, want ErrNotExist", err)
	}
	after, err := f.Getattr(ctx, "/b/x", pathfs.NoHandle)
	if err != nil || after.Ino != before.Ino {
		t.Errorf("new path after rename: ino %d (was %d), %v", after.Ino, before.Ino, err)
	}
	if got := readFile(t, f, "/b/x"); got != "x" {
		t.Errorf("read after rename: %q", got)
	}
	writeFile(t, f, "/c", "c")
	if err := f.Rename(ctx, "/c", "/b/x", sdk.RenameNoReplace); !errors.Is(err, sdk.ErrExist) {
		t.Errorf("rename with NoReplace onto a file: %v, want ErrExist", err)
	}
	if err := f.Rename(ctx, "/c", "/b/x", 0); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, f, "/b/x"); got != "c" {
		t.Errorf("replaced file reads %q, want c", got)
	}
	for _, p := range []string{"/b/x"} {
		if err := f.Unlink(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Rmdir(ctx, "/b"); err != nil {
		t.Fatal(err)
	}
}

func TestOpenFileOutlivesItsName(t *testing.T) {
	f, _, _ := newFS(t, vfs.Options{})
	fh, _, err := f.Create(ctx, "/f", sdk.ReadWrite, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(ctx, fh, []byte("kept"), 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Unlink(ctx, "/f"); err != nil {
		t.Fatal(err)
	}
	// libfuse passes no path for an unlinked file: the handle answers.
	a, err := f.Getattr(ctx, "", fh)
	if err != nil || a.Size != 4 {
		t.Errorf("getattr by handle of an unlinked file: %+v, %v", a.Attr, err)
	}
	if _, err := f.Setattr(ctx, "", fh, sdk.SetAttr{Valid: sdk.SetSize, Size: 3}); err != nil {
		t.Errorf("truncate by handle of an unlinked file: %v", err)
	}
	buf := make([]byte, 8)
	if n, err := f.Read(ctx, fh, buf, 0); err != nil || string(buf[:n]) != "kep" {
		t.Errorf("read of an unlinked file: %q, %v", buf[:n], err)
	}
	if _, err := f.Getattr(ctx, "/f", pathfs.NoHandle); !errors.Is(err, sdk.ErrNotExist) {
		t.Errorf("the name is gone: %v", err)
	}
	if err := f.Release(ctx, fh); err != nil {
		t.Fatal(err)
	}
	if f.OpenHandles() != 0 {
		t.Errorf("%d handles left", f.OpenHandles())
	}
}

func TestCacheSavesLookupsUntilItExpires(t *testing.T) {
	var hits, misses atomic.Int64
	f, _, be := newFS(t, vfs.Options{EntryTimeout: 3600e9, OnCache: func(cache string, hit bool) {
		switch {
		case cache != vfs.CachePath:
		case hit:
			hits.Add(1)
		default:
			misses.Add(1)
		}
	}})
	if err := f.Mkdir(ctx, "/a", 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, f, "/a/f", "1")
	be.stats.Store(0)
	for i := 0; i < 10; i++ {
		fh, err := f.Open(ctx, "/a/f", sdk.ReadOnly)
		if err != nil {
			t.Fatal(err)
		}
		_ = f.Release(ctx, fh)
	}
	if n := be.stats.Load(); n != 0 {
		t.Errorf("10 opens of a cached path made %d plugin lookups, want 0", n)
	}
	if _, err := f.Getattr(ctx, "/a/missing", 0); err == nil {
		t.Fatal("/a/missing exists")
	}
	if hits.Load() < 10 || misses.Load() != 1 {
		t.Errorf("path cache reported %d hits and %d misses; want a hit per cached open and one miss (/a/missing)", hits.Load(), misses.Load())
	}

	g, _, be2 := newFS(t, vfs.Options{EntryTimeout: -1}) // no caching at all
	if err := g.Mkdir(ctx, "/a", 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, g, "/a/f", "1")
	be2.stats.Store(0)
	fh, err := g.Open(ctx, "/a/f", sdk.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	_ = g.Release(ctx, fh)
	if n := be2.stats.Load(); n != 2 {
		t.Errorf("an uncached open of /a/f made %d lookups, want 2 (one per component)", n)
	}
	if g.Cached() != 0 {
		t.Errorf("with entry caching off %d paths are cached", g.Cached())
	}
}

func TestPluginChangesDropCachedPaths(t *testing.T) {
	f, v, be := newFS(t, vfs.Options{EntryTimeout: 3600e9})
	if err := f.Mkdir(ctx, "/dir", 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, f, "/dir/old", "old")
	if _, err := f.Getattr(ctx, "/dir/old", pathfs.NoHandle); err != nil {
		t.Fatal(err)
	}
	// Behind the host's back: /dir/old becomes a directory.
	if err := be.FS.Unlink(ctx, "/dir/old"); err != nil {
		t.Fatal(err)
	}
	if _, err := be.FS.Mkdir(ctx, "/dir/old", 0o700); err != nil {
		t.Fatal(err)
	}
	v.Changed(sdk.Change{Kind: sdk.ChangeRemoved, Path: "/dir/old"})
	v.Changed(sdk.Change{Kind: sdk.ChangeCreated, Path: "/dir/old"})
	a, err := f.Getattr(ctx, "/dir/old", pathfs.NoHandle)
	if err != nil || !a.Mode.IsDir() {
		t.Errorf("after the plugin's change /dir/old is %v, %v; want a directory", a.Mode, err)
	}
	n := f.Cached()
	v.Changed(sdk.Change{Kind: sdk.ChangeAll})
	if f.Cached() >= n {
		t.Errorf("ChangeAll left %d of %d cached paths", f.Cached(), n)
	}
	if err := f.Rmdir(ctx, "/dir/old"); err != nil {
		t.Fatal(err)
	}
	if err := f.Rmdir(ctx, "/dir"); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentRenamesAndLookups(t *testing.T) {
	f, _, _ := newFS(t, vfs.Options{EntryTimeout: 3600e9})
	for i := 0; i < 4; i++ {
		if err := f.Mkdir(ctx, fmt.Sprintf("/d%d", i), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, f, fmt.Sprintf("/d%d/f", i), fmt.Sprint(i))
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(2)
		go func(g int) { // renamer: /dN ↔ /tN
			defer wg.Done()
			a, b := fmt.Sprintf("/d%d", g), fmt.Sprintf("/t%d", g)
			for i := 0; i < 200; i++ {
				if err := f.Rename(ctx, a, b, 0); err != nil {
					t.Errorf("rename %s %s: %v", a, b, err)
					return
				}
				a, b = b, a
			}
		}(g)
		go func(g int) { // reader: whichever name exists must hold g's file
			defer wg.Done()
			for i := 0; i < 400; i++ {
				for _, p := range []string{fmt.Sprintf("/d%d/f", g), fmt.Sprintf("/t%d/f", g)} {
					a, err := f.Getattr(ctx, p, pathfs.NoHandle)
					if err == nil && a.Size != uint64(len(fmt.Sprint(g))) {
						t.Errorf("%s has size %d", p, a.Size)
					}
					if err != nil && !errors.Is(err, sdk.ErrNotExist) {
						t.Errorf("%s: %v", p, err)
					}
				}
			}
		}(g)
	}
	wg.Wait()
	// The renamers ran an even number of times: every /dN is back.
	for i := 0; i < 4; i++ {
		p := fmt.Sprintf("/d%d/f", i)
		if got := readFile(t, f, p); got != fmt.Sprint(i) {
			t.Errorf("%s = %q", p, got)
		}
		if _, err := f.Getattr(ctx, fmt.Sprintf("/t%d", i), pathfs.NoHandle); !errors.Is(err, sdk.ErrNotExist) {
			t.Errorf("/t%d still resolves after the renames: %v", i, err)
		}
	}
}

// Two mounting points of one volume are two FSs over one VFS: what one
// removes or renames, the other's cache must not keep answering for.
func TestTwoFSOverOneVFS(t *testing.T) {
	a, v, _ := newFS(t, vfs.Options{EntryTimeout: 3600e9})
	b := pathfs.New(v)
	defer b.Close()
	writeFile(t, a, "/f", "1")
	if err := a.Mkdir(ctx, "/d", 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, a, "/d/g", "2")
	for _, p := range []string{"/f", "/d/g"} {
		if _, err := b.Getattr(ctx, p, pathfs.NoHandle); err != nil { // cached in b now
			t.Fatal(err)
		}
	}
	if err := a.Unlink(ctx, "/f"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Getattr(ctx, "/f", pathfs.NoHandle); !errors.Is(err, sdk.ErrNotExist) {
		t.Errorf("removed through a, b still finds it: %v", err)
	}
	if err := a.Rename(ctx, "/d", "/e", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Getattr(ctx, "/d/g", pathfs.NoHandle); !errors.Is(err, sdk.ErrNotExist) {
		t.Errorf("renamed through a, b still finds the old path: %v", err)
	}
	if got := readFile(t, b, "/e/g"); got != "2" {
		t.Errorf("b reads the new path as %q", got)
	}
	if err := b.Unlink(ctx, "/e/g"); err != nil {
		t.Fatal(err)
	}
	if err := b.Rmdir(ctx, "/e"); err != nil {
		t.Fatal(err)
	}
}
