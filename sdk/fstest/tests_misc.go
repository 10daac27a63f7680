package fstest

import (
	"io/fs"
	"slices"
	"testing"

	"github.com/plugfs/plugfs/sdk"
)

// TestFlushFsync: Flush and Fsync of an open file succeed.
func (s *Suite) TestFlushFsync(t *testing.T) {
	e := s.env(t)
	hasFlush, hasFsync := e.has(fFlush), e.has(fFsync)
	if !e.has(fWrite) {
		return
	}
	e.create("/f", nil)
	h := e.open("/f", sdk.ReadWrite)
	defer e.release(h)
	e.write(h, []byte("data"), 0)
	if hasFlush {
		e.ok(e.fs.(sdk.Flusher).Flush(e.ctx, h), "Flush")
		e.ok(e.fs.(sdk.Flusher).Flush(e.ctx, h), "Flush again (close of a dup)")
	}
	if hasFsync {
		e.ok(e.fs.(sdk.Fsyncer).Fsync(e.ctx, h, false), "Fsync")
		e.ok(e.fs.(sdk.Fsyncer).Fsync(e.ctx, h, true), "Fsync(dataOnly)")
	}
	if got := e.readAt(h, 0, 10); string(got) != "data" {
		t.Errorf("read after flush/fsync = %q", got)
	}
}

// TestStatfs: the capacity report is consistent.
func (s *Suite) TestStatfs(t *testing.T) {
	e := s.env(t)
	if !e.has(fStatfs) {
		return
	}
	st, err := e.fs.(sdk.Statfser).Statfs(e.ctx)
	e.ok(err, "Statfs")
	if st.BlockSize == 0 || st.NameMax == 0 {
		t.Errorf("Statfs = %+v: BlockSize and NameMax must be set", st)
	}
	if st.BlocksFree > st.Blocks || st.BlocksAvail > st.BlocksFree || st.FilesFree > st.Files {
		t.Errorf("Statfs = %+v: free counts exceed totals", st)
	}
}

// TestStatHandle: fstat of an open file reports what Stat does, and
// follows writes.
func (s *Suite) TestStatHandle(t *testing.T) {
	e := s.env(t)
	if !e.has(fStatHandle, fWrite) {
		return
	}
	e.create("/f", nil)
	h := e.open("/f", sdk.ReadWrite)
	defer e.release(h)
	e.write(h, pattern(100, 0), 0)
	a, err := e.fs.(sdk.HandleStater).StatHandle(e.ctx, h)
	e.ok(err, "StatHandle")
	st := e.stat("/f")
	if a.Size != 100 || !a.Mode.IsRegular() || a.Mode != st.Mode || a.Nlink != st.Nlink || (e.feat.StableIno && a.Ino != st.Ino) {
		t.Errorf("StatHandle = %+v, Stat = %+v", a, st)
	}
}

