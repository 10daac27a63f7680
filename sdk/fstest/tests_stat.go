package fstest

import (
	"fmt"
	"io/fs"
	"slices"
	"testing"

	"github.com/plugfs/plugfs/sdk"
)

// TestRootIsEmptyDir: a fresh file system is an empty root directory.
func (s *Suite) TestRootIsEmptyDir(t *testing.T) {
	e := s.env(t)
	a := e.stat("/")
	e.wantType("Stat(/)", a.Mode, fs.ModeDir)
	if ents := e.list("/", 16); len(ents) != 0 {
		t.Errorf("fresh root lists %v, want nothing", names(ents))
	}
}

// TestStatNotExist: missing names and names below them are ErrNotExist.
func (s *Suite) TestStatNotExist(t *testing.T) {
	e := s.env(t)
	for _, p := range []string{"/missing", "/missing/below"} {
		_, err := e.fs.Stat(e.ctx, p)
		e.is(err, sdk.ErrNotExist, "Stat(%s)", p)
	}
	_, err := e.fs.OpenDir(e.ctx, "/missing")
	e.is(err, sdk.ErrNotExist, "OpenDir(/missing)")
	_, _, err = e.fs.Open(e.ctx, "/missing", sdk.ReadOnly, 0)
	e.is(err, sdk.ErrNotExist, "Open(/missing, ReadOnly)")
}

// TestStatNotDir: a path through a file is ErrNotDir; a file cannot be
// listed.
func (s *Suite) TestStatNotDir(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	e.create("/f", []byte("x"))
	_, err := e.fs.Stat(e.ctx, "/f/x")
	e.is(err, sdk.ErrNotDir, "Stat(/f/x) with /f a file")
	_, err = e.fs.OpenDir(e.ctx, "/f")
	e.is(err, sdk.ErrNotDir, "OpenDir(/f) of a file")
	_, _, err = e.fs.Open(e.ctx, "/f/x", sdk.Create|sdk.ReadWrite, 0o644)
	e.is(err, sdk.ErrNotDir, "Open(/f/x, Create) with /f a file")
}

// TestStatIsLstat: Stat does not follow a final symbolic link.
func (s *Suite) TestStatIsLstat(t *testing.T) {
	e := s.env(t)
	if !e.has(fSymlink) {
		return
	}
	for _, target := range []string{"/", "nowhere/at/all"} {
		p := "/link-" + fmt.Sprint(len(target))
		_, err := e.symlinker().Symlink(e.ctx, target, p)
		e.ok(err, "Symlink(%s, %s)", target, p)
		a := e.stat(p)
		e.wantType("Stat("+p+")", a.Mode, fs.ModeSymlink)
		if a.Size != uint64(len(target)) {
			t.Errorf("Stat(%s).Size = %d, want the target's length %d", p, a.Size, len(target))
		}
	}
}

// TestReadDirPagination: listings in small pages give every entry once,
// with its type, and cookies resume after the entry they belong to.
func (s *Suite) TestReadDirPagination(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	var want []string
	for i := range 23 {
		p := fmt.Sprintf("f%02d", i)
		e.create("/"+p, nil)
		want = append(want, p)
	}
	if e.has(fMkdir) {
		e.mkdir("/sub")
		want = append(want, "sub")
	}
	slices.Sort(want)
	full := e.list("/", 1000)
	for _, max := range []int{1, 2, 7} {
		got := e.list("/", max)
		if !slices.Equal(names(got), want) {
			t.Errorf("listing with max %d = %v, want %v", max, names(got), want)
		}
	}
	for _, d := range full {
		a := e.stat("/" + d.Name)
		e.wantType("entry "+d.Name, d.Mode, a.Mode)
		if d.Attr != nil {
			e.wantType("entry "+d.Name+" Attr", d.Attr.Mode, a.Mode)
			if d.Attr.Size != a.Size {
				t.Errorf("entry %s Attr.Size = %d, Stat says %d", d.Name, d.Attr.Size, a.Size)
			}
		}
		if e.feat.StableIno && d.Ino != 0 && d.Ino != a.Ino {
			t.Errorf("entry %s Ino = %d, Stat says %d (StableIno)", d.Name, d.Ino, a.Ino)
		}
	}

	// Resume from every cookie on one handle, in a scrambled order.
	h, err := e.fs.OpenDir(e.ctx, "/")
	e.ok(err, "OpenDir(/)")
	defer e.release(h)
	for _, k := range []int{5, 0, len(full) - 2, 3, len(full) - 1} {
		ents, err := e.fs.ReadDir(e.ctx, h, full[k].Cookie, 3)
		e.ok(err, "ReadDir(cookie of %s)", full[k].Name)
		wantNext := full[k+1 : min(k+4, len(full))]
		if !slices.Equal(names(ents), names(wantNext)) {
			t.Errorf("ReadDir after %s = %v, want %v", full[k].Name, names(ents), names(wantNext))
		}
	}
	ents, err := e.fs.ReadDir(e.ctx, h, full[len(full)-1].Cookie, 3)
	if err != nil || len(ents) != 0 {
		t.Errorf("ReadDir after the last entry = %v, %v; want nothing again", names(ents), err)
	}
}

// TestReadDirStableWhileChanging: entries neither added nor removed during
// a listing appear exactly once, while other names come and go.
func (s *Suite) TestReadDirStableWhileChanging(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fRemove) {
		return
	}
	const keep, drop = 40, 30
	for i := range keep {
		e.create(fmt.Sprintf("/keep-%02d", i), nil)
	}
	for i := range drop {
		e.create(fmt.Sprintf("/drop-%02d", i), nil)
	}
	h, err := e.fs.OpenDir(e.ctx, "/")
	e.ok(err, "OpenDir(/)")
	defer e.release(h)
	seen := map[string]int{}
	var cookie uint64
	added, dropped := 0, 0
	for page := 0; ; page++ {
		if page > 10000 {
			t.Fatalf("listing never ended (cookie %d, %d added, %d dropped, %d seen)", cookie, added, dropped, len(seen))
		}
		ents, err := e.fs.ReadDir(e.ctx, h, cookie, 4)
		e.ok(err, "ReadDir(cookie %d)", cookie)
		if len(ents) == 0 {
			break
		}
		for _, d := range ents {
			seen[d.Name]++
		}
		cookie = ents[len(ents)-1].Cookie
		if page < 20 {
			for range 2 {
				e.create(fmt.Sprintf("/new-%03d", added), nil)
				added++
			}
		}
		if dropped < drop {
			// Alternate between the ends, so both listed and unlisted
			// names disappear.
			i := dropped / 2
			if dropped%2 == 1 {
				i = drop - 1 - i
			}
			e.ok(e.remover().Unlink(e.ctx, fmt.Sprintf("/drop-%02d", i)), "Unlink")
			dropped++
		}
	}
	for i := range keep {
		n := fmt.Sprintf("keep-%02d", i)
		if seen[n] != 1 {
			t.Errorf("%s listed %d times during changes, want exactly once", n, seen[n])
		}
	}
}
