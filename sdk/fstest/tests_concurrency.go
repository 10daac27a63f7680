package fstest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/plugfs/plugfs/sdk"
)

// TestConcurrentWriters: writers on distinct files, and on distinct
// ranges of one file, run at once while others list and stat; everything
// written reads back. Run with -race.
func (s *Suite) TestConcurrentWriters(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	const writers, pieces, piece = 6, 32, 4096
	e.create("/shared", nil)
	shared := e.open("/shared", sdk.ReadWrite)
	defer e.release(shared)
	stop := make(chan struct{})
	var wg, watchers sync.WaitGroup
	watchers.Add(1)
	go func() { // a lister and statter racing the writers
		defer watchers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			h, err := e.fs.OpenDir(e.ctx, "/")
			if err != nil {
				t.Errorf("OpenDir during writes: %v", err)
				return
			}
			if _, err := e.fs.ReadDir(e.ctx, h, 0, 100); err != nil {
				t.Errorf("ReadDir during writes: %v", err)
			}
			if err := e.fs.Release(e.ctx, h); err != nil {
				t.Errorf("Release during writes: %v", err)
			}
			if _, err := e.fs.Stat(e.ctx, "/shared"); err != nil {
				t.Errorf("Stat during writes: %v", err)
			}
		}
	}()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := fmt.Sprintf("/w%d", w)
			h, _, err := e.fs.Open(e.ctx, p, sdk.Create|sdk.Exclusive|sdk.ReadWrite, 0o644)
			if err != nil {
				t.Errorf("Open(%s, Create): %v", p, err)
				return
			}
			defer e.fs.Release(e.ctx, h)
			data := pattern(pieces*piece, byte(w))
			for i := range pieces {
				j := (i * 7) % pieces // out of order
				off := int64(j * piece)
				if n, err := e.writer().Write(e.ctx, h, data[off:off+piece], off); err != nil || n != piece {
					t.Errorf("Write(%s at %d) = %d, %v", p, off, n, err)
					return
				}
				soff := int64((w*pieces + j) * piece)
				if n, err := e.writer().Write(e.ctx, shared, data[off:off+piece], soff); err != nil || n != piece {
					t.Errorf("Write(/shared at %d) = %d, %v", soff, n, err)
					return
				}
			}
			buf := make([]byte, piece)
			for i := range pieces {
				off := int64(i * piece)
				n, err := e.fs.Read(e.ctx, h, buf, off)
				if err != nil || n != piece || !bytes.Equal(buf, data[off:off+piece]) {
					t.Errorf("Read(%s at %d) = %d, %v, or wrong bytes", p, off, n, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	watchers.Wait()
	var want []byte
	for w := range writers {
		want = append(want, pattern(pieces*piece, byte(w))...)
	}
	if got := e.readAt(shared, 0, len(want)+1); !bytes.Equal(got, want) {
		t.Errorf("/shared after concurrent writes to distinct ranges: %d bytes, not what was written", len(got))
	}
}

// TestConcurrentReaders: many readers of one file, through one handle and
// through their own, all see its content.
func (s *Suite) TestConcurrentReaders(t *testing.T) {
	e := s.env(t)
	if !e.has(fWrite) {
		return
	}
	data := pattern(256<<10, 5)
	e.create("/f", data)
	common := e.open("/f", sdk.ReadOnly)
	defer e.release(common)
	var wg sync.WaitGroup
	for r := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := common
			if r%2 == 1 {
				var err error
				if h, _, err = e.fs.Open(e.ctx, "/f", sdk.ReadOnly, 0); err != nil {
					t.Errorf("Open: %v", err)
					return
				}
				defer e.fs.Release(e.ctx, h)
			}
			buf := make([]byte, 10000)
			for i := range 50 {
				off := int64((i*7919 + r*104729) % (len(data) - len(buf)))
				n, err := e.fs.Read(e.ctx, h, buf, off)
				if err != nil || n != len(buf) || !bytes.Equal(buf, data[off:off+int64(n)]) {
					t.Errorf("reader %d: Read(at %d) = %d, %v, or wrong bytes", r, off, n, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
