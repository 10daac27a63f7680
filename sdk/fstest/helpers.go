package fstest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"github.com/plugfs/plugfs/sdk"
)

// ok fails the test now if err is not nil.
func (e *env) ok(err error, format string, args ...any) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("%s: %v", fmt.Sprintf(format, args...), err)
	}
}

// is reports an error unless errors.Is(err, want).
func (e *env) is(err, want error, format string, args ...any) bool {
	e.t.Helper()
	if !errors.Is(err, want) {
		e.t.Errorf("%s = %v, want %v", fmt.Sprintf(format, args...), errString(err), want)
		return false
	}
	return true
}

// writer, setattrer, … return the optional interfaces; the caller has
// checked with has.
func (e *env) writer() sdk.Writer         { return e.fs.(sdk.Writer) }
func (e *env) setattrer() sdk.Setattrer   { return e.fs.(sdk.Setattrer) }
func (e *env) mkdirer() sdk.Mkdirer       { return e.fs.(sdk.Mkdirer) }
func (e *env) remover() sdk.Remover       { return e.fs.(sdk.Remover) }
func (e *env) renamer() sdk.Renamer       { return e.fs.(sdk.Renamer) }
func (e *env) symlinker() sdk.Symlinker   { return e.fs.(sdk.Symlinker) }
func (e *env) readlinker() sdk.Readlinker { return e.fs.(sdk.Readlinker) }
func (e *env) linker() sdk.Linker         { return e.fs.(sdk.Linker) }

// stat stats p and fails the test on error.
func (e *env) stat(p string) sdk.Attr {
	e.t.Helper()
	a, err := e.fs.Stat(e.ctx, p)
	e.ok(err, "Stat(%s)", p)
	return a
}

// open opens p with flags and fails the test on error.
func (e *env) open(p string, flags sdk.OpenFlags) sdk.Handle {
	e.t.Helper()
	h, _, err := e.fs.Open(e.ctx, p, flags, 0o644)
	e.ok(err, "Open(%s, %#x)", p, flags)
	return h
}

// release releases h and fails the test on error.
func (e *env) release(h sdk.Handle) {
	e.t.Helper()
	e.ok(e.fs.Release(e.ctx, h), "Release(%d)", h)
}

// create makes a new file p holding data.
func (e *env) create(p string, data []byte) {
	e.t.Helper()
	h, a, err := e.fs.Open(e.ctx, p, sdk.Create|sdk.Exclusive|sdk.ReadWrite, 0o644)
	e.ok(err, "Open(%s, Create|Exclusive)", p)
	if !a.Mode.IsRegular() {
		e.t.Errorf("Open(%s, Create) mode = %v, want a regular file", p, a.Mode)
	}
	if len(data) > 0 {
		e.write(h, data, 0)
	}
	e.release(h)
}

// write writes all of p at off through h, in MaxIO pieces.
func (e *env) write(h sdk.Handle, p []byte, off int64) {
	e.t.Helper()
	for len(p) > 0 {
		piece := p[:min(len(p), int(e.feat.MaxIO))]
		n, err := e.writer().Write(e.ctx, h, piece, off)
		e.ok(err, "Write(%d bytes at %d)", len(piece), off)
		if n != len(piece) {
			e.t.Fatalf("Write(%d bytes at %d) = %d", len(piece), off, n)
		}
		p, off = p[n:], off+int64(n)
	}
}

// readAt reads n bytes at off through h, in MaxIO pieces, checking that a
// read comes back short only at end of file; it returns what it read.
func (e *env) readAt(h sdk.Handle, off int64, n int) []byte {
	e.t.Helper()
	out := make([]byte, 0, n)
	for len(out) < n {
		buf := make([]byte, min(n-len(out), int(e.feat.MaxIO)))
		got, err := e.fs.Read(e.ctx, h, buf, off)
		e.ok(err, "Read(%d bytes at %d)", len(buf), off)
		if got < 0 || got > len(buf) {
			e.t.Fatalf("Read(%d bytes at %d) = %d", len(buf), off, got)
		}
		out = append(out, buf[:got]...)
		off += int64(got)
		if got < len(buf) {
			e.atEOF(h, off)
			break
		}
	}
	return out
}

