package vfs_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

// statCounting counts the plugin's Stat calls; during, if set, runs inside
// each Stat (to race a change with it).
type statCounting struct {
	*memfs.FS
	stats  atomic.Int64
	during func()
	gen    atomic.Uint64
}

func (s *statCounting) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	s.stats.Add(1)
	if s.during != nil {
		s.during()
	}
	return s.FS.Stat(ctx, p)
}

func (s *statCounting) Generation() uint64 { return s.gen.Load() }

// newCached serves memfs with the metadata cache; exclusive says whether
// the plugin declares ExclusiveData (memfs does; a local directory would
// not).
func newCached(t *testing.T, exclusive bool, opts vfs.Options) (*vfs.VFS, *statCounting) {
	t.Helper()
	be := &statCounting{FS: memfs.New()}
	feat := sdk.DetectFeatures(be.FS)
	feat.ExclusiveData = exclusive
	return vfs.New(be, feat, opts), be
}

// createEmpty creates name in dir and closes it without writing: its
// attributes stay those the create returned.
func createEmpty(t *testing.T, v *vfs.VFS, dir uint64, name string) vfs.Entry {
	t.Helper()
	e, fh, err := v.Create(ctx, dir, name, sdk.ReadWrite|sdk.Exclusive, 0o644)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	if err := v.Release(ctx, fh); err != nil {
		t.Fatalf("release %s: %v", name, err)
	}
	return e
}

// forgetAll drops the kernel's reference to e, as `echo 2 > drop_caches`
// makes the kernel do.
func forgetAll(v *vfs.VFS, es ...vfs.Entry) {
	for _, e := range es {
		v.Forget(e.ID, 1)
	}
}

// With ExclusiveData a forgotten node is kept: looking it up again and
// reading its attributes costs no plugin call, and gives the same node.
func TestMetaCacheKeepsForgottenNodes(t *testing.T) {
	v, be := newCached(t, true, vfs.Options{})
	e := create(t, v, vfs.RootID, "f", "hello")
	// The write made the attributes stale: the first getattr asks.
	before := be.stats.Load()
	if _, err := v.Getattr(ctx, e.ID, 0); err != nil {
		t.Fatal(err)
	}
	if n := be.stats.Load() - before; n != 1 {
		t.Errorf("%d plugin Stat calls for a getattr after a write, want 1", n)
	}
	forgetAll(v, e)
	before = be.stats.Load()
	again, err := v.Lookup(ctx, vfs.RootID, "f")
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != e.ID || again.Attr.Size != 5 {
		t.Errorf("lookup after forget: node %d size %d, want node %d size 5", again.ID, again.Attr.Size, e.ID)
	}
	if _, err := v.Getattr(ctx, again.ID, 0); err != nil {
		t.Fatal(err)
	}
	if n := be.stats.Load() - before; n != 0 {
		t.Errorf("%d plugin Stat calls for a lookup and getattr of a kept node, want 0", n)
	}
}