// TestXattr: extended attributes are set, read, listed and removed with
// the create/replace rules of setxattr(2).
func (s *Suite) TestXattr(t *testing.T) {
	e := s.env(t)
	if !e.has(fXattr) {
		return
	}
	paths := []string{"/"}
	if e.has(fWrite) {
		e.create("/f", nil)
		paths = append(paths, "/f")
	}
	x := e.fs.(sdk.Xattrer)
	for _, p := range paths {
		e.ok(x.SetXattr(e.ctx, p, "user.a", []byte("1"), 0), "SetXattr(%s, user.a)", p)
		e.ok(x.SetXattr(e.ctx, p, "user.empty", nil, 0), "SetXattr(%s, user.empty, empty value)", p)
		if v, err := x.GetXattr(e.ctx, p, "user.a"); err != nil || string(v) != "1" {
			t.Errorf("GetXattr(%s, user.a) = %q, %v", p, v, err)
		}
		if v, err := x.GetXattr(e.ctx, p, "user.empty"); err != nil || len(v) != 0 {
			t.Errorf("GetXattr(%s, user.empty) = %q, %v, want an empty value", p, v, err)
		}
		list, err := x.ListXattr(e.ctx, p)
		e.ok(err, "ListXattr(%s)", p)
		if !slices.Contains(list, "user.a") || !slices.Contains(list, "user.empty") {
			t.Errorf("ListXattr(%s) = %v, want user.a and user.empty", p, list)
		}
		e.is(x.SetXattr(e.ctx, p, "user.a", []byte("2"), sdk.XattrCreate), sdk.ErrExist, "SetXattr(XattrCreate) of an existing attribute")
		e.is(x.SetXattr(e.ctx, p, "user.b", []byte("2"), sdk.XattrReplace), sdk.ErrNoAttr, "SetXattr(XattrReplace) of a missing attribute")
		e.ok(x.SetXattr(e.ctx, p, "user.a", []byte("two"), sdk.XattrReplace), "SetXattr(XattrReplace) of an existing attribute")
		e.ok(x.SetXattr(e.ctx, p, "user.c", []byte("3"), sdk.XattrCreate), "SetXattr(XattrCreate) of a new attribute")
		if v, err := x.GetXattr(e.ctx, p, "user.a"); err != nil || string(v) != "two" {
			t.Errorf("GetXattr(%s, user.a) after replace = %q, %v", p, v, err)
		}
		_, err = x.GetXattr(e.ctx, p, "user.b")
		e.is(err, sdk.ErrNoAttr, "GetXattr of a missing attribute")
		e.ok(x.RemoveXattr(e.ctx, p, "user.a"), "RemoveXattr(%s, user.a)", p)
		_, err = x.GetXattr(e.ctx, p, "user.a")
		e.is(err, sdk.ErrNoAttr, "GetXattr after RemoveXattr")
		e.is(x.RemoveXattr(e.ctx, p, "user.a"), sdk.ErrNoAttr, "RemoveXattr of a missing attribute")
		list, err = x.ListXattr(e.ctx, p)
		e.ok(err, "ListXattr(%s)", p)
		if slices.Contains(list, "user.a") || !slices.Contains(list, "user.c") {
			t.Errorf("ListXattr(%s) after removing user.a = %v", p, list)
		}
	}
	_, err := x.GetXattr(e.ctx, "/missing", "user.a")
	e.is(err, sdk.ErrNotExist, "GetXattr(/missing)")
	e.is(x.SetXattr(e.ctx, "/missing", "user.a", nil, 0), sdk.ErrNotExist, "SetXattr(/missing)")
}

// TestCallerOwnsNewObjects: objects are owned by sdk.CallerFrom(ctx)
// (the group of a setgid parent directory wins, as on Unix).
func (s *Suite) TestCallerOwnsNewObjects(t *testing.T) {
	e := s.env(t)
	if e.opt.NoOwnership {
		t.Logf("fstest: owners not compared (Options.NoOwnership)")
		return
	}
	const uid, gid = 2001, 3001
	ctx := sdk.WithCaller(e.ctx, sdk.Caller{Uid: uid, Gid: gid, Pid: 1})
	root := e.stat("/")
	wantGid := uint32(gid)
	if root.Mode&fs.ModeSetgid != 0 {
		wantGid = root.Gid
	}
	var made []string
	if e.has(fWrite) {
		h, _, err := e.fs.Open(ctx, "/f", sdk.Create|sdk.Exclusive|sdk.ReadWrite, 0o644)
		e.ok(err, "Open(/f, Create) as %d:%d", uid, gid)
		e.release(h)
		made = append(made, "/f")
	}
	if e.has(fMkdir) {
		_, err := e.mkdirer().Mkdir(ctx, "/d", 0o755)
		e.ok(err, "Mkdir(/d) as %d:%d", uid, gid)
		made = append(made, "/d")
	}
	if e.has(fSymlink) {
		_, err := e.symlinker().Symlink(ctx, "t", "/l")
		e.ok(err, "Symlink(/l) as %d:%d", uid, gid)
		made = append(made, "/l")
	}
	if e.has(fMknod) {
		_, err := e.fs.(sdk.Mknoder).Mknod(ctx, "/p", fs.ModeNamedPipe|0o644, 0)
		e.ok(err, "Mknod(/p) as %d:%d", uid, gid)
		made = append(made, "/p")
	}
	for _, p := range made {
		if a := e.stat(p); a.Uid != uid || a.Gid != wantGid {
			t.Errorf("%s made by caller %d:%d is owned by %d:%d, want %d:%d", p, uid, gid, a.Uid, a.Gid, uid, wantGid)
		}
	}
}
