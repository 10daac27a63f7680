//go:build unix

package local

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// sentinel is a directory outside the root holding one file whose content,
// mode and times must survive every test.
type sentinel struct {
	dir, file string
	mtime     time.Time
	dirMode   os.FileMode
}

func newSentinel(t *testing.T) sentinel {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("outside"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Unix(1_000_000_000, 0)
	if err := os.Chtimes(file, old, old); err != nil {
		t.Fatal(err)
	}
	st, err := os.Lstat(dir)
	if err != nil {
		t.Fatal(err)
	}
	return sentinel{dir: dir, file: file, mtime: old, dirMode: st.Mode()}
}

func (s sentinel) check(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile(s.file)
	if err != nil || string(b) != "outside" {
		t.Errorf("the file outside the root changed: %q %v", b, err)
	}
	st, err := os.Lstat(s.file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode() != 0o600 || !st.ModTime().Equal(s.mtime) {
		t.Errorf("the file outside the root changed: mode %v mtime %v", st.Mode(), st.ModTime())
	}
	ents, _ := os.ReadDir(s.dir)
	if len(ents) != 1 {
		t.Errorf("something was created or removed outside the root: %v", ents)
	}
	d, _ := os.Lstat(s.dir)
	if d.Mode() != s.dirMode {
		t.Errorf("the directory outside the root changed mode: %v", d.Mode())
	}
}

// TestConfinement: nothing outside the root is read or written, however
// the path and the symlinks inside are arranged.
func TestConfinement(t *testing.T) {
	out := newSentinel(t)
	root := t.TempDir()
	f, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close(context.Background())
	relOut, _ := filepath.Rel(root, out.dir)
	links := map[string]string{
		"abs":     out.file,                                             // absolute symlink to the file
		"rel":     filepath.Join(relOut, "f"),                           // relative, climbing out
		"dirlink": out.dir,                                              // absolute, to the directory
		"reldir":  relOut,                                               // relative, to the directory
		"slash":   "/",                                                  // the host's root
		"dotdot":  "..",                                                 // the root's parent
		"chain":   "dirlink",                                            // a link to a link that leaves
		"deep":    "sub/../../" + filepath.Base(root) + "/../" + relOut, // climbs out the long way
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(root, "sub"), 0o755)
	ctx := context.Background()
	paths := []string{"/abs", "/rel", "/dirlink/f", "/reldir/f", "/slash" + out.file, "/dotdot/" + filepath.Base(out.dir) + "/f",
		"/chain/f", "/deep/f"}
	for _, p := range paths {
		if h, _, err := f.Open(ctx, p, sdk.ReadWrite, 0); err == nil {
			buf := make([]byte, 16)
			n, _ := f.Read(ctx, h, buf, 0)
			f.Release(ctx, h)
			t.Errorf("Open(%s) escaped the root (read %q)", p, buf[:n])
		}
		if h, _, err := f.Open(ctx, p, sdk.WriteOnly|sdk.Create|sdk.Truncate, 0o666); err == nil {
			f.Release(ctx, h)
			t.Errorf("Open(%s, Create|Truncate) escaped the root", p)
		}
		for _, sa := range []sdk.SetAttr{{Valid: sdk.SetMode, Mode: 0o777}, {Valid: sdk.SetSize}, {Valid: sdk.SetMtimeNow | sdk.SetAtimeNow},
			{Valid: sdk.SetUid | sdk.SetGid, Uid: 1, Gid: 1}} {
			f.Setattr(ctx, p, 0, sa) // a symlink's own owner may change; the target's must not
		}
		if x, ok := any(f).(sdk.Xattrer); ok {
			x.SetXattr(ctx, p, "user.escape", []byte("1"), 0)
		}
		if _, err := f.Mkdir(ctx, p+"/new", 0o755); err == nil {
			t.Errorf("Mkdir under %s escaped the root", p)
		}
		if _, err := f.Symlink(ctx, "x", p+"/new"); err == nil {
			t.Errorf("Symlink under %s escaped the root", p)
		}
		if _, err := f.Link(ctx, p, "/stolen"); err == nil && p != "/abs" && p != "/rel" {
			t.Errorf("Link(%s) brought an outside file into the root", p)
		}
		f.Unlink(ctx, "/stolen")
		if err := f.Rename(ctx, p, "/moved", 0); err == nil && p != "/abs" && p != "/rel" {
			t.Errorf("Rename(%s) moved an outside file", p)
		}
		f.Rename(ctx, "/moved", p, 0)
		if p != "/abs" && p != "/rel" {
			if _, err := f.Stat(ctx, p); err == nil {
				t.Errorf("Stat(%s) reached outside the root", p)
			}
			if err := f.Unlink(ctx, p); err == nil {
				t.Errorf("Unlink(%s) escaped the root", p)
			}
		}
	}
	for _, p := range []string{"/dirlink", "/reldir", "/slash", "/dotdot", "/chain", "/deep"} {
		if h, err := f.OpenDir(ctx, p); err == nil {
			ents, _ := f.ReadDir(ctx, h, 0, 100)
			f.Release(ctx, h)
			t.Errorf("OpenDir(%s) listed outside the root: %v", p, ents)
		}
		if err := f.Rename(ctx, "/sub", p+"/sub", 0); err == nil {
			t.Errorf("Rename into %s escaped the root", p)
		}
	}
	// An escape through a symlinked directory is refused with EXDEV (os.Root
	// fallback: the same code); a final symlink opened with ELOOP.
	if _, _, err := f.Open(ctx, "/dirlink/f", sdk.ReadOnly, 0); !errors.Is(err, sdk.ErrCrossDevice) {
		t.Errorf("Open(/dirlink/f) = %v; want ErrCrossDevice (EXDEV)", err)
	}
	if _, _, err := f.Open(ctx, "/abs", sdk.ReadOnly, 0); !errors.Is(err, sdk.ErrLoop) {
		t.Errorf("Open(/abs) = %v; want ErrLoop", err)
	}
	// A symlink is served as itself.
	if a, err := f.Stat(ctx, "/abs"); err != nil || a.Mode&os.ModeSymlink == 0 {
		t.Errorf("Stat(/abs) = %v, %v; want the symlink", a.Mode, err)
	}
	if tgt, err := f.Readlink(ctx, "/abs"); err != nil || tgt != out.file {
		t.Errorf("Readlink(/abs) = %q, %v", tgt, err)
	}
	out.check(t)
}

// swapper flips root/d between a real directory holding f ("inside") and a
// symlink to the sentinel directory until stop is set.
func swapper(t *testing.T, root string, out sentinel, stop *atomic.Bool) *sync.WaitGroup {
	t.Helper()
	d := filepath.Join(root, "d")
	tmp := filepath.Join(root, "d.tmp")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			os.RemoveAll(tmp)
			if i%2 == 0 {
				os.Mkdir(tmp, 0o755)
				os.WriteFile(filepath.Join(tmp, "f"), []byte("inside"), 0o644)
			} else {
				os.Symlink(out.dir, tmp)
			}
			os.Rename(tmp, d) // atomic for a symlink; a directory only replaces an empty one
			if i%7 == 0 {
				os.RemoveAll(d)
			}
		}
	}()
	return &wg
}

