package fstest

import (
	"bytes"
	"io/fs"
	"testing"

	"github.com/plugfs/plugfs/sdk"
)

// TestOpenCreate: Create makes a regular file with the mode asked for, and
// opens an existing file without touching it.
func (s *Suite) TestOpenCreate(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	h, a, err := e.fs.Open(e.ctx, "/f", sdk.Create|sdk.ReadWrite, 0o640)
	e.ok(err, "Open(/f, Create)")
	e.wantType("Open(Create) attr", a.Mode, 0)
	if a.Size != 0 || a.Mode.Perm() != 0o640 {
		t.Errorf("Open(/f, Create, 0640) attr size %d mode %v, want 0 and -rw-r-----", a.Size, a.Mode)
	}
	e.write(h, []byte("hello"), 0)
	e.release(h)
	if st := e.stat("/f"); st.Mode.Perm() != 0o640 || !st.Mode.IsRegular() || st.Size != 5 {
		t.Errorf("Stat(/f) = mode %v size %d, want -rw-r----- and 5", st.Mode, st.Size)
	}
	h, a, err = e.fs.Open(e.ctx, "/f", sdk.Create|sdk.ReadWrite, 0o600)
	e.ok(err, "Open(/f, Create) of an existing file")
	e.release(h)
	if a.Size != 5 || a.Mode.Perm() != 0o640 {
		t.Errorf("Open(Create) of an existing file changed it: size %d mode %v", a.Size, a.Mode)
	}
	e.wantContent("/f", []byte("hello"))
	_, _, err = e.fs.Open(e.ctx, "/missing/f", sdk.Create|sdk.ReadWrite, 0o644)
	e.is(err, sdk.ErrNotExist, "Open(/missing/f, Create)")
}

// TestOpenExclusive: Create|Exclusive fails with ErrExist on any existing
// name.
func (s *Suite) TestOpenExclusive(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	e.create("/f", []byte("keep"))
	_, _, err := e.fs.Open(e.ctx, "/f", sdk.Create|sdk.Exclusive|sdk.ReadWrite, 0o644)
	e.is(err, sdk.ErrExist, "Open(/f, Create|Exclusive) of an existing file")
	e.wantContent("/f", []byte("keep"))
	_, _, err = e.fs.Open(e.ctx, "/", sdk.Create|sdk.Exclusive|sdk.ReadWrite, 0o644)
	if err == nil {
		t.Errorf("Open(/, Create|Exclusive) succeeded")
	}
}

// TestOpenTruncate: Truncate empties the file; Open returns the attributes
// after it.
func (s *Suite) TestOpenTruncate(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	e.create("/f", []byte("some content"))
	h, a, err := e.fs.Open(e.ctx, "/f", sdk.ReadWrite|sdk.Truncate, 0)
	e.ok(err, "Open(/f, Truncate)")
	if a.Size != 0 {
		t.Errorf("Open(Truncate) attr size = %d, want 0", a.Size)
	}
	if n, err := e.fs.Read(e.ctx, h, make([]byte, 8), 0); n != 0 || err != nil {
		t.Errorf("Read after Truncate = %d, %v, want 0, nil", n, err)
	}
	e.write(h, []byte("ab"), 0)
	e.release(h)
	e.wantContent("/f", []byte("ab"))
}

// TestOpenAppend: writes through an Append handle go to end of file,
// whatever offset they name.
func (s *Suite) TestOpenAppend(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	e.create("/f", []byte("abc"))
	h := e.open("/f", sdk.WriteOnly|sdk.Append)
	e.write(h, []byte("def"), 0)
	e.write(h, []byte("g"), 1)
	e.release(h)
	e.wantContent("/f", []byte("abcdefg"))
}

// TestOpenDirForWrite: a directory cannot be opened for writing.
func (s *Suite) TestOpenDirForWrite(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	dirs := []string{"/"}
	if e.has(fMkdir) {
		e.mkdir("/d")
		dirs = append(dirs, "/d")
	}
	for _, p := range dirs {
		for _, fl := range []sdk.OpenFlags{sdk.WriteOnly, sdk.ReadWrite, sdk.ReadWrite | sdk.Create} {
			_, _, err := e.fs.Open(e.ctx, p, fl, 0o644)
			e.is(err, sdk.ErrIsDir, "Open(%s, %#x) of a directory", p, fl)
		}
	}
}

