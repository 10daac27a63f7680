package fstest

import (
	"bytes"
	"io/fs"
	"testing"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// setattr applies a to p and fails the test on error.
func (e *env) setattr(p string, h sdk.Handle, a sdk.SetAttr) sdk.Attr {
	e.t.Helper()
	got, err := e.setattrer().Setattr(e.ctx, p, h, a)
	e.ok(err, "Setattr(%s, valid %#x)", p, a.Valid)
	return got
}

// TestSetattrMode: chmod changes permission bits, setuid, setgid and
// sticky, and never the type.
func (s *Suite) TestSetattrMode(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fSetattr) {
		return
	}
	e.create("/f", nil)
	for _, m := range []fs.FileMode{0o600, 0o755 | fs.ModeSetuid, 0o750 | fs.ModeSetgid, 0} {
		a := e.setattr("/f", 0, sdk.SetAttr{Valid: sdk.SetMode, Mode: m})
		st := e.stat("/f")
		for what, got := range map[string]fs.FileMode{"returned": a.Mode, "Stat": st.Mode} {
			if sdk.PermMode(got) != m || !got.IsRegular() {
				t.Errorf("chmod %v: %s mode = %v", m, what, got)
			}
		}
	}
	if e.has(fMkdir) {
		e.mkdir("/d")
		e.setattr("/d", 0, sdk.SetAttr{Valid: sdk.SetMode, Mode: 0o777 | fs.ModeSticky})
		if st := e.stat("/d"); !st.Mode.IsDir() || sdk.PermMode(st.Mode) != 0o777|fs.ModeSticky {
			t.Errorf("chmod 1777 of a directory: mode = %v", st.Mode)
		}
	}
}

// TestSetattrOwner: chown sets uid and gid independently.
func (s *Suite) TestSetattrOwner(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fSetattr) {
		return
	}
	e.create("/f", nil)
	if e.opt.NoOwnership {
		_, err := e.setattrer().Setattr(e.ctx, "/f", 0, sdk.SetAttr{Valid: sdk.SetUid | sdk.SetGid, Uid: 4242, Gid: 4343})
		t.Logf("chown on a backend without ownership: %v", err)
		return
	}
	a := e.setattr("/f", 0, sdk.SetAttr{Valid: sdk.SetUid | sdk.SetGid, Uid: 4242, Gid: 4343})
	if a.Uid != 4242 || a.Gid != 4343 {
		t.Errorf("chown 4242:4343 returned %d:%d", a.Uid, a.Gid)
	}
	e.setattr("/f", 0, sdk.SetAttr{Valid: sdk.SetUid, Uid: 5151, Gid: 1})
	if st := e.stat("/f"); st.Uid != 5151 || st.Gid != 4343 {
		t.Errorf("chown of the uid alone: owner = %d:%d, want 5151:4343", st.Uid, st.Gid)
	}
	e.setattr("/f", 0, sdk.SetAttr{Valid: sdk.SetGid, Uid: 1, Gid: 6161})
	if st := e.stat("/f"); st.Uid != 5151 || st.Gid != 6161 {
		t.Errorf("chown of the gid alone: owner = %d:%d, want 5151:6161", st.Uid, st.Gid)
	}
}

// TestSetattrSize: truncation shrinks and grows; bytes cut off and then
// regrown read as zeros.
func (s *Suite) TestSetattrSize(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fSetattr) {
		return
	}
	e.create("/f", []byte("0123456789"))
	if a := e.setattr("/f", 0, sdk.SetAttr{Valid: sdk.SetSize, Size: 4}); a.Size != 4 {
		t.Errorf("truncate to 4 returned size %d", a.Size)
	}
	e.wantContent("/f", []byte("0123"))
	e.setattr("/f", 0, sdk.SetAttr{Valid: sdk.SetSize, Size: 20})
	e.wantContent("/f", append([]byte("0123"), make([]byte, 16)...))

	// Through a handle, as ftruncate does, to a size past a hole.
	h := e.open("/f", sdk.ReadWrite)
	const big = 3<<20 + 7
	e.setattr("/f", h, sdk.SetAttr{Valid: sdk.SetSize, Size: big})
	if got := e.readAt(h, big-10, 100); !bytes.Equal(got, make([]byte, 10)) {
		t.Errorf("the end of a file grown by truncate = %q, want 10 zeros", got)
	}
	e.setattr("/f", h, sdk.SetAttr{Valid: sdk.SetSize, Size: 0})
	e.release(h)
	if st := e.stat("/f"); st.Size != 0 {
		t.Errorf("size after truncate to 0 = %d", st.Size)
	}
	if e.has(fMkdir) {
		e.mkdir("/d")
		_, err := e.setattrer().Setattr(e.ctx, "/d", 0, sdk.SetAttr{Valid: sdk.SetSize, Size: 0})
		e.is(err, sdk.ErrIsDir, "truncate of a directory")
	}
}