// A directory made through the VFS is complete: a name it lacks fails
// without a plugin call, and a name it gains through the VFS is found.
func TestMetaCacheCompleteDirectory(t *testing.T) {
	v, be := newCached(t, true, vfs.Options{})
	d, err := v.Mkdir(ctx, vfs.RootID, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	before := be.stats.Load()
	if _, err := v.Lookup(ctx, d.ID, "missing"); !errors.Is(err, sdk.ErrNotExist) {
		t.Fatalf("lookup of a missing name: %v, want ErrNotExist", err)
	}
	f := createEmpty(t, v, d.ID, "f")
	forgetAll(v, f)
	if _, err := v.Lookup(ctx, d.ID, "f"); err != nil {
		t.Fatalf("lookup of a created name: %v", err)
	}
	if n := be.stats.Load() - before; n != 0 {
		t.Errorf("%d plugin Stat calls in a complete directory, want 0", n)
	}
	if err := v.Unlink(ctx, d.ID, "f"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Lookup(ctx, d.ID, "f"); !errors.Is(err, sdk.ErrNotExist) {
		t.Errorf("lookup of an unlinked name: %v, want ErrNotExist", err)
	}
}

// A directory that lost a child to eviction is no longer complete: its
// names are asked of the plugin again.
func TestMetaCacheEvictionEndsCompleteness(t *testing.T) {
	v, be := newCached(t, true, vfs.Options{CacheNodes: 4})
	d, err := v.Mkdir(ctx, vfs.RootID, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	var es []vfs.Entry
	for _, name := range []string{"a", "b", "c", "e", "f", "g"} {
		es = append(es, createEmpty(t, v, d.ID, name))
	}
	forgetAll(v, es...)
	if n := v.Kept(); n != 4 {
		t.Errorf("%d nodes kept with a limit of 4", n)
	}
	if n := v.Nodes(); n != 2 {
		t.Errorf("%d nodes referenced, want 2 (the root and d)", n)
	}
	before := be.stats.Load()
	if _, err := v.Lookup(ctx, d.ID, "a"); err != nil { // evicted first
		t.Fatalf("lookup of an evicted name: %v", err)
	}
	if _, err := v.Lookup(ctx, d.ID, "zz"); !errors.Is(err, sdk.ErrNotExist) {
		t.Fatalf("lookup of a missing name: %v", err)
	}
	if n := be.stats.Load() - before; n != 2 {
		t.Errorf("%d plugin Stat calls after eviction, want 2 (the evicted name, the missing one)", n)
	}
}

// Without ExclusiveData what the plugin said is answered from the cache
// only for the configured timeouts, and a missing name is always asked.
func TestMetaCacheTimeoutsWithoutExclusiveData(t *testing.T) {
	const ttl = 200 * time.Millisecond
	v, be := newCached(t, false, vfs.Options{EntryTimeout: ttl, AttrTimeout: ttl})
	d, err := v.Mkdir(ctx, vfs.RootID, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	e := createEmpty(t, v, d.ID, "f")
	forgetAll(v, e)
	before := be.stats.Load()
	got, err := v.Lookup(ctx, d.ID, "f")
	if err != nil {
		t.Fatal(err)
	}
	if n := be.stats.Load() - before; n != 0 {
		t.Errorf("%d Stat calls for a fresh kept node, want 0", n)
	}
	if got.EntryTimeout > ttl || got.Attr.Timeout > ttl {
		t.Errorf("timeouts %v/%v from the cache exceed the configured %v", got.EntryTimeout, got.Attr.Timeout, ttl)
	}
	if _, err := v.Lookup(ctx, d.ID, "missing"); !errors.Is(err, sdk.ErrNotExist) {
		t.Fatal(err)
	}
	if n := be.stats.Load() - before; n != 1 {
		t.Errorf("%d Stat calls, want 1: a missing name is asked without ExclusiveData", n)
	}
	time.Sleep(ttl + 50*time.Millisecond)
	if _, err := v.Getattr(ctx, got.ID, 0); err != nil {
		t.Fatal(err)
	}
	if n := be.stats.Load() - before; n != 2 {
		t.Errorf("%d Stat calls, want 2: expired attributes are asked again", n)
	}
}

// Attributes read by a call that a change raced are not cached: the next
// getattr asks again.
func TestMetaCacheSkipsRacedReads(t *testing.T) {
	v, be := newCached(t, true, vfs.Options{})
	e := create(t, v, vfs.RootID, "f", "")
	other := create(t, v, vfs.RootID, "g", "")
	var once sync.Once
	be.during = func() {
		once.Do(func() {
			// A change completes while the Stat below runs.
			if _, err := v.Setattr(ctx, other.ID, 0, sdk.SetAttr{Valid: sdk.SetMode, Mode: 0o600}); err != nil {
				t.Error(err)
			}
		})
	}
	forgetAll(v, e)
	v.Changed(sdk.Change{Kind: sdk.ChangeModified, Path: "/f"}) // drop what is cached of f
	if _, err := v.Lookup(ctx, vfs.RootID, "f"); err != nil {
		t.Fatal(err)
	}
	be.during = nil
	before := be.stats.Load()
	if _, err := v.Getattr(ctx, e.ID, 0); err != nil {
		t.Fatal(err)
	}
	if n := be.stats.Load() - before; n != 1 {
		t.Errorf("%d Stat calls for attributes a change raced, want 1", n)
	}
}

// A plugin restart and a change the plugin reports drop the cache.
func TestMetaCacheDroppedByRestartAndChanges(t *testing.T) {
	v, be := newCached(t, true, vfs.Options{})
	d, err := v.Mkdir(ctx, vfs.RootID, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	e := createEmpty(t, v, d.ID, "f")
	be.gen.Add(1) // the plugin restarted
	before := be.stats.Load()
	if _, err := v.Getattr(ctx, e.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Lookup(ctx, d.ID, "missing"); !errors.Is(err, sdk.ErrNotExist) {
		t.Fatal(err)
	}
	if n := be.stats.Load() - before; n != 2 {
		t.Errorf("%d Stat calls after a restart, want 2", n)
	}
	v.Changed(sdk.Change{Kind: sdk.ChangeModified, Path: "/d/f"})
	if _, err := v.Getattr(ctx, e.ID, 0); err != nil {
		t.Fatal(err)
	}
	if n := be.stats.Load() - before; n != 3 {
		t.Errorf("%d Stat calls after a reported change, want 3", n)
	}
}

// donating is memfs with every writable file "donated": a file the host
// writes without the VFS seeing the writes, as FUSE passthrough does.
type donating struct {
	*statCounting
	mu    sync.Mutex
	files map[sdk.Handle]*os.File
}

func (d *donating) File(h sdk.Handle) *os.File {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.files[h]
}

// A node with a donated file open for writing is never answered from the
// cache, and its attributes are read again after the last such handle.
func TestMetaCacheBypassedWriters(t *testing.T) {
	be := &donating{statCounting: &statCounting{FS: memfs.New()}, files: map[sdk.Handle]*os.File{}}
	feat := sdk.DetectFeatures(be.FS)
	feat.ExclusiveData = true
	v := vfs.New(be, feat, vfs.Options{})
	e := create(t, v, vfs.RootID, "f", "")
	bh, _, err := be.FS.Open(ctx, "/f", sdk.ReadWrite, 0)
	if err != nil {
		t.Fatal(err)
	}
	be.FS.Release(ctx, bh)
	// Mark every handle the VFS opens from now on as donated.
	tmp, err := os.CreateTemp(t.TempDir(), "donated")
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Close()
	be.mu.Lock()
	for h := sdk.Handle(1); h < 64; h++ {
		be.files[h] = tmp
	}
	be.mu.Unlock()
	fh, err := v.Open(ctx, e.ID, sdk.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	before := be.stats.Load()
	for range 3 {
		if _, err := v.Getattr(ctx, e.ID, 0); err != nil {
			t.Fatal(err)
		}
	}
	if n := be.stats.Load() - before; n != 3 {
		t.Errorf("%d Stat calls for 3 getattrs with a donated writer open, want 3", n)
	}
	if err := v.Release(ctx, fh); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := v.Getattr(ctx, e.ID, 0); err != nil {
			t.Fatal(err)
		}
	}
	if n := be.stats.Load() - before; n != 4 {
		t.Errorf("%d Stat calls after the writer closed, want 4 (one fresh read, then cached)", n)
	}
}

// The cache is off with CacheNodes < 0 and with a negative entry timeout.
func TestMetaCacheOff(t *testing.T) {
	for _, opts := range []vfs.Options{{CacheNodes: -1}, {EntryTimeout: -1, AttrTimeout: -1}} {
		v, be := newCached(t, true, opts)
		e := create(t, v, vfs.RootID, "f", "")
		forgetAll(v, e)
		if v.Nodes() != 1 || v.Kept() != 0 {
			t.Errorf("%+v: %d nodes referenced and %d kept, want the root only", opts, v.Nodes(), v.Kept())
		}
		before := be.stats.Load()
		got, err := v.Lookup(ctx, vfs.RootID, "f")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Getattr(ctx, got.ID, 0); err != nil {
			t.Fatal(err)
		}
		if n := be.stats.Load() - before; n != 2 {
			t.Errorf("%+v: %d Stat calls, want 2", opts, n)
		}
	}
}

// wireCounting is a plugin over the wire (sdk.Client) whose Stat calls
// are counted.
type wireCounting struct {
	*sdk.Client
	stats atomic.Int64
}

func (w *wireCounting) Stat(ctx context.Context, p string) (sdk.Attr, error) {
	w.stats.Add(1)
	return w.Client.Stat(ctx, p)
}

// Over the wire, changes bring back the attributes they changed (the
// protocol's post-operation attributes): after a create, a write and a
// close, and after an unlink, neither the directory's nor the file's
// attributes cost a Stat, and they are the plugin's.
func TestMetaCachePostOpAttributes(t *testing.T) {
	c, res := sdktest.TestClient(t, memfs.Plugin(), nil)
	be := &wireCounting{Client: c}
	v := vfs.New(be, res.Features, vfs.Options{})
	d, err := v.Mkdir(ctx, vfs.RootID, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	f := create(t, v, d.ID, "f", "hello")
	before := be.stats.Load()
	fa, err := v.Getattr(ctx, f.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	da, err := v.Getattr(ctx, d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := be.stats.Load() - before; n != 0 {
		t.Errorf("%d Stat calls for the attributes of a file just written and its directory, want 0", n)
	}
	want, _ := c.Stat(ctx, "/d/f")
	if fa.Size != 5 || !fa.Mtime.Equal(want.Mtime) {
		t.Errorf("file attributes from the cache: size %d mtime %v, want 5 and %v", fa.Size, fa.Mtime, want.Mtime)
	}
	wantDir, _ := c.Stat(ctx, "/d")
	if da.Size != wantDir.Size || !da.Mtime.Equal(wantDir.Mtime) {
		t.Errorf("directory attributes from the cache: size %d mtime %v, want %d and %v", da.Size, da.Mtime, wantDir.Size, wantDir.Mtime)
	}
	if err := v.Unlink(ctx, d.ID, "f"); err != nil {
		t.Fatal(err)
	}
	before = be.stats.Load()
	da, err = v.Getattr(ctx, d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := be.stats.Load() - before; n != 0 {
		t.Errorf("%d Stat calls for the directory after an unlink, want 0", n)
	}
	wantDir, _ = c.Stat(ctx, "/d")
	if da.Size != wantDir.Size || !da.Mtime.Equal(wantDir.Mtime) {
		t.Errorf("directory after unlink: size %d mtime %v, want %d and %v", da.Size, da.Mtime, wantDir.Size, wantDir.Mtime)
	}
}

// Renaming one hard link over another leaves both names; the directory
// then no longer knows all its names, so the old one is asked for.
func TestMetaCacheRenameBetweenLinks(t *testing.T) {
	v, _ := newCached(t, true, vfs.Options{})
	d, err := v.Mkdir(ctx, vfs.RootID, "d", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	a := createEmpty(t, v, d.ID, "a")
	if _, err := v.Link(ctx, a.ID, d.ID, "b"); err != nil {
		t.Fatal(err)
	}
	if err := v.Rename(ctx, d.ID, "a", d.ID, "b", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Lookup(ctx, d.ID, "a"); err != nil {
		t.Errorf("lookup of a after renaming it over its other link: %v, want it found", err)
	}
}

// releaseRacing is a plugin over the wire that runs during once between
// a Release's reply (with its post-operation attributes) and the VFS
// taking it: a change racing a writer's close.
type releaseRacing struct {
	*sdk.Client
	during func()
}

func (r *releaseRacing) Release(ctx context.Context, h sdk.Handle) error {
	err := r.Client.Release(ctx, h)
	if f := r.during; f != nil {
		r.during = nil
		f()
	}
	return err
}

// chmodDuringRelease creates /f over the wire, writes to it, and chmods it
// to mode while the writer's release is in flight, after the release's
// post-operation attributes were read; it returns the VFS and f's node.
func chmodDuringRelease(t *testing.T, mode fs.FileMode) (*vfs.VFS, uint64) {
	t.Helper()
	c, res := sdktest.TestClient(t, memfs.Plugin(), nil)
	be := &releaseRacing{Client: c}
	v := vfs.New(be, res.Features, vfs.Options{NoWriteCoalesce: true})
	e, fh, err := v.Create(ctx, vfs.RootID, "f", sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Write(ctx, fh, []byte("data"), 0); err != nil {
		t.Fatal(err)
	}
	be.during = func() {
		if _, err := v.Setattr(ctx, e.ID, 0, sdk.SetAttr{Valid: sdk.SetMode, Mode: mode}); err != nil {
			t.Error(err)
		}
	}
	if err := v.Release(ctx, fh); err != nil {
		t.Fatal(err)
	}
	return v, e.ID
}

// A chmod that completes while a writer's release is in flight is not
// undone by the attributes the release brought back (read before the
// chmod): the kernel's permission check after it sees the new mode. The
// mount suite caught this as an unprivileged read of a 0200 file allowed.
func TestMetaCacheReleaseRacingSetattr(t *testing.T) {
	v, id := chmodDuringRelease(t, 0o200)
	if a, err := v.Getattr(ctx, id, 0); err != nil || a.Mode.Perm() != 0o200 {
		t.Errorf("mode after a chmod racing the release: %v, %v; want 0200", a.Mode.Perm(), err)
	}
}
