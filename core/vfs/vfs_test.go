package vfs_test

import (
	"context"
	"errors"
	"io/fs"
	"sync"
	"testing"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// restartable wraps memfs like the plugin supervisor does: Restart makes
// every handle issued so far stale, as a plugin crash would (the data
// survives, as with the local plugin).
type restartable struct {
	*memfs.FS
	mu    sync.Mutex
	gen   uint64
	owner map[sdk.Handle]uint64
}

func (r *restartable) Restart() { r.mu.Lock(); r.gen++; r.mu.Unlock() }

func (r *restartable) Generation() uint64 { r.mu.Lock(); defer r.mu.Unlock(); return r.gen }

func (r *restartable) track(h sdk.Handle) {
	r.mu.Lock()
	r.owner[h] = r.gen
	r.mu.Unlock()
}

func (r *restartable) check(h sdk.Handle) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.owner[h] != r.gen {
		return sdk.ErrStale
	}
	return nil
}

func (r *restartable) Open(ctx context.Context, p string, fl sdk.OpenFlags, m fs.FileMode) (sdk.Handle, sdk.Attr, error) {
	h, a, err := r.FS.Open(ctx, p, fl, m)
	if err == nil {
		r.track(h)
	}
	return h, a, err
}

func (r *restartable) OpenDir(ctx context.Context, p string) (sdk.Handle, error) {
	h, err := r.FS.OpenDir(ctx, p)
	if err == nil {
		r.track(h)
	}
	return h, err
}

func (r *restartable) Read(ctx context.Context, h sdk.Handle, b []byte, off int64) (int, error) {
	if err := r.check(h); err != nil {
		return 0, err
	}
	return r.FS.Read(ctx, h, b, off)
}

func (r *restartable) Write(ctx context.Context, h sdk.Handle, b []byte, off int64) (int, error) {
	if err := r.check(h); err != nil {
		return 0, err
	}
	return r.FS.Write(ctx, h, b, off)
}

func (r *restartable) ReadDir(ctx context.Context, h sdk.Handle, c uint64, max int) ([]sdk.DirEntry, error) {
	if err := r.check(h); err != nil {
		return nil, err
	}
	return r.FS.ReadDir(ctx, h, c, max)
}

// newVFS serves memfs without the metadata cache, so every lookup and
// getattr reaches the plugin and nodes go when the kernel forgets them
// (metacache_test.go tests the cache).
func newVFS(t *testing.T) (*vfs.VFS, *restartable) {
	be := &restartable{FS: memfs.New(), owner: map[sdk.Handle]uint64{}}
	return vfs.New(be, sdk.DetectFeatures(be.FS), vfs.Options{CacheNodes: -1}), be
}

var ctx = context.Background()

func TestReopenAfterRestart(t *testing.T) {
	v, be := newVFS(t)
	e, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Write(ctx, fh, []byte("hello"), 0); err != nil {
		t.Fatal(err)
	}
	be.Restart()
	buf := make([]byte, 5)
	if n, err := v.Read(ctx, fh, buf, 0); err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("read after restart: %q %v", buf[:n], err)
	}
	// an unlinked file cannot be reopened: EIO, not a wrong file
	if err := v.Unlink(ctx, vfs.RootID, "f"); err != nil {
		t.Fatal(err)
	}
	be.Restart()
	if _, err := v.Read(ctx, fh, buf, 0); sdk.CodeOf(err) != sdk.CodeIO {
		t.Errorf("read of an unlinked file after restart: %v, want EIO", err)
	}
	if err := v.Release(ctx, fh); err != nil {
		t.Errorf("release: %v", err)
	}
	v.Forget(e.ID, 1)
	if v.Nodes() != 1 || v.OpenHandles() != 0 {
		t.Errorf("%d nodes, %d handles left", v.Nodes(), v.OpenHandles())
	}
}

