package fstest

import (
	"io/fs"
	"testing"

	"github.com/plugfs/plugfs/sdk"
)

// TestSymlink: a symbolic link stores its target verbatim, dangling or
// not, and takes a name only once.
func (s *Suite) TestSymlink(t *testing.T) {
	e := s.env(t)
	if !e.has(fSymlink) {
		return
	}
	const target = "../some/where else"
	a, err := e.symlinker().Symlink(e.ctx, target, "/l")
	e.ok(err, "Symlink")
	e.wantType("Symlink attr", a.Mode, fs.ModeSymlink)
	e.wantType("Stat(/l)", e.stat("/l").Mode, fs.ModeSymlink)
	if ents := e.list("/", 10); len(ents) != 1 || ents[0].Name != "l" || ents[0].Mode.Type() != fs.ModeSymlink {
		t.Errorf("/ lists %+v, want the link l", ents)
	}
	_, err = e.symlinker().Symlink(e.ctx, "x", "/l")
	e.is(err, sdk.ErrExist, "Symlink over an existing name")
	if e.has(fReadlink) {
		got, err := e.readlinker().Readlink(e.ctx, "/l")
		e.ok(err, "Readlink(/l)")
		if got != target {
			t.Errorf("Readlink(/l) = %q, want %q", got, target)
		}
	}
}

// TestReadlinkNotLink: Readlink of anything but a link is ErrInvalid, of
// nothing ErrNotExist.
func (s *Suite) TestReadlinkNotLink(t *testing.T) {
	e := s.env(t)
	if !e.has(fReadlink) {
		return
	}
	_, err := e.readlinker().Readlink(e.ctx, "/")
	e.is(err, sdk.ErrInvalid, "Readlink(/) of a directory")
	_, err = e.readlinker().Readlink(e.ctx, "/missing")
	e.is(err, sdk.ErrNotExist, "Readlink(/missing)")
	if e.has(fWrite) {
		e.create("/f", nil)
		_, err = e.readlinker().Readlink(e.ctx, "/f")
		e.is(err, sdk.ErrInvalid, "Readlink(/f) of a file")
	}
}

// TestLink: hard links share content and count each other; removing one
// name drops the count.
func (s *Suite) TestLink(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fLink) {
		return
	}
	e.create("/a", []byte("shared"))
	if n := e.stat("/a").Nlink; n != 1 {
		t.Errorf("a new file has nlink %d, want 1", n)
	}
	a, err := e.linker().Link(e.ctx, "/a", "/b")
	e.ok(err, "Link(/a, /b)")
	if a.Nlink != 2 {
		t.Errorf("Link returned nlink %d, want 2", a.Nlink)
	}
	sa, sb := e.stat("/a"), e.stat("/b")
	if sa.Nlink != 2 || sb.Nlink != 2 {
		t.Errorf("after Link: nlink %d and %d, want 2 and 2", sa.Nlink, sb.Nlink)
	}
	if e.feat.StableIno && (sa.Ino == 0 || sa.Ino != sb.Ino || a.Ino != sa.Ino) {
		t.Errorf("hard links have Ino %d and %d (Link returned %d), want one nonzero number (StableIno)", sa.Ino, sb.Ino, a.Ino)
	}
	h := e.open("/b", sdk.ReadWrite)
	e.write(h, []byte("SH"), 0)
	e.release(h)
	e.wantContent("/a", []byte("SHared"))
	_, err = e.linker().Link(e.ctx, "/a", "/b")
	e.is(err, sdk.ErrExist, "Link onto an existing name")
	_, err = e.linker().Link(e.ctx, "/missing", "/c")
	e.is(err, sdk.ErrNotExist, "Link(/missing, /c)")
	if e.has(fRemove) {
		e.ok(e.remover().Unlink(e.ctx, "/a"), "Unlink(/a)")
		if n := e.stat("/b").Nlink; n != 1 {
			t.Errorf("nlink after unlinking one of two names = %d, want 1", n)
		}
		e.wantContent("/b", []byte("SHared"))
	}
}

// TestLinkDir: directories cannot be hard-linked (ErrNotPermitted).
func (s *Suite) TestLinkDir(t *testing.T) {
	e := s.env(t)
	if !e.has(fLink) {
		return
	}
	dir := "/"
	if e.has(fMkdir) {
		e.mkdir("/d")
		dir = "/d"
	}
	_, err := e.linker().Link(e.ctx, dir, "/e")
	e.is(err, sdk.ErrNotPermitted, "Link(%s, /e) of a directory", dir)
	e.gone("/e")
}

// TestMknodFifo: named pipes are made with their type and mode.
func (s *Suite) TestMknodFifo(t *testing.T) {
	e := s.env(t)
	if !e.has(fMknod) {
		return
	}
	mk := e.fs.(sdk.Mknoder)
	a, err := mk.Mknod(e.ctx, "/p", fs.ModeNamedPipe|0o640, 0)
	e.ok(err, "Mknod(/p, fifo)")
	e.wantType("Mknod attr", a.Mode, fs.ModeNamedPipe)
	st := e.stat("/p")
	e.wantType("Stat(/p)", st.Mode, fs.ModeNamedPipe)
	if st.Mode.Perm() != 0o640 {
		t.Errorf("Stat(/p) mode = %v, want prw-r-----", st.Mode)
	}
	if ents := e.list("/", 10); len(ents) != 1 || ents[0].Mode.Type() != fs.ModeNamedPipe {
		t.Errorf("/ lists %+v, want the fifo p", ents)
	}
	_, err = mk.Mknod(e.ctx, "/p", fs.ModeNamedPipe|0o640, 0)
	e.is(err, sdk.ErrExist, "Mknod over an existing name")
}
