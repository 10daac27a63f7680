package vfs_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"testing"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// create makes file name in dir with content and releases it.
func create(t *testing.T, v *vfs.VFS, dir uint64, name, content string) vfs.Entry {
	t.Helper()
	e, fh, err := v.Create(ctx, dir, name, sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	if _, err := v.Write(ctx, fh, []byte(content), 0); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	if err := v.Release(ctx, fh); err != nil {
		t.Fatalf("release %s: %v", name, err)
	}
	return e
}

// readAll reads up to 64 bytes through fh.
func readAll(t *testing.T, v *vfs.VFS, fh uint64) string {
	t.Helper()
	buf := make([]byte, 64)
	n, err := v.Read(ctx, fh, buf, 0)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(buf[:n])
}

// A lookup after a plugin restart must find the node an open handle holds,
// not orphan it: the handle's reopen needs the node's path.
func TestRestartThenLookupKeepsNode(t *testing.T) {
	v, be := newVFS(t)
	e := create(t, v, vfs.RootID, "f", "data")
	fh, err := v.Open(ctx, e.ID, sdk.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	be.Restart()
	e2, err := v.Lookup(ctx, vfs.RootID, "f")
	if err != nil {
		t.Fatal(err)
	}
	if e2.ID != e.ID {
		t.Errorf("lookup after restart: node %d, want %d", e2.ID, e.ID)
	}
	if got := readAll(t, v, fh); got != "data" {
		t.Errorf("read after restart and lookup: %q", got)
	}
	v.Release(ctx, fh)
	// the node is filed under the new generation's number: a hard link
	// made now joins it
	l, err := v.Link(ctx, e.ID, vfs.RootID, "g")
	if err != nil || l.ID != e.ID {
		t.Errorf("link after restart: node %d (want %d), %v", l.ID, e.ID, err)
	}
}

// Reopening after a restart must not truncate, recreate or fail on
// Exclusive.
func TestReopenDropsCreateFlags(t *testing.T) {
	v, be := newVFS(t)
	_, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite|sdk.Create|sdk.Exclusive|sdk.Truncate, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Write(ctx, fh, []byte("abc"), 0); err != nil {
		t.Fatal(err)
	}
	be.Restart()
	if got := readAll(t, v, fh); got != "abc" {
		t.Errorf("read after reopen: %q, want abc", got)
	}
	v.Release(ctx, fh)
}

// Renaming a directory while a file below it is open: the reopen after a
// restart uses the file's new path.
func TestReopenAfterParentRename(t *testing.T) {
	v, be := newVFS(t)
	d, err := v.Mkdir(ctx, vfs.RootID, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	e := create(t, v, d.ID, "f", "moved")
	fh, err := v.Open(ctx, e.ID, sdk.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Rename(ctx, vfs.RootID, "d", vfs.RootID, "e", 0); err != nil {
		t.Fatal(err)
	}
	be.Restart()
	if got := readAll(t, v, fh); got != "moved" {
		t.Errorf("read after rename and restart: %q", got)
	}
	v.Release(ctx, fh)
}

// listN reads the listing of dh from index from until it holds n entries
// or ends, as the kernel does a page at a time.
func listN(t *testing.T, v *vfs.VFS, dh uint64, from, n int) []vfs.DirEntry {
	t.Helper()
	var out []vfs.DirEntry
	for len(out) < n {
		ents, err := v.ReadDir(ctx, dh, from+len(out))
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) == 0 {
			break
		}
		out = append(out, ents[:min(len(ents), n-len(out))]...)
	}
	return out
}

// countNames fails on a name listed twice and returns the set.
func countNames(t *testing.T, ents []vfs.DirEntry) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	for _, e := range ents {
		if seen[e.Name] {
			t.Errorf("%q listed twice", e.Name)
		}
		seen[e.Name] = true
	}
	return seen
}

func TestReadDirPagesAndSeek(t *testing.T) {
	v, _ := newVFS(t)
	const files = 1300 // several plugin pages
	for i := range files {
		create(t, v, vfs.RootID, fmt.Sprintf("f%04d", i), "")
	}
	dh, err := v.OpenDir(ctx, vfs.RootID)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Release(ctx, dh)
	head := listN(t, v, dh, 0, 700)
	if len(head) != 700 || head[0].Name != "." || head[1].Name != ".." {
		t.Fatalf("first 700: %d entries starting %v", len(head), head[:2])
	}
	// changes during the listing: unchanged names appear exactly once
	create(t, v, vfs.RootID, "new", "")
	var gone string
	for i := files - 1; ; i-- { // a name not listed yet
		gone = fmt.Sprintf("f%04d", i)
		if !countNames(t, head)[gone] {
			break
		}
	}
	if err := v.Unlink(ctx, vfs.RootID, gone); err != nil {
		t.Fatal(err)
	}
	all := append(head, listN(t, v, dh, len(head), 1<<20)...)
	seen := countNames(t, all)
	for i := range files {
		if name := fmt.Sprintf("f%04d", i); name != gone && !seen[name] {
			t.Errorf("%s missing from the listing", name)
		}
	}
	// seekdir: an offset names the same entry again
	for _, off := range []int{2, 511, 699, len(all) - 1} {
		if got := listN(t, v, dh, off, 1); len(got) != 1 || got[0].Name != all[off].Name {
			t.Errorf("entry at offset %d: %v, want %s", off, got, all[off].Name)
		}
	}
	// rewind: a fresh listing sees the changes
	fresh := countNames(t, listN(t, v, dh, 0, 1<<20))
	if !fresh["new"] || fresh[gone] || len(fresh) != files+2 {
		t.Errorf("after rewind: new %v, %s %v, %d names", fresh["new"], gone, fresh[gone], len(fresh))
	}
}

func TestReadDirResumesAfterRestart(t *testing.T) {
	v, be := newVFS(t)
	const files = 1100
	for i := range files {
		create(t, v, vfs.RootID, fmt.Sprintf("f%04d", i), "")
	}
	dh, err := v.OpenDir(ctx, vfs.RootID)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Release(ctx, dh)
	head := listN(t, v, dh, 0, 600)
	be.Restart()
	rest := listN(t, v, dh, len(head), 1<<20)
	seen := countNames(t, append(head, rest...))
	if len(seen) != files+2 {
		t.Errorf("%d names listed across a restart, want %d", len(seen), files+2)
	}
	if got := listN(t, v, dh, 599, 1); len(got) != 1 || got[0].Name != head[599].Name {
		t.Errorf("offset 599 after the restart: %v, want %s", got, head[599].Name)
	}
}

func TestForgetCounts(t *testing.T) {
	v, _ := newVFS(t)
	e := create(t, v, vfs.RootID, "f", "") // lookup count 1
	for range 3 {
		if _, err := v.Lookup(ctx, vfs.RootID, "f"); err != nil {
			t.Fatal(err)
		}
	}
	v.Forget(e.ID, 3)
	if v.Nodes() != 2 {
		t.Fatal("node dropped with one kernel reference left")
	}
	if _, err := v.Getattr(ctx, e.ID, 0); err != nil {
		t.Errorf("getattr with one reference left: %v", err)
	}
	v.Forget(e.ID, 1)
	if v.Nodes() != 1 {
		t.Fatalf("%d nodes after the last forget", v.Nodes())
	}
	v.Forget(e.ID, 5)       // unknown now: ignored
	v.Forget(vfs.RootID, 9) // the root stays
	if _, err := v.Getattr(ctx, vfs.RootID, 0); err != nil {
		t.Errorf("root after forget: %v", err)
	}
	// a new lookup gets a new number: the old one is never reused
	e2, err := v.Lookup(ctx, vfs.RootID, "f")
	if err != nil || e2.ID == e.ID {
		t.Errorf("lookup after forget: node %d (old %d), %v", e2.ID, e.ID, err)
	}
}

// noStatHandle hides StatHandle from the features and fails if called.
type noStatHandle struct{ *memfs.FS }

func (noStatHandle) StatHandle(context.Context, sdk.Handle) (sdk.Attr, error) {
	panic("StatHandle called without the feature")
}

func TestOrphanGetattr(t *testing.T) {
	for _, withStatHandle := range []bool{true, false} {
		t.Run(fmt.Sprint("StatHandle=", withStatHandle), func(t *testing.T) {
			m := memfs.New()
			var be sdk.FileSystem = m
			feat := sdk.DetectFeatures(m)
			if !withStatHandle {
				be, feat.StatHandle = noStatHandle{m}, false
			}
			v := vfs.New(be, feat, vfs.Options{})
			e, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Unlink(ctx, vfs.RootID, "f"); err != nil {
				t.Fatal(err)
			}
			if _, err := v.Write(ctx, fh, []byte("12345"), 0); err != nil {
				t.Fatalf("write to an unlinked file: %v", err)
			}
			a, err := v.Getattr(ctx, e.ID, fh)
			if err != nil || a.Nlink != 0 {
				t.Fatalf("getattr of an unlinked open file: nlink %d, %v", a.Nlink, err)
			}
			if withStatHandle && a.Size != 5 {
				t.Errorf("size through StatHandle: %d, want 5", a.Size)
			}
			if got := readAll(t, v, fh); got != "12345" {
				t.Errorf("read of an unlinked file: %q", got)
			}
			v.Release(ctx, fh)
			v.Forget(e.ID, 1)
			if v.Nodes() != 1 {
				t.Errorf("%d nodes left", v.Nodes())
			}
		})
	}
}

func TestHardLinkNames(t *testing.T) {
	v, _ := newVFS(t)
	d, err := v.Mkdir(ctx, vfs.RootID, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	a := create(t, v, vfs.RootID, "a", "x")
	if _, err := v.Link(ctx, a.ID, d.ID, "b"); err != nil {
		t.Fatal(err)
	}
	if err := v.Rename(ctx, vfs.RootID, "a", vfs.RootID, "c", 0); err != nil {
		t.Fatal(err)
	}
	if err := v.Unlink(ctx, vfs.RootID, "c"); err != nil {
		t.Fatal(err)
	}
	// only /d/b is left: the node answers through it
	fh, err := v.Open(ctx, a.ID, sdk.ReadOnly)
	if err != nil {
		t.Fatalf("open through the remaining link: %v", err)
	}
	if got := readAll(t, v, fh); got != "x" {
		t.Errorf("read: %q", got)
	}
	v.Release(ctx, fh)
	at, err := v.Getattr(ctx, a.ID, 0)
	if err != nil || at.Nlink != 1 || at.Ino != a.Attr.Ino {
		t.Errorf("getattr: nlink %d ino %d (want 1, %d), %v", at.Nlink, at.Ino, a.Attr.Ino, err)
	}
}

func TestRenameExchange(t *testing.T) {
	v, _ := newVFS(t)
	a := create(t, v, vfs.RootID, "a", "A")
	b := create(t, v, vfs.RootID, "b", "B")
	if err := v.Rename(ctx, vfs.RootID, "a", vfs.RootID, "b", sdk.RenameExchange); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]uint64{"a": b.ID, "b": a.ID} {
		e, err := v.Lookup(ctx, vfs.RootID, name)
		if err != nil || e.ID != want {
			t.Errorf("%s after exchange: node %d (want %d), %v", name, e.ID, want, err)
		}
	}
}

// recorder is a backend like the gRPC client: it has every method, and
// answers the optional ones with ErrNoSys after recording the call.
type recorder struct {
	*memfs.FS
	mu    sync.Mutex
	calls []string
}

func (r *recorder) rec(op string) error {
	r.mu.Lock()
	r.calls = append(r.calls, op)
	r.mu.Unlock()
	return sdk.ErrNoSys
}

func (r *recorder) Write(context.Context, sdk.Handle, []byte, int64) (int, error) {
	return 0, r.rec("Write")
}
func (r *recorder) Setattr(context.Context, string, sdk.Handle, sdk.SetAttr) (sdk.Attr, error) {
	return sdk.Attr{}, r.rec("Setattr")
}
func (r *recorder) Mkdir(context.Context, string, fs.FileMode) (sdk.Attr, error) {
	return sdk.Attr{}, r.rec("Mkdir")
}
func (r *recorder) Unlink(context.Context, string) error { return r.rec("Unlink") }
func (r *recorder) Rmdir(context.Context, string) error  { return r.rec("Rmdir") }
func (r *recorder) Rename(context.Context, string, string, sdk.RenameFlags) error {
	return r.rec("Rename")
}
func (r *recorder) Symlink(context.Context, string, string) (sdk.Attr, error) {
	return sdk.Attr{}, r.rec("Symlink")
}
func (r *recorder) Readlink(context.Context, string) (string, error) { return "", r.rec("Readlink") }
func (r *recorder) Link(context.Context, string, string) (sdk.Attr, error) {
	return sdk.Attr{}, r.rec("Link")
}
func (r *recorder) Mknod(context.Context, string, fs.FileMode, uint32) (sdk.Attr, error) {
	return sdk.Attr{}, r.rec("Mknod")
}
func (r *recorder) Flush(context.Context, sdk.Handle) error       { return r.rec("Flush") }
func (r *recorder) Fsync(context.Context, sdk.Handle, bool) error { return r.rec("Fsync") }
func (r *recorder) Statfs(context.Context) (sdk.Statfs, error)    { return sdk.Statfs{}, r.rec("Statfs") }
func (r *recorder) GetXattr(context.Context, string, string) ([]byte, error) {
	return nil, r.rec("GetXattr")
}
func (r *recorder) SetXattr(context.Context, string, string, []byte, sdk.XattrFlags) error {
	return r.rec("SetXattr")
}
func (r *recorder) ListXattr(context.Context, string) ([]string, error) {
	return nil, r.rec("ListXattr")
}
func (r *recorder) RemoveXattr(context.Context, string, string) error { return r.rec("RemoveXattr") }
func (r *recorder) StatHandle(context.Context, sdk.Handle) (sdk.Attr, error) {
	return sdk.Attr{}, r.rec("StatHandle")
}

// Missing features fail with the error the sdk names, without a call.
func TestMissingFeatures(t *testing.T) {
	m := memfs.New()
	if _, err := m.Mkdir(ctx, "/d", 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Symlink(ctx, "d", "/l"); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{FS: m}
	// a writable plugin with nothing else
	v := vfs.New(rec, sdk.Features{Write: true, Declared: sdk.Declared{MaxIO: sdk.DefaultMaxIO}}, vfs.Options{})
	d, err := v.Lookup(ctx, vfs.RootID, "d")
	if err != nil {
		t.Fatal(err)
	}
	l, err := v.Lookup(ctx, vfs.RootID, "l")
	if err != nil {
		t.Fatal(err)
	}
	dh, err := v.OpenDir(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	check := func(op string, err error, want error) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", op, err, want)
		}
	}
	_, err = v.Setattr(ctx, d.ID, 0, sdk.SetAttr{Valid: sdk.SetMode, Mode: 0o700})
	check("setattr", err, sdk.ErrNotSupported)
	_, err = v.Mkdir(ctx, vfs.RootID, "x", 0o755)
	check("mkdir", err, sdk.ErrNotSupported)
	check("unlink", v.Unlink(ctx, vfs.RootID, "l"), sdk.ErrNotSupported)
	check("rmdir", v.Rmdir(ctx, vfs.RootID, "d"), sdk.ErrNotSupported)
	check("rename", v.Rename(ctx, vfs.RootID, "l", vfs.RootID, "m", 0), sdk.ErrCrossDevice)
	_, err = v.Symlink(ctx, vfs.RootID, "s", "t")
	check("symlink", err, sdk.ErrNotSupported)
	_, err = v.Readlink(ctx, l.ID)
	check("readlink", err, sdk.ErrInvalid)
	_, err = v.Link(ctx, l.ID, vfs.RootID, "k")
	check("link", err, sdk.ErrNotPermitted)
	_, err = v.Mknod(ctx, vfs.RootID, "p", fs.ModeNamedPipe|0o644, 0)
	check("mknod", err, sdk.ErrNotSupported)
	check("flush", v.Flush(ctx, dh), nil)
	check("fsync", v.Fsync(ctx, dh, false), nil)
	st, err := v.Statfs(ctx)
	if err != nil || st != sdk.DefaultStatfs {
		t.Errorf("statfs: %+v %v, want the default", st, err)
	}
	_, err = v.Getxattr(ctx, d.ID, "user.x")
	check("getxattr", err, sdk.ErrNotSupported)
	_, err = v.Listxattr(ctx, d.ID)
	check("listxattr", err, sdk.ErrNotSupported)
	check("setxattr", v.Setxattr(ctx, d.ID, "user.x", nil, 0), sdk.ErrNotSupported)
	check("removexattr", v.Removexattr(ctx, d.ID, "user.x"), sdk.ErrNotSupported)
	check("rename flags", v.Rename(ctx, vfs.RootID, "l", vfs.RootID, "m", sdk.RenameNoReplace), sdk.ErrCrossDevice)
	v.Release(ctx, dh)
	if len(rec.calls) != 0 {
		t.Errorf("the plugin was called for missing features: %v", rec.calls)
	}
}

func TestReadOnlyRefusesEveryChange(t *testing.T) {
	m := memfs.New()
	if _, err := m.Mkdir(ctx, "/d", 0o755); err != nil {
		t.Fatal(err)
	}
	h, _, err := m.Open(ctx, "/f", sdk.ReadWrite|sdk.Create, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	m.Release(ctx, h)
	feat := sdk.DetectFeatures(m)
	feat.ReadOnly = true // as a plugin declares it
	v := vfs.New(m, feat, vfs.Options{})
	f, err := v.Lookup(ctx, vfs.RootID, "f")
	if err != nil {
		t.Fatal(err)
	}
	ro := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, sdk.ErrReadOnly) {
			t.Errorf("%s on a read-only volume: %v", op, err)
		}
	}
	_, err = v.Open(ctx, f.ID, sdk.WriteOnly)
	ro("open for writing", err)
	_, err = v.Open(ctx, f.ID, sdk.ReadOnly|sdk.Truncate)
	ro("open with truncate", err)
	_, _, err = v.Create(ctx, vfs.RootID, "g", sdk.WriteOnly, 0o644)
	ro("create", err)
	_, err = v.Setattr(ctx, f.ID, 0, sdk.SetAttr{Valid: sdk.SetSize})
	ro("setattr", err)
	_, err = v.Mkdir(ctx, vfs.RootID, "e", 0o755)
	ro("mkdir", err)
	_, err = v.Mknod(ctx, vfs.RootID, "p", fs.ModeNamedPipe|0o644, 0)
	ro("mknod", err)
	_, err = v.Symlink(ctx, vfs.RootID, "s", "f")
	ro("symlink", err)
	_, err = v.Link(ctx, f.ID, vfs.RootID, "k")
	ro("link", err)
	ro("unlink", v.Unlink(ctx, vfs.RootID, "f"))
	ro("rmdir", v.Rmdir(ctx, vfs.RootID, "d"))
	ro("rename", v.Rename(ctx, vfs.RootID, "f", vfs.RootID, "h", 0))
	ro("setxattr", v.Setxattr(ctx, f.ID, "user.a", []byte("1"), 0))
	ro("removexattr", v.Removexattr(ctx, f.ID, "user.a"))
	fh, err := v.Open(ctx, f.ID, sdk.ReadOnly)
	if err != nil {
		t.Fatalf("open for reading: %v", err)
	}
	_, err = v.Write(ctx, fh, []byte("x"), 0)
	ro("write", err)
	v.Release(ctx, fh)
}

// Many goroutines at once on one VFS: run with -race.
func TestConcurrentOps(t *testing.T) {
	v, be := newVFS(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir, err := v.Mkdir(ctx, vfs.RootID, fmt.Sprint("d", g), 0o755)
			if err != nil {
				t.Error(err)
				return
			}
			for i := range 50 {
				name := fmt.Sprint("f", i)
				e, fh, err := v.Create(ctx, dir.ID, name, sdk.ReadWrite, 0o644)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := v.Write(ctx, fh, []byte(name), 0); err != nil {
					t.Error(err)
				}
				if g == 0 && i%10 == 0 {
					be.Restart()
				}
				if got := make([]byte, 8); true {
					if n, err := v.Read(ctx, fh, got, 0); err != nil || string(got[:n]) != name {
						t.Errorf("read %s: %q %v", name, got[:n], err)
					}
				}
				if _, err := v.Getattr(ctx, e.ID, fh); err != nil {
					t.Error(err)
				}
				v.Release(ctx, fh)
				if i%2 == 0 {
					if err := v.Rename(ctx, dir.ID, name, vfs.RootID, fmt.Sprint(g, "-", name), 0); err != nil {
						t.Error(err)
					}
				}
				v.Forget(e.ID, 1)
			}
			dh, err := v.OpenDir(ctx, vfs.RootID)
			if err != nil {
				t.Error(err)
				return
			}
			for off := 0; ; {
				ents, err := v.ReadDir(ctx, dh, off)
				if err != nil || len(ents) == 0 {
					break
				}
				off += len(ents)
			}
			v.Release(ctx, dh)
		}()
	}
	wg.Wait()
	if v.OpenHandles() != 0 {
		t.Errorf("%d handles left", v.OpenHandles())
	}
}