// TestSetattrTimes: atime and mtime take explicit values and the current
// time.
func (s *Suite) TestSetattrTimes(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fSetattr) {
		return
	}
	e.create("/f", nil)
	at := time.Date(2001, 9, 9, 1, 46, 40, 123456789, time.UTC)
	mt := time.Date(2011, 3, 4, 5, 6, 7, 987654321, time.UTC)
	e.setattr("/f", 0, sdk.SetAttr{Valid: sdk.SetAtime | sdk.SetMtime, Atime: at, Mtime: mt})
	st := e.stat("/f")
	if !sameTime(st.Atime, at, e.gran()) || !sameTime(st.Mtime, mt, e.gran()) {
		t.Errorf("utimes(%v, %v): Stat says atime %v mtime %v", at, mt, st.Atime, st.Mtime)
	}
	e.setattr("/f", 0, sdk.SetAttr{Valid: sdk.SetMtime, Mtime: at})
	if st := e.stat("/f"); !sameTime(st.Mtime, at, e.gran()) || !sameTime(st.Atime, at, e.gran()) {
		t.Errorf("setting mtime alone: atime %v mtime %v, want both %v", st.Atime, st.Mtime, at)
	}

	before := time.Now()
	e.setattr("/f", 0, sdk.SetAttr{Valid: sdk.SetAtimeNow | sdk.SetMtimeNow, Atime: at, Mtime: at})
	after := time.Now()
	st = e.stat("/f")
	for what, got := range map[string]time.Time{"atime": st.Atime, "mtime": st.Mtime} {
		if !e.within(got, before, after) {
			t.Errorf("utimes(now): %s = %v, want between %v and %v", what, got, before, after)
		}
	}
}

// within reports whether tm lies in [lo, hi], allowing for granularity and
// a second of clock difference with a remote backend.
func (e *env) within(tm, lo, hi time.Time) bool {
	slack := e.gran() + time.Second
	return !tm.Before(lo.Add(-slack)) && !tm.After(hi.Add(slack))
}

// TestSetattrCtime: every attribute change moves ctime; chmod does not
// move mtime.
func (s *Suite) TestSetattrCtime(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite, fSetattr) {
		return
	}
	e.create("/f", nil)
	st := e.stat("/f")
	e.tick()
	a := e.setattr("/f", 0, sdk.SetAttr{Valid: sdk.SetMode, Mode: 0o600})
	st2 := e.stat("/f")
	if !st2.Ctime.After(st.Ctime) || !a.Ctime.After(st.Ctime) {
		t.Errorf("chmod did not move ctime: %v, then %v (returned %v)", st.Ctime, st2.Ctime, a.Ctime)
	}
	if !st2.Mtime.Equal(st.Mtime) {
		t.Errorf("chmod moved mtime from %v to %v", st.Mtime, st2.Mtime)
	}
	e.tick()
	e.setattr("/f", 0, sdk.SetAttr{Valid: sdk.SetMtime, Mtime: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)})
	if st3 := e.stat("/f"); !st3.Ctime.After(st2.Ctime) {
		t.Errorf("setting mtime did not move ctime: %v, then %v", st2.Ctime, st3.Ctime)
	}
}

// TestWriteTimes: a write moves mtime and ctime; truncation moves mtime.
func (s *Suite) TestWriteTimes(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	e.create("/f", []byte("x"))
	st := e.stat("/f")
	e.tick()
	h := e.open("/f", sdk.ReadWrite)
	e.write(h, []byte("y"), 1)
	e.release(h)
	st2 := e.stat("/f")
	if !st2.Mtime.After(st.Mtime) || !st2.Ctime.After(st.Ctime) {
		t.Errorf("write did not move mtime/ctime: mtime %v then %v, ctime %v then %v", st.Mtime, st2.Mtime, st.Ctime, st2.Ctime)
	}
	if e.has(fSetattr) {
		e.tick()
		e.setattr("/f", 0, sdk.SetAttr{Valid: sdk.SetSize, Size: 1})
		if st3 := e.stat("/f"); !st3.Mtime.After(st2.Mtime) {
			t.Errorf("truncate did not move mtime: %v then %v", st2.Mtime, st3.Mtime)
		}
	}
}

// TestDirTimes: creating and removing names moves the directory's mtime
// and ctime.
func (s *Suite) TestDirTimes(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	dir := "/"
	if e.has(fMkdir) {
		e.mkdir("/d")
		dir = "/d/"
	}
	moved := func(what string, f func()) {
		t.Helper()
		d := dir
		if d != "/" {
			d = d[:len(d)-1]
		}
		before := e.stat(d)
		e.tick()
		f()
		after := e.stat(d)
		if !after.Mtime.After(before.Mtime) || !after.Ctime.After(before.Ctime) {
			t.Errorf("%s did not move the directory's mtime/ctime: mtime %v then %v, ctime %v then %v",
				what, before.Mtime, after.Mtime, before.Ctime, after.Ctime)
		}
	}
	moved("create", func() { e.create(dir+"f", nil) })
	if e.has(fMkdir) {
		moved("mkdir", func() { e.mkdir(dir + "sub") })
	}
	if e.has(fRename) {
		moved("rename", func() { e.ok(e.renamer().Rename(e.ctx, dir+"f", dir+"g", 0), "Rename") })
		if e.has(fRemove) {
			moved("unlink", func() { e.ok(e.remover().Unlink(e.ctx, dir+"g"), "Unlink") })
		}
	} else if e.has(fRemove) {
		moved("unlink", func() { e.ok(e.remover().Unlink(e.ctx, dir+"f"), "Unlink") })
	}
}
