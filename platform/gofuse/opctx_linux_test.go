//go:build linux

package gofuse

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// A request's context: unwatched it stays live until the request returns;
// watched, the kernel's interrupt ends it after the grace, and a request
// that returns first ends it as cancelled, not interrupted.
func TestOpContext(t *testing.T) {
	caller := sdk.Caller{Uid: 7}
	interrupt := make(chan struct{})
	c := newOpContext(caller, interrupt)
	if got, _ := sdk.CallerFrom(c); got.Uid != 7 {
		t.Errorf("caller %+v, want uid 7", got)
	}
	close(interrupt)
	if err := c.Err(); err != nil {
		t.Errorf("unwatched context after an interrupt: %v, want nil until watched", err)
	}
	c.finish()
	if err := c.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("after the request returned: %v, want Canceled", err)
	}
	select {
	case <-c.Done():
	default:
		t.Error("Done asked after the request returned is not closed")
	}

	interrupt = make(chan struct{})
	c = newOpContext(caller, interrupt)
	derived, cancel := context.WithTimeout(c, time.Minute) // watches c (AfterFunc)
	defer cancel()
	start := time.Now()
	close(interrupt)
	<-derived.Done()
	if d := time.Since(start); d < interruptGrace {
		t.Errorf("interrupted context ended after %v, before the grace of %v", d, interruptGrace)
	}
	if err := c.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted past the grace: %v, want Canceled", err)
	}
	c.finish()

	interrupt = make(chan struct{})
	c = newOpContext(caller, interrupt)
	done := c.Done()
	close(interrupt)
	c.finish() // returned within the grace
	<-done
}

// BenchmarkGetattrThroughMount: fstat of an open file through a real
// mount with no attribute cache, one GETATTR request each.
func BenchmarkGetattrThroughMount(b *testing.B) {
	fs := memfs.New()
	v := vfs.New(fs, sdk.DetectFeatures(fs), vfs.Options{AttrTimeout: -1, EntryTimeout: -1})
	mnt := b.TempDir()
	m, err := Driver{}.Mount(context.Background(), v, mnt, core.MountOptions{})
	if err != nil {
		b.Skip(err)
	}
	defer func() { _ = m.Unmount(context.Background(), true); <-m.Done() }()
	f, err := os.Create(filepath.Join(mnt, "f"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.ResetTimer()
	for range b.N {
		if _, err := f.Stat(); err != nil {
			b.Fatal(err)
		}
	}
}