// Renaming a name onto another link of the same object changes nothing
// in the plugin; the VFS must not lose the object or list a name twice.
func TestRenameOntoOwnHardLink(t *testing.T) {
	v, _ := newVFS(t)
	a := create(t, v, vfs.RootID, "a", "x")
	if _, err := v.Link(ctx, a.ID, vfs.RootID, "b"); err != nil {
		t.Fatal(err)
	}
	if err := v.Rename(ctx, vfs.RootID, "a", vfs.RootID, "b", 0); err != nil {
		t.Fatal(err)
	}
	if err := v.Rename(ctx, vfs.RootID, "b", vfs.RootID, "b", 0); err != nil {
		t.Fatal(err)
	}
	if err := v.Unlink(ctx, vfs.RootID, "b"); err != nil {
		t.Fatal(err)
	}
	// the kernel may still ask about the old node: it has no name left
	if at, err := v.Getattr(ctx, a.ID, 0); err != nil || at.Nlink != 0 {
		t.Errorf("getattr of the node after its last name went: nlink %d, %v", at.Nlink, err)
	}
	// "a" still exists in the plugin (POSIX). The VFS took it for gone
	// with the kernel and gives it a node again, without reusing the old,
	// unlinked node's number for another object.
	e, err := v.Lookup(ctx, vfs.RootID, "a")
	if err != nil || e.Attr.Nlink != 1 {
		t.Fatalf("lookup a: nlink %d, %v", e.Attr.Nlink, err)
	}
	fh, err := v.Open(ctx, e.ID, sdk.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, v, fh); got != "x" {
		t.Errorf("read: %q", got)
	}
	v.Release(ctx, fh)
}

// countStat counts StatHandle calls.
type countStat struct {
	*memfs.FS
	mu sync.Mutex
	n  int
}

func (c *countStat) StatHandle(ctx context.Context, h sdk.Handle) (sdk.Attr, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return c.FS.StatHandle(ctx, h)
}

// Getattr with a handle (fstat) asks through the handle when the plugin
// can, and ignores a handle of another node.
func TestGetattrThroughHandle(t *testing.T) {
	be := &countStat{FS: memfs.New()}
	v := vfs.New(be, sdk.DetectFeatures(be), vfs.Options{CacheNodes: -1}) // every getattr asks
	e, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Release(ctx, fh)
	o := create(t, v, vfs.RootID, "other", "")
	if _, err := v.Getattr(ctx, e.ID, fh); err != nil || be.n != 1 {
		t.Errorf("fstat: %d StatHandle calls, %v", be.n, err)
	}
	if a, err := v.Getattr(ctx, o.ID, fh); err != nil || be.n != 1 || a.Ino != o.Attr.Ino {
		t.Errorf("getattr of another node with f's handle: %d StatHandle calls, ino %d (want %d), %v", be.n, a.Ino, o.Attr.Ino, err)
	}
}
