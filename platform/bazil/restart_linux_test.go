//go:build linux

package bazil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
)

// restartFS is memfs behind a pretend plugin supervisor: after Restart,
// handles issued before answer ErrStale, as after a plugin crash (the data
// survives, as with a plugin over a disk).
type restartFS struct {
	*memfs.FS
	mu    sync.Mutex
	gen   uint64
	owner map[sdk.Handle]uint64
}

// Restart makes every handle issued so far stale.
func (r *restartFS) Restart() { r.mu.Lock(); r.gen++; r.mu.Unlock() }

// Generation implements vfs.Generationer.
func (r *restartFS) Generation() uint64 { r.mu.Lock(); defer r.mu.Unlock(); return r.gen }

func (r *restartFS) issued(h sdk.Handle, err error) (sdk.Handle, error) {
	if err == nil {
		r.mu.Lock()
		r.owner[h] = r.gen
		r.mu.Unlock()
	}
	return h, err
}

func (r *restartFS) check(h sdk.Handle) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.owner[h] != r.gen {
		return fmt.Errorf("handle %d: %w", h, sdk.ErrStale)
	}
	return nil
}

func (r *restartFS) Open(ctx context.Context, p string, fl sdk.OpenFlags, m fs.FileMode) (sdk.Handle, sdk.Attr, error) {
	h, a, err := r.FS.Open(ctx, p, fl, m)
	h, err = r.issued(h, err)
	return h, a, err
}

func (r *restartFS) OpenDir(ctx context.Context, p string) (sdk.Handle, error) {
	return r.issued(r.FS.OpenDir(ctx, p))
}

func (r *restartFS) Read(ctx context.Context, h sdk.Handle, b []byte, off int64) (int, error) {
	if err := r.check(h); err != nil {
		return 0, err
	}
	return r.FS.Read(ctx, h, b, off)
}

func (r *restartFS) Write(ctx context.Context, h sdk.Handle, b []byte, off int64) (int, error) {
	if err := r.check(h); err != nil {
		return 0, err
	}
	return r.FS.Write(ctx, h, b, off)
}

func (r *restartFS) ReadDir(ctx context.Context, h sdk.Handle, c uint64, max int) ([]sdk.DirEntry, error) {
	if err := r.check(h); err != nil {
		return nil, err
	}
	return r.FS.ReadDir(ctx, h, c, max)
}

// Flush checks the handle's generation, as a plugin that flushes would
// (memfs itself has nothing to flush).
func (r *restartFS) Flush(ctx context.Context, h sdk.Handle) error {
	return r.check(h)
}

func (r *restartFS) StatHandle(ctx context.Context, h sdk.Handle) (sdk.Attr, error) {
	if err := r.check(h); err != nil {
		return sdk.Attr{}, err
	}
	return r.FS.StatHandle(ctx, h)
}

// TestPluginRestart checks, through the kernel, that open files and a
// directory listing in progress survive a plugin restart, and that an
// unlinked open file, which cannot be reopened, fails with EIO.
func TestPluginRestart(t *testing.T) {
	s := startServer(t, "restart")
	restart := func() {
		t.Helper()
		if _, err := fmt.Fprintln(s.in, "restart"); err != nil {
			t.Fatal(err)
		}
		if got := s.next(t, "restart: "); got != "restart: ok" {
			t.Fatal(got)
		}
	}
	f, err := os.OpenFile(filepath.Join(s.mnt, "f"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("before"); err != nil {
		t.Fatal(err)
	}
	gone, err := os.Create(filepath.Join(s.mnt, "gone"))
	if err != nil {
		t.Fatal(err)
	}
	defer gone.Close()
	if err := os.Remove(gone.Name()); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(s.mnt, "d")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	const files = 300
	for i := range files {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("entry-%03d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dfd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(dfd)
	buf := make([]byte, 1024) // a few dozen entries per call
	names := map[string]int{}
	getdents := func() int {
		n, err := syscall.Getdents(dfd, buf)
		if err != nil {
			t.Fatalf("getdents: %v", err)
		}
		_, _, got := syscall.ParseDirent(buf[:n], -1, nil)
		for _, name := range got {
			names[name]++
		}
		return n
	}
	getdents()

	restart()

	// a lookup of the open file's name first: its node must keep its path
	if _, err := os.Stat(filepath.Join(s.mnt, "f")); err != nil {
		t.Errorf("stat after the restart: %v", err)
	}
	if _, err := f.WriteString("after"); err != nil {
		t.Errorf("write through a file opened before the restart: %v", err)
	}
	if _, err := gone.WriteString("x"); !errors.Is(err, syscall.EIO) {
		t.Errorf("write to an unlinked file after the restart: %v, want EIO", err)
	}
	for getdents() > 0 {
	}
	for i := range files {
		if name := fmt.Sprintf("entry-%03d", i); names[name] != 1 {
			t.Errorf("%s listed %d times across the restart", name, names[name])
		}
	}
	if len(names) != files { // ParseDirent leaves out . and ..
		t.Errorf("%d names listed, want %d", len(names), files)
	}
	if err := f.Close(); err != nil {
		t.Errorf("close (flush) after the restart: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(s.mnt, "f"))
	if err != nil || !bytes.Equal(got, []byte("beforeafter")) {
		t.Errorf("content: %q, %v", got, err)
	}
}