func TestRenameDirectoryMovesChildren(t *testing.T) {
	v, _ := newVFS(t)
	d, err := v.Mkdir(ctx, vfs.RootID, "a", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := v.Mkdir(ctx, d.ID, "b", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	f, fh, err := v.Create(ctx, sub.ID, "f", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Rename(ctx, vfs.RootID, "a", vfs.RootID, "z", 0); err != nil {
		t.Fatal(err)
	}
	// the child's node now answers at /z/b/f: a Getattr goes to that path
	if _, err := v.Getattr(ctx, f.ID, 0); err != nil {
		t.Errorf("getattr of a child after its grandparent's rename: %v", err)
	}
	if _, err := v.Write(ctx, fh, []byte("x"), 0); err != nil {
		t.Errorf("write through a handle after the rename: %v", err)
	}
	e, err := v.Lookup(ctx, sub.ID, "f")
	if err != nil || e.ID != f.ID {
		t.Errorf("lookup after rename: id %d (want %d), %v", e.ID, f.ID, err)
	}
	v.Release(ctx, fh)
}

func TestHardLinksShareANode(t *testing.T) {
	v, _ := newVFS(t)
	a, fh, err := v.Create(ctx, vfs.RootID, "a", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	v.Release(ctx, fh)
	b, err := v.Link(ctx, a.ID, vfs.RootID, "b")
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != a.ID || b.Attr.Nlink != 2 {
		t.Errorf("link: node %d (want %d), nlink %d", b.ID, a.ID, b.Attr.Nlink)
	}
	if err := v.Unlink(ctx, vfs.RootID, "a"); err != nil {
		t.Fatal(err)
	}
	at, err := v.Getattr(ctx, a.ID, 0) // answers through the remaining name
	if err != nil || at.Nlink != 1 {
		t.Errorf("getattr through the other link: nlink %d, %v", at.Nlink, err)
	}
}

func TestForgetDropsNodes(t *testing.T) {
	v, _ := newVFS(t)
	e, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Lookup(ctx, vfs.RootID, "f"); err != nil {
		t.Fatal(err)
	}
	v.Forget(e.ID, 1)
	if v.Nodes() != 2 {
		t.Fatalf("node dropped while the kernel still holds a reference")
	}
	v.Forget(e.ID, 1)
	if v.Nodes() != 2 {
		t.Fatalf("node dropped while a handle is open")
	}
	v.Release(ctx, fh)
	if v.Nodes() != 1 {
		t.Fatalf("%d nodes after the last reference and handle went", v.Nodes())
	}
	if _, err := v.Getattr(ctx, e.ID, 0); !errors.Is(err, sdk.ErrStale) {
		t.Errorf("getattr of a forgotten node: %v", err)
	}
}

func TestReadDirRestartsAfterRestart(t *testing.T) {
	v, be := newVFS(t)
	for _, n := range []string{"a", "b", "c"} {
		_, fh, err := v.Create(ctx, vfs.RootID, n, sdk.ReadWrite, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		v.Release(ctx, fh)
	}
	dh, err := v.OpenDir(ctx, vfs.RootID)
	if err != nil {
		t.Fatal(err)
	}
	ents := listAll(t, v, dh)
	if len(ents) != 5 {
		t.Fatalf("listing: %v", ents)
	}
	be.Restart()
	ents = listAll(t, v, dh)
	if len(ents) != 5 || ents[0].Name != "." || ents[1].Name != ".." {
		t.Fatalf("listing after restart: %v", ents)
	}
}

// listAll reads a whole listing from the start, as the kernel does.
func listAll(t *testing.T, v *vfs.VFS, dh uint64) []vfs.DirEntry {
	t.Helper()
	var all []vfs.DirEntry
	for {
		ents, err := v.ReadDir(ctx, dh, len(all))
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) == 0 {
			return all
		}
		all = append(all, ents...)
	}
}

func TestReadOnlyRefusesChanges(t *testing.T) {
	be := memfs.New()
	v := vfs.New(be, sdk.DetectFeatures(be), vfs.Options{ReadOnly: true})
	if _, _, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644); !errors.Is(err, sdk.ErrReadOnly) {
		t.Errorf("create on a read-only volume: %v", err)
	}
	if _, err := v.Mkdir(ctx, vfs.RootID, "d", 0o755); !errors.Is(err, sdk.ErrReadOnly) {
		t.Errorf("mkdir on a read-only volume: %v", err)
	}
}

// A path-based driver may forget a directory before the files in it; the
// files' paths must stay whole, and the directory goes with the last one.
func TestParentForgottenBeforeChild(t *testing.T) {
	v, _ := newVFS(t)
	d, err := v.Mkdir(ctx, vfs.RootID, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	f, fh, err := v.Create(ctx, d.ID, "f", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Release(ctx, fh); err != nil {
		t.Fatal(err)
	}
	v.Forget(d.ID, 1)
	if _, err := v.Getattr(ctx, f.ID, 0); err != nil {
		t.Errorf("getattr of d/f after d was forgotten: %v", err)
	}
	if fh, err := v.Open(ctx, f.ID, sdk.ReadOnly); err != nil {
		t.Errorf("open of d/f after d was forgotten: %v", err)
	} else {
		_ = v.Release(ctx, fh)
	}
	v.Forget(f.ID, 1)
	if n := v.Nodes(); n != 1 {
		t.Errorf("%d nodes left after both were forgotten, want the root only", n)
	}
}

// TestLinkedAt: a node is at each of its names, and nowhere else once
// renamed or unlinked.
func TestLinkedAt(t *testing.T) {
	v, _ := newVFS(t)
	d, err := v.Mkdir(ctx, vfs.RootID, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	f, fh, err := v.Create(ctx, d.ID, "f", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	_ = v.Release(ctx, fh)
	if _, err := v.Link(ctx, f.ID, vfs.RootID, "g"); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{"/d/f": true, "/g": true, "/f": false, "/d/g": false, "d/f": false, "/x/d/f": false} {
		if got := v.LinkedAt(f.ID, p); got != want {
			t.Errorf("LinkedAt(f, %q) = %v, want %v", p, got, want)
		}
	}
	if !v.LinkedAt(vfs.RootID, "/") || !v.LinkedAt(d.ID, "/d") {
		t.Error("the root or d is not where it is")
	}
	if err := v.Rename(ctx, vfs.RootID, "d", vfs.RootID, "e", 0); err != nil {
		t.Fatal(err)
	}
	if v.LinkedAt(f.ID, "/d/f") || !v.LinkedAt(f.ID, "/e/f") {
		t.Error("after renaming d to e, f is not at /e/f only")
	}
	if err := v.Unlink(ctx, vfs.RootID, "g"); err != nil {
		t.Fatal(err)
	}
	if v.LinkedAt(f.ID, "/g") {
		t.Error("f is still at /g after the unlink")
	}
}