// TestSymlinkSwapRace swaps a directory for a symlink to the outside while
// other goroutines read, write, chmod, truncate, link and rename through
// it: no byte outside the root may be read or changed.
func TestSymlinkSwapRace(t *testing.T) {
	out := newSentinel(t)
	root := t.TempDir()
	f, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close(context.Background())
	var stop atomic.Bool
	wg := swapper(t, root, out, &stop)
	ctx := context.Background()
	deadline := time.Now().Add(1500 * time.Millisecond)
	var leaked atomic.Int64
	var ops sync.WaitGroup
	for w := range 3 {
		ops.Add(1)
		go func() {
			defer ops.Done()
			buf := make([]byte, 64)
			for time.Now().Before(deadline) {
				switch w {
				case 0:
					if h, _, err := f.Open(ctx, "/d/f", sdk.ReadOnly, 0); err == nil {
						n, _ := f.Read(ctx, h, buf, 0)
						if bytes.Contains(buf[:n], []byte("outside")) {
							leaked.Add(1)
						}
						f.Release(ctx, h)
					}
					if h, err := f.OpenDir(ctx, "/d"); err == nil {
						f.ReadDir(ctx, h, 0, 10)
						f.Release(ctx, h)
					}
				case 1:
					if h, _, err := f.Open(ctx, "/d/f", sdk.WriteOnly|sdk.Create|sdk.Truncate, 0o666); err == nil {
						f.Write(ctx, h, []byte("written"), 0)
						f.Release(ctx, h)
					}
					f.Setattr(ctx, "/d/f", 0, sdk.SetAttr{Valid: sdk.SetMode | sdk.SetSize | sdk.SetMtimeNow, Mode: 0o777})
					f.Unlink(ctx, "/d/f")
				case 2:
					f.Link(ctx, "/d/f", "/linked")
					f.Unlink(ctx, "/linked")
					f.Rename(ctx, "/d/f", "/renamed", 0)
					f.Mkdir(ctx, "/d/sub", 0o777)
					f.Symlink(ctx, "x", "/d/sl")
					if x, ok := any(f).(sdk.Xattrer); ok {
						x.SetXattr(ctx, "/d/f", "user.race", []byte("1"), 0)
					}
				}
			}
		}()
	}
	ops.Wait()
	stop.Store(true)
	wg.Wait()
	if n := leaked.Load(); n > 0 {
		t.Errorf("read the outside file's content %d times", n)
	}
	out.check(t)
}

// TestDirSwappedBetweenCalls: a directory handle keeps listing the
// directory it opened after the name is swapped for a symlink to the
// outside, and path calls through the new symlink fail.
func TestDirSwappedBetweenCalls(t *testing.T) {
	out := newSentinel(t)
	root := t.TempDir()
	f, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close(context.Background())
	ctx := context.Background()
	d := filepath.Join(root, "d")
	os.Mkdir(d, 0o755)
	os.WriteFile(filepath.Join(d, "mine"), nil, 0o644)
	h, err := f.OpenDir(ctx, "/d")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release(ctx, h)
	os.Rename(d, filepath.Join(root, "old"))
	if err := os.Symlink(out.dir, d); err != nil {
		t.Fatal(err)
	}
	ents, err := f.ReadDir(ctx, h, 0, 10)
	if err != nil || len(ents) != 1 || ents[0].Name != "mine" {
		t.Errorf("ReadDir after swap = %v, %v; want [mine]", ents, err)
	}
	if _, err := f.Stat(ctx, "/d/f"); err == nil {
		t.Error("Stat(/d/f) followed the swapped-in symlink")
	}
	if _, err := f.Setattr(ctx, "/d/f", 0, sdk.SetAttr{Valid: sdk.SetMode, Mode: 0o777}); err == nil {
		t.Error("Setattr(/d/f) followed the swapped-in symlink")
	}
	out.check(t)
}
