//go:build linux

package sdk_test

import (
	"bytes"
	"context"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/plugfs/plugfs/plugins/memfs"
	"github.com/plugfs/plugfs/sdk"
	"github.com/plugfs/plugfs/sdk/sdktest"
)

// donorFS serves one file, "/f", kept in an OS file it donates.
type donorFS struct {
	sdk.FileSystem
	path string

	mu      sync.Mutex
	open    map[sdk.Handle]*os.File
	next    sdk.Handle
	donated int
}

func (d *donorFS) Open(ctx context.Context, p string, flags sdk.OpenFlags, _ os.FileMode) (sdk.Handle, sdk.Attr, error) {
	if p != "/f" {
		return 0, sdk.Attr{}, sdk.ErrNotExist
	}
	f, err := os.OpenFile(d.path, os.O_RDWR, 0)
	if err != nil {
		return 0, sdk.Attr{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.next++
	d.open[d.next] = f
	return d.next, sdk.Attr{Mode: 0o644}, nil
}

func (d *donorFS) Read(ctx context.Context, h sdk.Handle, p []byte, off int64) (int, error) {
	d.mu.Lock()
	f := d.open[h]
	d.mu.Unlock()
	n, err := f.ReadAt(p, off)
	if err == io.EOF {
		err = nil
	}
	return n, err
}

func (d *donorFS) Release(ctx context.Context, h sdk.Handle) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	f := d.open[h]
	delete(d.open, h)
	return f.Close()
}

func (d *donorFS) DonateFile(ctx context.Context, h sdk.Handle) (*os.File, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.donated++
	return d.open[h], nil
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestFileDonation: OpenFile hands the host the very file the plugin has,
// with the lane's reply (revision 4) or on the file channel (a plugin of
// an earlier revision), and thousands of opens leak no descriptor on
// either side.
func TestFileDonation(t *testing.T) {
	for _, onLane := range []bool{true, false} {
		name := "file-channel"
		if onLane {
			name = "with-lane-reply"
		}
		t.Run(name, func(t *testing.T) { testFileDonation(t, onLane) })
	}
}

func testFileDonation(t *testing.T, onLane bool) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("donated bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := &donorFS{FileSystem: memfs.New(), path: path, open: map[sdk.Handle]*os.File{}}
	c, res := sdktest.TestClient(t, sdktest.TestPlugin(d), nil)
	if !res.Features.DonateFiles {
		t.Fatalf("features %+v: want DonateFiles", res.Features)
	}
	if sdk.LanePathForTest(c) == "" {
		t.Fatal("no fast lane")
	}
	sdk.SetLaneFilesForTest(c, onLane)
	ctx := context.Background()
	h, _, f, err := c.OpenFile(ctx, "/f", sdk.ReadWrite, 0)
	if err != nil || f == nil {
		t.Fatalf("OpenFile: file %v, err %v", f, err)
	}
	// A write through the donated file is seen by the plugin's own Read.
	if _, err := f.WriteAt([]byte("DONATED"), 0); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 13)
	n, err := c.Read(ctx, h, buf, 0)
	if err != nil || string(buf[:n]) != "DONATED bytes" {
		t.Fatalf("plugin read %q, %v after a write through the donated file", buf[:n], err)
	}
	f.Close()
	if err := c.Release(ctx, h); err != nil {
		t.Fatal(err)
	}
	// Plain Open asks for nothing.
	h, _, err = c.Open(ctx, "/f", sdk.ReadOnly, 0)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Release(ctx, h)
	// Under the plugin's lock: the race detector sees no ordering through
	// the lane's raw socket calls.
	d.mu.Lock()
	donated := d.donated
	d.mu.Unlock()
	if donated != 1 {
		t.Errorf("plugin donated %d times, want 1 (Open must not ask)", donated)
	}

	before := openFDs(t)
	for i := 0; i < 2000; i++ {
		h, _, f, err := c.OpenFile(ctx, "/f", sdk.ReadOnly, 0)
		if err != nil || f == nil {
			t.Fatalf("open %d: %v, %v", i, f, err)
		}
		f.Close()
		if err := c.Release(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	if after := openFDs(t); after > before+2 {
		t.Errorf("descriptors: %d before 2000 donated opens, %d after", before, after)
	}
	want := uint64(0)
	if onLane {
		want = 2001
	}
	if got := sdk.LaneFilesForTest(c); got != want {
		t.Errorf("%d files came with lane replies, want %d", got, want)
	}
}

// TestSharedMemoryTransfers: with the data plane the bytes of Read and
// Write go through the shared region (the messages carry none), intact,
// from many goroutines at once; without it they go in messages.
func TestSharedMemoryTransfers(t *testing.T) {
	for _, fast := range []bool{true, false} {
		connect := sdktest.TestClientBytes
		if fast {
			connect = sdktest.TestClient
		}
		c, _ := connect(t, memfs.Plugin(), nil)
		if got := c.DataPlane().SharedMemory; got != fast {
			t.Fatalf("fast=%v: DataPlane %+v", fast, c.DataPlane())
		}
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for g := 0; g < 40; g++ { // more than the 32 slots: some fall back
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				name := "/" + string(rune('a'+g%26)) + string(rune('a'+g/26))
				h, _, err := c.Open(ctx, name, sdk.ReadWrite|sdk.Create, 0o644)
				if err != nil {
					errs <- err
					return
				}
				data := make([]byte, 1<<20)
				rand.New(rand.NewSource(int64(g))).Read(data)
				if n, err := c.Write(ctx, h, data, 4096); err != nil || n != len(data) {
					errs <- err
					return
				}
				got := make([]byte, len(data)+100)
				n, err := c.Read(ctx, h, got, 4096)
				if err != nil || !bytes.Equal(got[:n], data) {
					t.Errorf("fast=%v file %s: read %d bytes, err %v, equal %v", fast, name, n, err, bytes.Equal(got[:n], data))
				}
				_ = c.Release(ctx, h)
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("fast=%v: %v", fast, err)
		}
	}
}
