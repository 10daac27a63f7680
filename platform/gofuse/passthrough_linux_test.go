//go:build linux

package gofuse

import (
	"bytes"
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/plugfs/plugfs/core"
	"github.com/plugfs/plugfs/core/vfs"
	"github.com/plugfs/plugfs/plugins/local"
	"github.com/plugfs/plugfs/sdk"
)

// donating is the local plugin seen as core/host.Backend sees a plugin
// that donates its files: File(h) gives the OS file, and Read and Write
// of such handles go to the file (counted, to prove who moved the bytes).
type donating struct {
	*local.FS
	reads, writes atomic.Int64
}

func (d *donating) File(h sdk.Handle) *os.File {
	f, err := d.DonateFile(context.Background(), h)
	if err != nil {
		return nil
	}
	return f
}

func (d *donating) Read(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	d.reads.Add(1)
	return d.FS.Read(ctx, h, p, off)
}

func (d *donating) Write(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	d.writes.Add(1)
	return d.FS.Write(ctx, h, p, off)
}

// mountDonating mounts a donating local plugin over a fresh directory and
// returns the backing root, the mount point, the mount and the plugin.
func mountDonating(t *testing.T, opts core.MountOptions) (root, mnt string, m *mount, d *donating) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("passthrough needs root (CAP_SYS_ADMIN); make test runs as root")
	}
	root, mnt = t.TempDir(), t.TempDir()
	fs, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	d = &donating{FS: fs}
	v := vfs.New(d, sdk.DetectFeatures(d), vfs.Options{})
	mounted, err := Driver{}.Mount(context.Background(), v, mnt, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := mounted.Unmount(context.Background(), true); err != nil {
			t.Errorf("unmount: %v", err)
		}
		<-mounted.Done()
	})
	return root, mnt, mounted.(*mount), d
}

// waitBacked waits for the number of passthrough nodes to become want
// (releases reach the server after close(2) returns).
func waitBacked(t *testing.T, m *mount, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for m.pt.backed() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d nodes in passthrough, want %d", m.pt.backed(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPassthrough: with passthrough the kernel moves a donated file's bytes
// itself — no read or write reaches the server — and the plugin's own view
// (the backing directory) has them; mmap works; the backing id goes with
// the last open file.
func TestPassthrough(t *testing.T) {
	root, mnt, m, d := mountDonating(t, core.MountOptions{})
	data := make([]byte, 4<<20+123)
	rand.New(rand.NewSource(1)).Read(data)
	f, err := os.OpenFile(filepath.Join(mnt, "f"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if m.pt.backed() != 1 {
		t.Fatalf("create: %d nodes in passthrough, want 1", m.pt.backed())
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	// A second open of the same node, read-only, shares the backing id.
	g, err := os.Open(filepath.Join(mnt, "f"))
	if err != nil {
		t.Fatalf("second open of a passthrough node: %v", err)
	}
	got := make([]byte, len(data))
	if _, err := g.ReadAt(got, 0); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back through the mount: %v, equal %v", err, bytes.Equal(got, data))
	}
	// mmap goes to the backing file too.
	mem, err := syscall.Mmap(int(f.Fd()), 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	copy(mem, "mapped!")
	if err := syscall.Munmap(mem); err != nil {
		t.Fatal(err)
	}
	f.Close()
	g.Close()
	waitBacked(t, m, 0)
	onDisk, err := os.ReadFile(filepath.Join(root, "f"))
	if err != nil || len(onDisk) != len(data) || string(onDisk[:7]) != "mapped!" || !bytes.Equal(onDisk[7:], data[7:]) {
		t.Fatalf("backing file: %d bytes, err %v, starts %q", len(onDisk), err, onDisk[:min(7, len(onDisk))])
	}
	if r, w := d.reads.Load(), d.writes.Load(); r != 0 || w != 0 {
		t.Errorf("the server moved bytes under passthrough: %d reads, %d writes", r, w)
	}
	// The size the kernel reports comes from the plugin, after writes it
	// never saw.
	st, err := os.Stat(filepath.Join(mnt, "f"))
	if err != nil || st.Size() != int64(len(data)) {
		t.Errorf("stat through the mount: %v, size %d, want %d", err, st.Size(), len(data))
	}
}

// TestPassthroughOff: without passthrough, reads of a donated file are
// spliced from it by the server (no plugin read) and writes go to it.
func TestPassthroughOff(t *testing.T) {
	root, mnt, m, d := mountDonating(t, core.MountOptions{NoPassthrough: true})
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	if err := os.WriteFile(filepath.Join(mnt, "f"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if m.pt.backed() != 0 {
		t.Fatalf("%d nodes in passthrough with NoPassthrough", m.pt.backed())
	}
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0); err != nil {
		t.Logf("drop caches: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(mnt, "f"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back: %v, equal %v", err, bytes.Equal(got, data))
	}
	onDisk, _ := os.ReadFile(filepath.Join(root, "f"))
	if !bytes.Equal(onDisk, data) {
		t.Fatal("backing file differs")
	}
	if d.writes.Load() == 0 {
		t.Error("no write reached the server without passthrough")
	}
	if r := d.reads.Load(); r != 0 {
		t.Errorf("%d reads asked the plugin; a donated file is spliced", r)
	}
}
