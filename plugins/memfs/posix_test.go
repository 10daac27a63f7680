package memfs_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

func nlink(t *testing.T, f *memfs.FS, p string) uint32 {
	t.Helper()
	a, err := f.Stat(ctx, p)
	if err != nil {
		t.Fatalf("Stat(%s): %v", p, err)
	}
	return a.Nlink
}

// TestSetgidInheritance: in a setgid directory new objects take the
// directory's group, and new directories keep the setgid bit.
func TestSetgidInheritance(t *testing.T) {
	f := memfs.New()
	if _, err := f.Mkdir(ctx, "/shared", 0o775); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Setattr(ctx, "/shared", 0, sdk.SetAttr{Valid: sdk.SetGid | sdk.SetMode, Gid: 500, Mode: 0o775 | fs.ModeSetgid}); err != nil {
		t.Fatal(err)
	}
	uctx := sdk.WithCaller(ctx, sdk.Caller{Uid: 1000, Gid: 1000})
	h, a, err := f.Open(uctx, "/shared/f", sdk.Create|sdk.ReadWrite, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Release(ctx, h)
	if a.Uid != 1000 || a.Gid != 500 || a.Mode&fs.ModeSetgid != 0 {
		t.Errorf("file in a setgid dir: %d:%d %v, want 1000:500 without setgid", a.Uid, a.Gid, a.Mode)
	}
	d, err := f.Mkdir(uctx, "/shared/sub", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if d.Gid != 500 || d.Mode&fs.ModeSetgid == 0 {
		t.Errorf("dir in a setgid dir: gid %d mode %v, want 500 and setgid", d.Gid, d.Mode)
	}
	o, err := f.Mkdir(uctx, "/plain", 0o755)
	if err != nil || o.Gid != 1000 || o.Mode&fs.ModeSetgid != 0 {
		t.Errorf("dir in a plain dir: %+v, %v", o, err)
	}
}

// TestDirLinkCounts: a directory's nlink is 2 plus its subdirectories,
// through mkdir, rmdir, rename and exchange.
func TestDirLinkCounts(t *testing.T) {
	f := memfs.New()
	for _, p := range []string{"/a", "/b", "/a/x", "/a/y"} {
		if _, err := f.Mkdir(ctx, p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	h, _, _ := f.Open(ctx, "/b/file", sdk.Create|sdk.ReadWrite, 0o644)
	_ = f.Release(ctx, h)
	check := func(when string, want map[string]uint32) {
		t.Helper()
		for p, n := range want {
			if got := nlink(t, f, p); got != n {
				t.Errorf("%s: nlink(%s) = %d, want %d", when, p, got, n)
			}
		}
	}
	check("start", map[string]uint32{"/": 4, "/a": 4, "/b": 2})
	if err := f.Rename(ctx, "/a/x", "/b/x", 0); err != nil {
		t.Fatal(err)
	}
	check("after moving a dir", map[string]uint32{"/a": 3, "/b": 3})
	if err := f.Rename(ctx, "/a/y", "/b/file", sdk.RenameExchange); err != nil {
		t.Fatal(err)
	}
	check("after exchanging a dir and a file", map[string]uint32{"/a": 2, "/b": 4})
	if err := f.Rename(ctx, "/b/file", "/b/x", 0); err != nil {
		t.Fatal(err)
	}
	check("after replacing an empty dir", map[string]uint32{"/b": 3})
	if err := f.Rmdir(ctx, "/b/x"); err != nil {
		t.Fatal(err)
	}
	check("after rmdir", map[string]uint32{"/b": 2, "/": 4})
}

// TestRenameEdges: renames that must fail leave everything as it was.
func TestRenameEdges(t *testing.T) {
	f := memfs.New()
	if _, err := f.Mkdir(ctx, "/d", 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Mkdir(ctx, "/d/e", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		from, to string
		flags    sdk.RenameFlags
		want     error
	}{
		{"/", "/x", 0, sdk.ErrBusy},
		{"/d", "/", 0, sdk.ErrBusy},
		{"/d/e", "/d", 0, sdk.ErrNotEmpty},
		{"/d", "/d/e", sdk.RenameExchange, sdk.ErrInvalid},
		{"/d", "/x", sdk.RenameExchange | sdk.RenameNoReplace, sdk.ErrInvalid},
		{"/d", "/x", 1 << 7, sdk.ErrInvalid},
	} {
		if err := f.Rename(ctx, c.from, c.to, c.flags); !errors.Is(err, c.want) {
			t.Errorf("Rename(%s, %s, %#x) = %v, want %v", c.from, c.to, c.flags, err, c.want)
		}
	}
	if _, err := f.Stat(ctx, "/d/e"); err != nil {
		t.Errorf("failed renames changed the tree: %v", err)
	}
}

// TestHandlesAndClose: unknown handles are ErrBadHandle; Close drops all.
func TestHandlesAndClose(t *testing.T) {
	f := memfs.New()
	if _, err := f.Read(ctx, 99, make([]byte, 1), 0); !errors.Is(err, sdk.ErrBadHandle) {
		t.Errorf("Read of an unknown handle = %v", err)
	}
	if err := f.Release(ctx, 99); !errors.Is(err, sdk.ErrBadHandle) {
		t.Errorf("Release of an unknown handle = %v", err)
	}
	dh, _ := f.OpenDir(ctx, "/")
	if _, err := f.Read(ctx, dh, make([]byte, 1), 0); !errors.Is(err, sdk.ErrIsDir) {
		t.Errorf("Read of a directory handle = %v", err)
	}
	h := mustOpen(t, f, "/f", sdk.Create|sdk.ReadWrite)
	if _, err := f.ReadDir(ctx, h, 0, 10); !errors.Is(err, sdk.ErrNotDir) {
		t.Errorf("ReadDir of a file handle = %v", err)
	}
	if err := f.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.StatHandle(ctx, h); !errors.Is(err, sdk.ErrBadHandle) {
		t.Errorf("StatHandle after Close = %v", err)
	}
}

// TestXattrLimits: attribute names and values are bounded like Linux's.
func TestXattrLimits(t *testing.T) {
	f := memfs.New()
	if err := f.SetXattr(ctx, "/", "trusted.big", make([]byte, 64<<10+1), 0); !errors.Is(err, sdk.ErrRange) {
		t.Errorf("65K value = %v, want ErrRange", err)
	}
	if err := f.SetXattr(ctx, "/", "security.selinux", []byte("ctx"), 0); err != nil {
		t.Errorf("security.* attribute: %v", err)
	}
	if err := f.SetXattr(ctx, "/", "", nil, 0); !errors.Is(err, sdk.ErrInvalid) {
		t.Errorf("empty name = %v, want ErrInvalid", err)
	}
	v, _ := f.GetXattr(ctx, "/", "security.selinux")
	v[0] = 'X'
	if w, _ := f.GetXattr(ctx, "/", "security.selinux"); string(w) != "ctx" {
		t.Errorf("GetXattr returned memfs's own buffer: caller's change shows as %q", w)
	}
}