// TestReadShortOnlyAtEOF: reads are full except at end of file, and 0, nil
// at or past it.
func (s *Suite) TestReadShortOnlyAtEOF(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	data := pattern(10000, 1)
	e.create("/f", data)
	h := e.open("/f", sdk.ReadOnly)
	defer e.release(h)
	cases := []struct {
		off  int64
		size int
		want int
	}{{0, 4096, 4096}, {4096, 4096, 4096}, {8192, 4096, 1808}, {9999, 1, 1}, {9999, 100, 1}, {10000, 10, 0}, {20000, 10, 0}, {1 << 40, 10, 0}}
	for _, c := range cases {
		buf := make([]byte, c.size)
		n, err := e.fs.Read(e.ctx, h, buf, c.off)
		if err != nil || n != c.want {
			t.Errorf("Read(%d at %d) of a 10000-byte file = %d, %v, want %d, nil", c.size, c.off, n, err, c.want)
			continue
		}
		if n > 0 && !bytes.Equal(buf[:n], data[c.off:c.off+int64(n)]) {
			t.Errorf("Read(%d at %d) returned the wrong bytes", c.size, c.off)
		}
	}
	if got := e.readAt(h, 0, 20000); !bytes.Equal(got, data) {
		t.Errorf("reading the whole file gave %d bytes, want the 10000 written", len(got))
	}
}

// TestReadHoles: bytes never written read as zeros.
func (s *Suite) TestReadHoles(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	const off = 300001
	e.create("/f", nil)
	h := e.open("/f", sdk.ReadWrite)
	defer e.release(h)
	e.write(h, []byte("x"), off)
	e.write(h, []byte("y"), 3)
	if a := e.stat("/f"); a.Size != off+1 {
		t.Errorf("size after writing at %d = %d", off, a.Size)
	}
	want := make([]byte, off+1)
	want[3], want[off] = 'y', 'x'
	if got := e.readAt(h, 0, off+100); !bytes.Equal(got, want) {
		t.Errorf("a file with holes reads wrong (%d bytes read, want %d, holes must be zeros)", len(got), len(want))
	}
}

// TestReadLargeOffset: offsets beyond 4 GiB (and writes across the 4 GiB
// boundary) work; the holes before them read as zeros.
func (s *Suite) TestReadLargeOffset(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	const g4, g5 = int64(4) << 30, int64(5) << 30
	e.create("/big", nil)
	h := e.open("/big", sdk.ReadWrite)
	defer e.release(h)
	e.write(h, []byte("abcd"), g4-2)
	e.write(h, []byte("hello"), g5)
	if a := e.stat("/big"); a.Size != uint64(g5+5) {
		t.Errorf("size = %d, want %d", a.Size, g5+5)
	}
	for _, c := range []struct {
		off  int64
		n    int
		want []byte
	}{
		{g4 - 4, 8, []byte("\x00\x00abcd\x00\x00")},
		{g4 + 4096, 16, make([]byte, 16)},
		{g5, 5, []byte("hello")},
		{g5 + 3, 100, []byte("lo")},
		{g5 + 5, 10, nil},
	} {
		got := e.readAt(h, c.off, c.n)
		if !bytes.Equal(got, c.want) {
			t.Errorf("Read(%d at %d) = %q, want %q", c.n, c.off, got, c.want)
		}
	}
}

// TestWriteOverwrite: writes replace exactly the bytes they cover, also in
// the largest piece the backend takes.
func (s *Suite) TestWriteOverwrite(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	size := int(min(e.feat.MaxIO, 1<<20))
	want := pattern(size, 3)
	e.create("/f", want)
	h := e.open("/f", sdk.ReadWrite)
	patch := pattern(1000, 9)
	e.write(h, patch, 12345)
	copy(want[12345:], patch)
	e.write(h, []byte("tail"), int64(size-2))
	want = append(want[:size-2], "tail"...)
	e.release(h)
	e.wantContent("/f", want)
}

// TestOpenKinds: Open reports the attributes of what it opened.
func (s *Suite) TestOpenKinds(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	e.create("/f", []byte("12345"))
	h, a, err := e.fs.Open(e.ctx, "/f", sdk.ReadOnly, 0)
	e.ok(err, "Open(/f)")
	e.release(h)
	st := e.stat("/f")
	if a.Size != 5 || a.Mode != st.Mode || (e.feat.StableIno && a.Ino != st.Ino) {
		t.Errorf("Open attr = size %d mode %v ino %d; Stat says %d %v %d", a.Size, a.Mode, a.Ino, st.Size, st.Mode, st.Ino)
	}
	e.wantType("Stat(/f)", st.Mode, fs.FileMode(0))
}
