package fstest

import (
	"io/fs"
	"slices"
	"testing"

	"github.com/plugfs/plugfs/sdk"
)

// rename renames and fails the test on error.
func (e *env) rename(from, to string, flags sdk.RenameFlags) {
	e.t.Helper()
	e.ok(e.renamer().Rename(e.ctx, from, to, flags), "Rename(%s, %s, %#x)", from, to, flags)
}

// TestRenameFile: a file moves to a free name, in the same or another
// directory, keeping its content and identity.
func (s *Suite) TestRenameFile(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fRename) {
		return
	}
	e.create("/a", []byte("A"))
	ino := e.stat("/a").Ino
	e.rename("/a", "/b", 0)
	e.gone("/a")
	e.wantContent("/b", []byte("A"))
	if e.feat.StableIno && e.stat("/b").Ino != ino {
		t.Errorf("rename changed Ino (StableIno)")
	}
	e.rename("/b", "/b", 0)
	e.wantContent("/b", []byte("A"))
	e.is(e.renamer().Rename(e.ctx, "/missing", "/c", 0), sdk.ErrNotExist, "Rename(/missing, /c)")
	e.is(e.renamer().Rename(e.ctx, "/b", "/missing/c", 0), sdk.ErrNotExist, "Rename(/b, /missing/c)")
	if e.has(fMkdir) {
		e.mkdir("/d")
		e.rename("/b", "/d/c", 0)
		e.gone("/b")
		e.wantContent("/d/c", []byte("A"))
		if got := names(e.list("/", 10)); !slices.Equal(got, []string{"d"}) {
			t.Errorf("/ lists %v after moving /b away, want [d]", got)
		}
	}
}

// TestRenameOverFile: renaming onto a file replaces it atomically.
func (s *Suite) TestRenameOverFile(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fRename) {
		return
	}
	e.create("/a", []byte("A"))
	e.create("/b", []byte("BB"))
	e.rename("/a", "/b", 0)
	e.gone("/a")
	e.wantContent("/b", []byte("A"))
	if got := names(e.list("/", 10)); !slices.Equal(got, []string{"b"}) {
		t.Errorf("/ lists %v, want [b]", got)
	}
}

// TestRenameDirs: the replace rules for directories: a directory replaces
// an empty directory only; file over directory is ErrIsDir, directory over
// file ErrNotDir; a directory cannot move into itself.
func (s *Suite) TestRenameDirs(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fRename, fMkdir) {
		return
	}
	e.mkdir("/d1")
	e.create("/d1/f", []byte("in d1"))
	e.mkdir("/d2")
	e.mkdir("/full")
	e.create("/full/x", nil)
	e.create("/file", []byte("file"))

	e.is(e.renamer().Rename(e.ctx, "/d1", "/full", 0), sdk.ErrNotEmpty, "Rename(dir, non-empty dir)")
	e.wantContent("/d1/f", []byte("in d1"))
	e.stat("/full/x")
	e.is(e.renamer().Rename(e.ctx, "/file", "/d2", 0), sdk.ErrIsDir, "Rename(file, dir)")
	e.is(e.renamer().Rename(e.ctx, "/d2", "/file", 0), sdk.ErrNotDir, "Rename(dir, file)")
	e.wantContent("/file", []byte("file"))
	e.mkdir("/d1/sub")
	e.is(e.renamer().Rename(e.ctx, "/d1", "/d1/sub/x", 0), sdk.ErrInvalid, "Rename(/d1, /d1/sub/x) into itself")
	e.is(e.renamer().Rename(e.ctx, "/d1", "/d1/x", 0), sdk.ErrInvalid, "Rename(/d1, /d1/x) into itself")
	e.stat("/d1/sub")

	e.rename("/d1", "/d2", 0)
	e.gone("/d1")
	e.wantContent("/d2/f", []byte("in d1"))
	if got := names(e.list("/d2", 10)); !slices.Equal(got, []string{"f", "sub"}) {
		t.Errorf("/d2 lists %v after replacing it with /d1, want [f sub]", got)
	}
	e.rename("/d2/sub", "/moved", 0)
	e.stat("/moved")
	e.gone("/d2/sub")
}

// TestRenameOpenHandle: a handle keeps working on the file after it moved.
func (s *Suite) TestRenameOpenHandle(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fRename) {
		return
	}
	e.create("/a", []byte("abc"))
	h := e.open("/a", sdk.ReadWrite)
	e.rename("/a", "/b", 0)
	e.write(h, []byte("def"), 3)
	if got := e.readAt(h, 0, 10); string(got) != "abcdef" {
		t.Errorf("read through a handle after rename = %q", got)
	}
	e.release(h)
	e.wantContent("/b", []byte("abcdef"))
}

// TestRenameNoReplace: with RenameNoReplace an existing target is
// ErrExist and nothing changes.
func (s *Suite) TestRenameNoReplace(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fRename) {
		return
	}
	if !e.feat.RenameNoReplace {
		t.Logf("fstest: RenameNoReplace not declared, so the host never passes it")
		return
	}
	e.create("/a", []byte("A"))
	e.create("/b", []byte("B"))
	e.is(e.renamer().Rename(e.ctx, "/a", "/b", sdk.RenameNoReplace), sdk.ErrExist, "Rename(/a, /b, NoReplace)")
	e.wantContent("/a", []byte("A"))
	e.wantContent("/b", []byte("B"))
	e.rename("/a", "/c", sdk.RenameNoReplace)
	e.gone("/a")
	e.wantContent("/c", []byte("A"))
}

// TestRenameExchange: RenameExchange swaps two existing names, of any
// types.
func (s *Suite) TestRenameExchange(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fRename) {
		return
	}
	if !e.feat.RenameExchange {
		t.Logf("fstest: RenameExchange not declared, so the host never passes it")
		return
	}
	e.create("/a", []byte("A"))
	e.create("/b", []byte("B"))
	e.rename("/a", "/b", sdk.RenameExchange)
	e.wantContent("/a", []byte("B"))
	e.wantContent("/b", []byte("A"))
	e.is(e.renamer().Rename(e.ctx, "/a", "/missing", sdk.RenameExchange), sdk.ErrNotExist, "Rename(/a, /missing, Exchange)")
	e.wantContent("/a", []byte("B"))
	if e.has(fMkdir) {
		e.mkdir("/d")
		e.create("/d/x", []byte("X"))
		e.rename("/a", "/d", sdk.RenameExchange)
		e.wantType("/a after exchange with a directory", e.stat("/a").Mode, fs.ModeDir)
		e.wantContent("/a/x", []byte("X"))
		e.wantContent("/d", []byte("B"))
	}
}