// atEOF checks that off is at or beyond end of file: a read there gives
// nothing.
func (e *env) atEOF(h sdk.Handle, off int64) {
	e.t.Helper()
	n, err := e.fs.Read(e.ctx, h, make([]byte, 16), off)
	if err != nil || n != 0 {
		e.t.Errorf("a read came back short at %d, yet Read(16 at %d) = %d, %v: reads may be short only at end of file", off, off, n, err)
	}
}

// content returns the whole content of file p.
func (e *env) content(p string) []byte {
	e.t.Helper()
	h := e.open(p, sdk.ReadOnly)
	defer e.release(h)
	size := e.stat(p).Size
	got := e.readAt(h, 0, int(size)+1)
	if uint64(len(got)) != size {
		e.t.Errorf("read %d bytes of %s, Stat says %d", len(got), p, size)
	}
	return got
}

// wantContent checks the content of file p.
func (e *env) wantContent(p string, want []byte) {
	e.t.Helper()
	if got := e.content(p); !bytes.Equal(got, want) {
		e.t.Errorf("content of %s = %s, want %s", p, short(got), short(want))
	}
}

// short describes b for an error message.
func short(b []byte) string {
	if len(b) <= 48 {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("%q… (%d bytes)", b[:48], len(b))
}

// gone checks that p does not exist.
func (e *env) gone(p string) {
	e.t.Helper()
	_, err := e.fs.Stat(e.ctx, p)
	e.is(err, sdk.ErrNotExist, "Stat(%s)", p)
}

// mkdir makes directory p.
func (e *env) mkdir(p string) {
	e.t.Helper()
	a, err := e.mkdirer().Mkdir(e.ctx, p, 0o755)
	e.ok(err, "Mkdir(%s)", p)
	if !a.Mode.IsDir() {
		e.t.Errorf("Mkdir(%s) mode = %v, want a directory", p, a.Mode)
	}
}

// list returns all entries of directory p, read max at a time, checking
// that the listing ends and has no "." or "..".
func (e *env) list(p string, max int) []sdk.DirEntry {
	e.t.Helper()
	h, err := e.fs.OpenDir(e.ctx, p)
	e.ok(err, "OpenDir(%s)", p)
	defer e.release(h)
	return e.listHandle(h, max)
}

// listHandle reads all entries of the open directory h.
func (e *env) listHandle(h sdk.Handle, max int) []sdk.DirEntry {
	e.t.Helper()
	var all []sdk.DirEntry
	var cookie uint64
	for page := 0; ; page++ {
		if page > 100000 {
			e.t.Fatalf("ReadDir never returned an empty page")
		}
		ents, err := e.fs.ReadDir(e.ctx, h, cookie, max)
		e.ok(err, "ReadDir(cookie %d, max %d)", cookie, max)
		if len(ents) == 0 {
			return all
		}
		if len(ents) > max {
			e.t.Fatalf("ReadDir(max %d) returned %d entries", max, len(ents))
		}
		for _, d := range ents {
			if d.Name == "." || d.Name == ".." || d.Name == "" {
				e.t.Errorf("ReadDir returned entry %q", d.Name)
			}
		}
		all = append(all, ents...)
		cookie = ents[len(ents)-1].Cookie
	}
}

// names returns the sorted names of entries.
func names(ents []sdk.DirEntry) []string {
	out := make([]string, len(ents))
	for i, d := range ents {
		out[i] = d.Name
	}
	slices.Sort(out)
	return out
}

// pattern returns n bytes that differ with seed and position.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7+i/251) ^ seed
	}
	return b
}

// sameTime reports whether a and b are equal at granularity g.
func sameTime(a, b time.Time, g time.Duration) bool {
	return a.Truncate(g).Equal(b.Truncate(g))
}

// wantType checks the type bits of mode.
func (e *env) wantType(what string, got, want fs.FileMode) {
	e.t.Helper()
	if got.Type() != want.Type() {
		e.t.Errorf("%s type = %v, want %v", what, got.Type(), want.Type())
	}
}
