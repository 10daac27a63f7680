package fstest

import (
	"errors"
	"slices"
	"testing"

	"github.com/plugfs/plugfs/sdk"
)

// TestMkdir: directories are made with their mode, once, inside existing
// directories only.
func (s *Suite) TestMkdir(t *testing.T) {
	e := s.env(t)
	if !e.has(fMkdir) {
		return
	}
	a, err := e.mkdirer().Mkdir(e.ctx, "/d", 0o750)
	e.ok(err, "Mkdir(/d, 0750)")
	if !a.Mode.IsDir() || a.Mode.Perm() != 0o750 {
		t.Errorf("Mkdir(/d, 0750) attr mode = %v", a.Mode)
	}
	if st := e.stat("/d"); !st.Mode.IsDir() || st.Mode.Perm() != 0o750 {
		t.Errorf("Stat(/d) mode = %v", st.Mode)
	}
	e.mkdir("/d/e")
	if got := names(e.list("/d", 10)); !slices.Equal(got, []string{"e"}) {
		t.Errorf("/d lists %v, want [e]", got)
	}
	_, err = e.mkdirer().Mkdir(e.ctx, "/d", 0o755)
	e.is(err, sdk.ErrExist, "Mkdir(/d) again")
	_, err = e.mkdirer().Mkdir(e.ctx, "/missing/d", 0o755)
	e.is(err, sdk.ErrNotExist, "Mkdir(/missing/d)")
	if e.has(fWrite) {
		e.create("/f", nil)
		_, err = e.mkdirer().Mkdir(e.ctx, "/f", 0o755)
		e.is(err, sdk.ErrExist, "Mkdir(/f) over a file")
		_, err = e.mkdirer().Mkdir(e.ctx, "/f/d", 0o755)
		e.is(err, sdk.ErrNotDir, "Mkdir(/f/d) below a file")
	}
}

// TestRmdir: only empty directories are removed by Rmdir, and only
// directories.
func (s *Suite) TestRmdir(t *testing.T) {
	e := s.env(t)
	if !e.has(fMkdir, fRemove) {
		return
	}
	e.mkdir("/d")
	e.mkdir("/d/e")
	e.is(e.remover().Rmdir(e.ctx, "/d"), sdk.ErrNotEmpty, "Rmdir(/d) with /d/e in it")
	e.stat("/d/e")
	e.ok(e.remover().Rmdir(e.ctx, "/d/e"), "Rmdir(/d/e)")
	e.gone("/d/e")
	e.ok(e.remover().Rmdir(e.ctx, "/d"), "Rmdir(/d) once empty")
	e.gone("/d")
	e.is(e.remover().Rmdir(e.ctx, "/d"), sdk.ErrNotExist, "Rmdir(/d) again")
	e.mkdir("/d")
	err := e.remover().Unlink(e.ctx, "/d")
	if !errors.Is(err, sdk.ErrIsDir) && !errors.Is(err, sdk.ErrNotPermitted) {
		t.Errorf("Unlink(/d) of a directory = %v, want ErrIsDir (or ErrNotPermitted)", err)
	}
	e.stat("/d")
	if e.has(fWrite) {
		e.create("/f", nil)
		e.is(e.remover().Rmdir(e.ctx, "/f"), sdk.ErrNotDir, "Rmdir(/f) of a file")
		e.stat("/f")
	}
}

// TestUnlink: Unlink removes a name once.
func (s *Suite) TestUnlink(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fRemove) {
		return
	}
	e.create("/f", []byte("x"))
	e.create("/g", nil)
	e.ok(e.remover().Unlink(e.ctx, "/f"), "Unlink(/f)")
	e.gone("/f")
	if got := names(e.list("/", 10)); !slices.Equal(got, []string{"g"}) {
		t.Errorf("after Unlink(/f), / lists %v, want [g]", got)
	}
	e.is(e.remover().Unlink(e.ctx, "/f"), sdk.ErrNotExist, "Unlink(/f) again")
	e.is(e.remover().Unlink(e.ctx, "/missing/f"), sdk.ErrNotExist, "Unlink(/missing/f)")
}

// TestUnlinkOpenHandle: a handle stays readable and writable after its
// file's name is gone.
func (s *Suite) TestUnlinkOpenHandle(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fRemove) {
		return
	}
	e.create("/f", []byte("hello"))
	h := e.open("/f", sdk.ReadWrite)
	e.ok(e.remover().Unlink(e.ctx, "/f"), "Unlink(/f)")
	e.gone("/f")
	if got := e.readAt(h, 0, 100); string(got) != "hello" {
		t.Errorf("read of an unlinked open file = %q, want hello", got)
	}
	e.write(h, []byte("HELLO world"), 0)
	if got := e.readAt(h, 0, 100); string(got) != "HELLO world" {
		t.Errorf("read after writing an unlinked open file = %q", got)
	}
	if e.has(fStatHandle) {
		a, err := e.fs.(sdk.HandleStater).StatHandle(e.ctx, h)
		e.ok(err, "StatHandle of an unlinked file")
		if a.Size != 11 || a.Nlink != 0 {
			t.Errorf("StatHandle of an unlinked file: size %d nlink %d, want 11 and 0", a.Size, a.Nlink)
		}
	}
	e.release(h)
	e.create("/f", nil)
	e.wantContent("/f", nil)
}
